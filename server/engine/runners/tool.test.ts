// The tool step through the real tool layer on a real database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../db/client.ts";
import type { WorkflowDefinition } from "../../shared/workflow-definition.ts";
import { createTestDatabase, type TestDatabase } from "../../test/db.ts";
import { createRunMemory } from "../memory.ts";
import { createAllowlist } from "../tools/allowlist.ts";
import { createToolInvoker, type McpToolSource } from "../tools/invoker.ts";
import { StepError, type StepContext, type StepOutcome } from "../types.ts";
import { runToolStep, toolText, type ToolStep } from "./tool.ts";

let database: TestDatabase;
let db: Db;

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.prisma;
});
afterAll(async () => {
  await database?.destroy();
});

const DEFINITION: WorkflowDefinition = { schemaVersion: 1, name: "Test", description: "", inputs: {}, outputs: {}, steps: [] };
const unused = () => {
  throw new Error("not used by tool steps");
};

const tickets: McpToolSource = {
  list: async () => [{ name: "tickets.close", description: "Closes a ticket", inputSchema: { type: "object", properties: { id: { type: "string" } }, required: ["id"] } }],
  call: async (_team, _name, args) =>
    args.id === "T-1" ? { content: { closed: "T-1" }, isError: false } : { content: [{ type: "text", text: `No ticket ${String(args.id)}` }], isError: true },
};

async function context(step: ToolStep): Promise<{ ctx: StepContext<ToolStep>; runId: string }> {
  const team = await db.team.create({ data: { slug: `t-${Math.random().toString(36).slice(2, 10)}`, name: "T" } });
  const workflow = await db.workflow.create({ data: { teamId: team.id, slug: "flow", name: "Flow" } });
  const version = await db.workflowVersion.create({ data: { workflowId: workflow.id, version: 1, definition: { name: "Flow", steps: [] } } });
  const row = await db.run.create({ data: { teamId: team.id, workflowId: workflow.id, workflowVersionId: version.id, version: 1, input: {} } });
  const run = { id: row.id, teamId: team.id };
  const memory = createRunMemory(db, run);
  const ctx: StepContext<ToolStep> = {
    run: { ...run, workflowId: workflow.id, createdById: null, apiKeyId: null, definition: DEFINITION },
    step,
    stepKey: "save",
    stepId: "save",
    attempt: 1,
    idempotencyKey: `${run.id}:save`,
    signal: new AbortController().signal,
    log: () => {},
    gateway: unused,
    tools: createToolInvoker({ db, run, stepKey: "save", memory, allowlist: createAllowlist([]), actor: "save", mcp: tickets }),
    memory,
    messages: { send: unused, inbox: unused },
  };
  return { ctx, runId: run.id };
}

async function stepFailure(promise: Promise<StepOutcome>): Promise<StepError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof StepError)) throw new Error(`expected a StepError, got ${String(error)}`);
  return error;
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
