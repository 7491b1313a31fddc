// The tool step through the real tool layer on a real database.
import { describe, expect, it } from "vitest";
import type { Db } from "../../db/client.ts";
import { withTestDatabase } from "../../test/with-database.ts";
import { createRunMemory } from "../memory.ts";
import { seedRunRows } from "../testing/run-rows.ts";
import { stepFailure, testStepContext } from "../testing/step-context.ts";
import { createAllowlist } from "../tools/allowlist.ts";
import { createToolInvoker, type McpToolSource } from "../tools/invoker.ts";
import type { StepContext } from "../types.ts";
import { runToolStep, toolText, type ToolStep } from "./tool.ts";

let db: Db;
withTestDatabase((database) => (db = database.prisma));

const tickets: McpToolSource = {
  list: async () => [{ name: "tickets.close", description: "Closes a ticket", inputSchema: { type: "object", properties: { id: { type: "string" } }, required: ["id"] } }],
  call: async (_team, _name, args) =>
    args.id === "T-1" ? { content: { closed: "T-1" }, isError: false } : { content: [{ type: "text", text: `No ticket ${String(args.id)}` }], isError: true },
};

/** The step in a run of its own, with the real memory and tool layer. */
async function context(step: ToolStep): Promise<{ ctx: StepContext<ToolStep>; runId: string }> {
  const run = await seedRunRows(db);
  const memory = createRunMemory(db, run);
  const tools = createToolInvoker({ db, run, stepKey: "save", memory, allowlist: createAllowlist([]), actor: "save", mcp: tickets });
  const { ctx } = testStepContext(step, { stepKey: "save", run, memory, tools });
  return { ctx, runId: run.id };
}

describe("tool step", () => {
  it("outputs the tool's content and writes as the step", async () => {
    const { ctx } = await context({ kind: "tool", tool: "memory_set", arguments: { key: "summary", value: "short" } });
    expect(await runToolStep(ctx)).toEqual({ output: { key: "summary", stored: true } });
    expect(await ctx.memory.entries()).toEqual([{ key: "summary", value: "short", writtenBy: "save" }]);
  });

  it("calls MCP tools by their qualified name", async () => {
    const { ctx, runId } = await context({ kind: "tool", tool: "tickets.close", arguments: { id: "T-1" } });
    expect((await runToolStep(ctx)).output).toEqual({ closed: "T-1" });
    expect(await db.toolCall.count({ where: { runId, server: "tickets", tool: "close" } })).toBe(1);
  });

  it("a tool's error result fails the step for good with the tool's words", async () => {
    const { ctx } = await context({ kind: "tool", tool: "tickets.close", arguments: { id: "T-9" } });
    const error = await stepFailure(runToolStep(ctx));
    expect(error).toMatchObject({ code: "TOOL_ERROR", retryable: false });
    expect(error.message).toBe("The tool tickets.close reported an error: No ticket T-9");
  });

  it("a refused URL is a tool error naming the setting", async () => {
    const { ctx } = await context({ kind: "tool", tool: "http_fetch", arguments: { url: "https://example.org/" } });
    expect((await stepFailure(runToolStep(ctx))).message).toContain("MAESTRO_HTTP_ALLOWLIST");
  });

  it("turns any content into readable text", () => {
    expect(toolText("plain")).toBe("plain");
    expect(toolText([{ type: "text", text: "a" }, { type: "image" }, { type: "text", text: "b" }])).toBe("a\nb");
    expect(toolText({ code: 7 })).toBe('{"code":7}');
  });
});
