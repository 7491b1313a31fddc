// The tool layer on a real database: built-in tools (memory, http_fetch against a local
// server), MCP tools from a source, filtering by allowed names, argument checks, and the
// ToolCall rows and "tool.call" events every call leaves.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../db/client.ts";
import { withTestDatabase } from "../../test/with-database.ts";
import { createRunMemory } from "../memory.ts";
import { seedRunRows } from "../testing/run-rows.ts";
import { stepFailure } from "../testing/step-context.ts";
import type { ToolDescriptor, ToolResult } from "../types.ts";
import { createAllowlist } from "./allowlist.ts";
import { HTTP_FETCH_MAX_BODY_BYTES } from "./builtin.ts";
import { createToolInvoker, isToolAllowed, type McpToolSource } from "./invoker.ts";

let db: Db;
let server: Server;
let base: string;
const idempotencyKeys: (string | undefined)[] = [];

withTestDatabase((database) => (db = database.prisma));
beforeAll(async () => {
  server = createServer((req, res) => {
    idempotencyKeys.push(req.headers["idempotency-key"] as string | undefined);
    if (req.url === "/big") {
      res.writeHead(200, { "content-type": "text/plain" });
      return res.end("b".repeat(HTTP_FETCH_MAX_BODY_BYTES + 5_000));
    }
    res.writeHead(req.url === "/missing" ? 404 : 200, { "content-type": "application/json" });
    res.end(JSON.stringify({ path: req.url, method: req.method }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

const CREATE_ISSUE: ToolDescriptor = {
  name: "github.create_issue",
  description: "Opens an issue",
  inputSchema: { type: "object", properties: { title: { type: "string" }, labels: { type: "array" } }, required: ["title"] },
};
const SEARCH: ToolDescriptor = { name: "github.search", description: "Searches code", inputSchema: { type: "object", properties: { q: { type: "string" } } } };
const FETCH_PAGE: ToolDescriptor = { name: "web.fetch_page", description: "Fetches a page", inputSchema: { type: "object", properties: {} } };

/** An MCP source that answers from a script and remembers what it was asked. */
function scriptedMcp(answer: (name: string, args: Record<string, unknown>) => ToolResult) {
  const calls: { teamId: string; name: string; args: Record<string, unknown> }[] = [];
  const source: McpToolSource = {
    list: async () => [CREATE_ISSUE, SEARCH, FETCH_PAGE],
    call: async (teamId, name, args) => {
      calls.push({ teamId, name, args });
      return answer(name, args);
    },
  };
  return { source, calls };
}

const options = () => ({ signal: new AbortController().signal, idempotencyKey: "run:step:1" });

async function setup(slug: string, mcp?: McpToolSource) {
  const run = await seedRunRows(db, slug);
  const memory = createRunMemory(db, run);
  const tools = createToolInvoker({ db, run, stepKey: "work", memory, allowlist: createAllowlist(["127.0.0.1"]), actor: "executor", ...(mcp ? { mcp } : {}) });
  return { run, memory, tools };
}

describe("tool list", () => {
  it("lists the built-ins with schemas, then the team's MCP tools, filtered by allowed names", async () => {
    const { source } = scriptedMcp(() => ({ content: "", isError: false }));
    const { tools } = await setup("list", source);
    const all = await tools.list();
    expect(all.map((t) => t.name)).toEqual(["http_fetch", "memory_get", "memory_set", "memory_list", "github.create_issue", "github.search", "web.fetch_page"]);
    for (const tool of all.slice(0, 4)) {
      expect(tool.description.length).toBeGreaterThan(40);
      expect(tool.inputSchema).toMatchObject({ type: "object" });
    }
    expect((await tools.list(["memory_get", "github.*"])).map((t) => t.name)).toEqual(["memory_get", "github.create_issue", "github.search"]);
    expect(await tools.list([])).toEqual([]);
  });

  it("matches `server.*` to that server's tools only", () => {
    expect(isToolAllowed("github.search", ["github.*"])).toBe(true);
    expect(isToolAllowed("githubx.search", ["github.*"])).toBe(false);
    expect(isToolAllowed("github.search", ["github.create_issue"])).toBe(false);
  });
});

describe("built-in tools", () => {
  it("memory tools read and write the run's memory as the actor, and every call is recorded", async () => {
    const { run, memory, tools } = await setup("memory");
    expect(await tools.call("memory_set", { key: "plan", value: { steps: 2 } }, options())).toEqual({ content: { key: "plan", stored: true }, isError: false });
    expect(await memory.entries()).toEqual([{ key: "plan", value: { steps: 2 }, writtenBy: "executor" }]);
    expect(await tools.call("memory_get", { key: "plan" }, options())).toEqual({ content: { key: "plan", found: true, value: { steps: 2 } }, isError: false });
    expect((await tools.call("memory_get", { key: "other" }, options())).content).toEqual({ key: "other", found: false, value: null });
    expect((await tools.call("memory_list", {}, options())).content).toEqual({ entries: [{ key: "plan", writtenBy: "executor" }] });

    const rows = await db.toolCall.findMany({ where: { runId: run.id }, orderBy: { createdAt: "asc" } });
    expect(rows).toHaveLength(4);
    expect(rows.find((row) => row.tool === "memory_set")).toMatchObject({
      teamId: run.teamId,
      stepKey: "work",
      server: "builtin",
      arguments: { key: "plan", value: { steps: 2 } },
      result: { key: "plan", stored: true },
      isError: false,
    });
    const events = await db.runEvent.findMany({ where: { runId: run.id, type: "tool.call" } });
    expect(events).toHaveLength(4);
    expect(events[0]!.stepKey).toBe("work");
    expect(events[0]!.payload).toMatchObject({ server: "builtin", isError: false, latencyMs: expect.any(Number) });
    expect(rows.map((row) => row.id)).toContain((events[0]!.payload as { id: string }).id);
  });

  it("a value too large for memory comes back as an error result", async () => {
    const { tools } = await setup("memory-big");
    const result = await tools.call("memory_set", { key: "big", value: "x".repeat(300 * 1024) }, options());
    expect(result.isError).toBe(true);
    expect(String(result.content)).toMatch(/limit is 262144 bytes/);
  });

  it("http_fetch returns the status and the body as text, with the step's Idempotency-Key", async () => {
    const { tools } = await setup("fetch");
    const result = await tools.call("http_fetch", { url: `${base}/items?page=2`, method: "POST", body: { name: "x" } }, options());
    expect(result).toEqual({ content: { status: 200, body: JSON.stringify({ path: "/items?page=2", method: "POST" }) }, isError: false });
    expect(idempotencyKeys.at(-1)).toBe("run:step:1");
    expect((await tools.call("http_fetch", { url: `${base}/missing` }, options())).content).toMatchObject({ status: 404 });
  });

  it("http_fetch cuts long bodies at 100 kB and says so", async () => {
    const { tools } = await setup("fetch-big");
    const { content } = await tools.call("http_fetch", { url: `${base}/big` }, options());
    expect(content).toMatchObject({ status: 200, truncated: true });
    expect((content as { body: string }).body).toHaveLength(HTTP_FETCH_MAX_BODY_BYTES);
  });

  it("http_fetch to a host outside the allow-list is an error result naming the setting", async () => {
    const { run, tools } = await setup("fetch-refused");
    const result = await tools.call("http_fetch", { url: "https://example.org/" }, options());
    expect(result.isError).toBe(true);
    expect(String(result.content)).toContain("MAESTRO_HTTP_ALLOWLIST");
    expect(await db.toolCall.findFirst({ where: { runId: run.id } })).toMatchObject({ tool: "http_fetch", isError: true });
  });

  it("a cancelled call throws CANCELLED", async () => {
    const { tools } = await setup("fetch-cancelled");
    const controller = new AbortController();
    controller.abort();
    const error = await stepFailure(tools.call("http_fetch", { url: `${base}/items` }, { signal: controller.signal, idempotencyKey: "k" }));
    expect(error.code).toBe("CANCELLED");
  });
});

describe("refused calls", () => {
  it("an unknown tool fails for good, listing what is available, and is recorded", async () => {
    const { source } = scriptedMcp(() => ({ content: "", isError: false }));
    const { run, tools } = await setup("unknown", source);
    const error = await stepFailure(tools.call("github.delete_repo", {}, options()));
    expect(error).toMatchObject({ code: "UNKNOWN_TOOL", retryable: false });
    expect(error.message).toContain("http_fetch, memory_get, memory_set, memory_list, github.create_issue");
    expect(await db.toolCall.findFirst({ where: { runId: run.id } })).toMatchObject({ server: "github", tool: "delete_repo", isError: true });
    expect((await stepFailure(tools.call("shell", {}, options()))).code).toBe("UNKNOWN_TOOL");
  });

  it("arguments missing a required property or of the wrong type are refused before the tool runs", async () => {
    const { source, calls } = scriptedMcp(() => ({ content: "", isError: false }));
    const { memory, tools } = await setup("bad-args", source);
    const missing = await stepFailure(tools.call("memory_set", { key: "k" }, options()));
    expect(missing).toMatchObject({ code: "BAD_TOOL_ARGUMENTS", retryable: false });
    expect(missing.message).toContain("value: missing (required)");
    expect((await stepFailure(tools.call("memory_get", { key: 5 }, options()))).message).toContain("key: expected string, got number");
    expect((await stepFailure(tools.call("http_fetch", { url: `${base}/x`, method: "BREW" }, options()))).message).toContain("method: expected one of");
    expect((await stepFailure(tools.call("github.create_issue", { labels: [] }, options()))).message).toContain("title: missing (required)");
    expect(calls).toEqual([]);
    expect(await memory.entries()).toEqual([]);
  });
});

describe("MCP tools", () => {
  it("calls the source with the team and records the server and tool", async () => {
    const { source, calls } = scriptedMcp((name, args) => ({ content: [{ type: "text", text: `created ${String(args.title)} via ${name}` }], isError: false }));
    const { run, tools } = await setup("mcp", source);
    const result = await tools.call("github.create_issue", { title: "Bug" }, options());
    expect(result).toEqual({ content: [{ type: "text", text: "created Bug via github.create_issue" }], isError: false });
    expect(calls).toEqual([{ teamId: run.teamId, name: "github.create_issue", args: { title: "Bug" } }]);
    expect(await db.toolCall.findFirst({ where: { runId: run.id } })).toMatchObject({ server: "github", tool: "create_issue", arguments: { title: "Bug" }, isError: false });
  });

  it("a tool that throws becomes an error result, recorded as such", async () => {
    const { source } = scriptedMcp(() => {
      throw new Error("the MCP server is not connected");
    });
    const { run, tools } = await setup("mcp-throws", source);
    expect(await tools.call("github.search", { q: "x" }, options())).toEqual({ content: "the MCP server is not connected", isError: true });
    expect(await db.toolCall.findFirst({ where: { runId: run.id } })).toMatchObject({ isError: true, result: "the MCP server is not connected" });
  });
});
