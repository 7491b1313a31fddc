// The MCP manager against real MCP servers: the filesystem server from npm over stdio,
// a small stdio server written here (environment, a call that never ends, tools added
// at run time) and a streamable-HTTP server on a local port that wants a header secret.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { createTestDatabase, type TestDatabase } from "../../test/db.ts";
import type { Db } from "../../db/client.ts";
import { eventually } from "../testing/harness.ts";
import { isProcessAlive } from "../testing/node-process.ts";
import { stepFailure } from "../testing/step-context.ts";
import type { ToolResult } from "../types.ts";
import { backoffDelay, McpManager, toToolResult } from "./manager.ts";
import { sealSecrets } from "./config.ts";

const require = createRequire(import.meta.url);
const FILESYSTEM_SERVER = require.resolve("@modelcontextprotocol/server-filesystem/dist/index.js");
const sdkModule = (name: string) => pathToFileURL(require.resolve(`@modelcontextprotocol/sdk/${name}`)).href;

const MY_SECRET = "not-a-real-env-secret-1234";
const HTTP_TOKEN = "not-a-real-mcp-token-5678";

/** A stdio MCP server of our own: reports its environment, hangs on request, learns tools at run time. */
const PROBE_SERVER = `
import { writeFileSync } from "node:fs";
import { McpServer } from ${JSON.stringify(sdkModule("server/mcp.js"))};
import { StdioServerTransport } from ${JSON.stringify(sdkModule("server/stdio.js"))};
const server = new McpServer({ name: "probe", version: "1.0.0" });
server.registerTool("environment", { description: "Reports two environment variables" }, async () => ({
  content: [{ type: "text", text: JSON.stringify({ mySecret: process.env.MY_SECRET ?? null, maestroSecret: process.env.MAESTRO_SECRET ?? null }) }],
}));
server.registerTool("hang", { description: "Never answers" }, async () => {
  writeFileSync(process.argv[2], String(process.pid));
  await new Promise((resolve) => setTimeout(resolve, 600000));
  return { content: [] };
});
server.registerTool("learn", { description: "Adds a tool" }, async () => {
  server.registerTool("learned", { description: "Added at run time" }, async () => ({ content: [{ type: "text", text: "new" }] }));
  return { content: [{ type: "text", text: "learned" }] };
});
await server.connect(new StdioServerTransport());
`;

let database: TestDatabase;
let db: Db;
let teamId: string;
let folder: string;
let probeScript: string;
let hangMarker: string;
let http: Server;
let httpUrl: string;
let manager: McpManager;
const seenPids = new Set<number>();

const signal = () => new AbortController().signal;

async function statusOf(name: string) {
  const status = (await manager.status(teamId)).find((s) => s.name === name);
  if (status?.pid) seenPids.add(status.pid);
  return status;
}

async function register(name: string, data: { transport: "stdio" | "http"; command?: string; args?: string[]; url?: string; secrets?: Record<string, string> }) {
  const secrets = data.secrets ?? {};
  return db.mcpServer.create({
    data: {
      teamId,
      name,
      transport: data.transport,
      command: data.command ?? null,
      args: data.args ?? [],
      url: data.url ?? null,
      secretsCipher: sealSecrets(secrets),
      secretNames: Object.keys(secrets),
    },
  });
}

function startHttpServer(): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${HTTP_TOKEN}`) {
      res.writeHead(401, { "content-type": "text/plain" }).end(`unauthorized: ${req.headers.authorization ?? "no header"}`);
      return;
    }
    if (req.method !== "POST") {
      res.writeHead(405).end();
      return;
    }
    // Stateless: a fresh MCP server and transport per request.
    const mcp = new McpServer({ name: "remote", version: "1.0.0" });
    mcp.registerTool("whoami", { description: "Says who answered" }, async () => ({
      content: [{ type: "text", text: "the remote server" }],
      structuredContent: { answeredBy: "remote" },
    }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on("close", () => {
      void transport.close();
      void mcp.close();
    });
    void mcp.connect(transport).then(() => transport.handleRequest(req, res));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.prisma;
  teamId = (await db.team.create({ data: { slug: "mcp-team", name: "MCP" } })).id;
  folder = await mkdtemp(path.join(tmpdir(), "maestro-mcp-"));
  await writeFile(path.join(folder, "notes.txt"), "hello from the folder\n");
  probeScript = path.join(folder, "probe-server.mjs");
  hangMarker = path.join(folder, "hang-started");
  await writeFile(probeScript, PROBE_SERVER);
  http = await startHttpServer();
  httpUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;

  await register("fs", { transport: "stdio", command: process.execPath, args: [FILESYSTEM_SERVER, folder] });
  await register("probe", { transport: "stdio", command: process.execPath, args: [probeScript, hangMarker], secrets: { MY_SECRET } });
  manager = new McpManager({ db: async () => db, connectTimeoutMs: 15_000, callTimeoutMs: 60_000, reconnectWaitMs: 10_000 });
});

afterAll(async () => {
  await manager?.close();
  await new Promise((resolve) => http?.close(resolve));
  await database?.destroy();
  if (folder) await rm(folder, { recursive: true, force: true });
});

describe("McpManager over stdio", () => {
  it("lists the filesystem server's tools under the server's name and stores the listing", async () => {
    const tools = await manager.list(teamId);
    const names = tools.map((t) => t.name);
    expect(names).toContain("fs.read_text_file");
    expect(names).toContain("fs.list_directory");
    expect(names).toContain("probe.environment");
    const read = tools.find((t) => t.name === "fs.read_text_file")!;
    expect(read.description).toMatch(/contents of a file/i);
    expect(read.inputSchema).toMatchObject({ type: "object", properties: { path: { type: "string" } } });

    const row = await db.mcpServer.findUniqueOrThrow({ where: { teamId_name: { teamId, name: "fs" } } });
    expect(row.lastConnectedAt).not.toBeNull();
    expect(row.lastError).toBeNull();
    expect((row.tools as { name: string }[]).map((t) => t.name)).toContain("list_directory");

    const status = await statusOf("fs");
    expect(status).toMatchObject({ state: "connected", lastError: null });
    expect(status!.toolCount).toBe(tools.filter((t) => t.name.startsWith("fs.")).length);
    expect(status!.pid).toBeGreaterThan(0);
  });

  it("lists the folder and reads a file in it", async () => {
    const listing = await manager.call(teamId, "fs.list_directory", { path: folder }, signal());
    expect(listing.isError).toBe(false);
    expect(JSON.stringify(listing.content)).toContain("[FILE] notes.txt");

    const file = await manager.call(teamId, "fs.read_text_file", { path: path.join(folder, "notes.txt") }, signal());
    // The server gives structured content, which is preferred over its text.
    expect(file).toEqual({ content: { content: "hello from the folder\n" }, isError: false });
  });

  it("answers a path outside the allowed folder as a tool error", async () => {
    const outside = await manager.call(teamId, "fs.read_text_file", { path: "/etc/hostname" }, signal());
    expect(outside.isError).toBe(true);
    expect(String(outside.content)).toMatch(/Access denied|outside allowed/);
  });

  it("reports an unknown tool of a live server as a tool error", async () => {
    const unknown = await manager.call(teamId, "fs.no_such_tool", {}, signal());
    expect(unknown.isError).toBe(true);
    expect(String(unknown.content)).toContain("no_such_tool");
  });

  it("starts a killed server again on the next call", async () => {
    const before = (await statusOf("fs"))!.pid!;
    process.kill(before, "SIGKILL");
    await eventually(async () => (await statusOf("fs"))?.pid !== before, 10_000, "the manager to notice the dead server");

    const file = await manager.call(teamId, "fs.read_text_file", { path: path.join(folder, "notes.txt") }, signal());
    expect(file.isError).toBe(false);
    const after = (await statusOf("fs"))!;
    expect(after.state).toBe("connected");
    expect(after.pid).not.toBe(before);
    expect(isProcessAlive(before)).toBe(false);
  });

  it("fails a call in flight at once, as retryable, when its server dies; the next call reconnects", async () => {
    const inFlight = manager.call(teamId, "probe.hang", {}, signal());
    const pid = Number(await eventually(() => existsSync(hangMarker) && readFile(hangMarker, "utf8"), 10_000, "the hanging call to start"));
    seenPids.add(pid);
    process.kill(pid, "SIGKILL");

    const error = await stepFailure(inFlight);
    expect(error).toMatchObject({ retryable: true, code: "TOOL_UNAVAILABLE" });
    expect(error.message).toContain('"probe"');

    const again = await manager.call(teamId, "probe.environment", {}, signal());
    expect(again.isError).toBe(false);
    expect((await statusOf("probe"))!.pid).not.toBe(pid);
  });

  it("gives a stdio server its secrets as environment variables, and none of Maestro's", async () => {
    expect(process.env.MAESTRO_SECRET).toBeTruthy();
    const result = await manager.call(teamId, "probe.environment", {}, signal());
    expect(JSON.parse(String(result.content))).toEqual({ mySecret: MY_SECRET, maestroSecret: null });
    const row = await db.mcpServer.findUniqueOrThrow({ where: { teamId_name: { teamId, name: "probe" } } });
    expect(JSON.stringify(row)).not.toContain(MY_SECRET);
  });

  it("picks up tools the server adds while connected", async () => {
    expect((await manager.list(teamId)).map((t) => t.name)).not.toContain("probe.learned");
    await manager.call(teamId, "probe.learn", {}, signal());
    await eventually(async () => (await manager.list(teamId)).some((t) => t.name === "probe.learned"), 10_000, "the new tool to be listed");
    expect(await manager.call(teamId, "probe.learned", {}, signal())).toEqual({ content: "new", isError: false });
    await eventually(async () => {
      const row = await db.mcpServer.findUniqueOrThrow({ where: { teamId_name: { teamId, name: "probe" } } });
      return (row.tools as { name: string }[]).some((t) => t.name === "learned");
    }, 10_000, "the stored listing to include the new tool");
  });

  it("reports a server whose command does not exist as unavailable, with the reason", async () => {
    await register("ghost", { transport: "stdio", command: "no-such-mcp-server-command" });
    const quick = new McpManager({ db: async () => db, reconnectWaitMs: 700, backoff: { initialMs: 100 } });
    try {
      const error = await stepFailure(quick.call(teamId, "ghost.anything", {}, signal()));
      expect(error).toMatchObject({ retryable: true, code: "TOOL_UNAVAILABLE" });
      expect(error.message).toBe('The MCP server "ghost" is unavailable: the command "no-such-mcp-server-command" was not found.');
      expect((await quick.status(teamId)).find((s) => s.name === "ghost")).toMatchObject({ state: "error", pid: null });
      const row = await db.mcpServer.findUniqueOrThrow({ where: { teamId_name: { teamId, name: "ghost" } } });
      expect(row.lastError).toContain("was not found");
      // Listing does not fail because one server is down.
      expect((await quick.list(teamId)).map((t) => t.name)).toContain("fs.list_directory");
    } finally {
      await quick.close();
      await db.mcpServer.delete({ where: { teamId_name: { teamId, name: "ghost" } } });
    }
  });

  it("refuses a server that is not configured or is disabled", async () => {
    const missing = await stepFailure(manager.call(teamId, "nowhere.tool", {}, signal()));
    expect(missing).toMatchObject({ retryable: false, code: "TOOL_UNAVAILABLE" });
    expect(missing.message).toContain('no enabled MCP server named "nowhere"');

    await register("off", { transport: "stdio", command: process.execPath, args: [FILESYSTEM_SERVER, folder] });
    await db.mcpServer.update({ where: { teamId_name: { teamId, name: "off" } }, data: { enabled: false } });
    expect(await stepFailure(manager.call(teamId, "off.list_directory", { path: folder }, signal()))).toMatchObject({ retryable: false, code: "TOOL_UNAVAILABLE" });
    expect((await manager.list(teamId)).some((t) => t.name.startsWith("off."))).toBe(false);
    expect(await statusOf("off")).toMatchObject({ state: "disabled", pid: null });
  });

  it("forget closes the connection and stops its process; the next use starts a new one", async () => {
    await manager.call(teamId, "fs.list_directory", { path: folder }, signal());
    const pid = (await statusOf("fs"))!.pid!;
    await manager.forget(teamId, "fs");
    expect(isProcessAlive(pid)).toBe(false);
    expect(await statusOf("fs")).toMatchObject({ state: "disconnected", pid: null });
    await manager.call(teamId, "fs.list_directory", { path: folder }, signal());
    expect((await statusOf("fs"))!.pid).not.toBe(pid);
  });

  it("reconnects with the new configuration when the row changes", async () => {
    const before = (await statusOf("fs"))!.pid!;
    const other = await mkdtemp(path.join(tmpdir(), "maestro-mcp-other-"));
    try {
      await writeFile(path.join(other, "other.txt"), "other");
      await db.mcpServer.update({ where: { teamId_name: { teamId, name: "fs" } }, data: { args: [FILESYSTEM_SERVER, other] } });
      const listing = await manager.call(teamId, "fs.list_directory", { path: other }, signal());
      expect(JSON.stringify(listing.content)).toContain("other.txt");
      expect((await statusOf("fs"))!.pid).not.toBe(before);
      await eventually(() => !isProcessAlive(before), 10_000, "the old server process to stop");
    } finally {
      await db.mcpServer.update({ where: { teamId_name: { teamId, name: "fs" } }, data: { args: [FILESYSTEM_SERVER, folder] } });
      await rm(other, { recursive: true, force: true });
    }
  });
});

describe("McpManager over streamable HTTP", () => {
  it("reaches a server by URL with a header secret", async () => {
    await register("remote", { transport: "http", url: httpUrl, secrets: { Authorization: `Bearer ${HTTP_TOKEN}` } });
    expect((await manager.list(teamId)).map((t) => t.name)).toContain("remote.whoami");
    expect(await manager.call(teamId, "remote.whoami", {}, signal())).toEqual({ content: { answeredBy: "remote" }, isError: false });
    expect(await statusOf("remote")).toMatchObject({ state: "connected", pid: null, toolCount: 1 });
  });

  it("reports refused credentials without repeating them", async () => {
    const wrong = "Bearer not-a-real-wrong-token-0000";
    await register("locked", { transport: "http", url: httpUrl, secrets: { Authorization: wrong } });
    const quick = new McpManager({ db: async () => db, reconnectWaitMs: 300, backoff: { initialMs: 100 } });
    try {
      const error = await stepFailure(quick.call(teamId, "locked.whoami", {}, signal()));
      expect(error).toMatchObject({ retryable: true, code: "TOOL_UNAVAILABLE" });
      expect(error.message).toContain("HTTP 401");
      const row = await db.mcpServer.findUniqueOrThrow({ where: { teamId_name: { teamId, name: "locked" } } });
      expect(row.lastError).toContain("HTTP 401");
      expect(JSON.stringify(row)).not.toContain("not-a-real-wrong-token");
      expect(error.message).not.toContain("not-a-real-wrong-token");
    } finally {
      await quick.close();
    }
  });

  it("reports a URL where nothing answers", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await register("nothing", { transport: "http", url: `http://127.0.0.1:${port}/mcp` });
    const quick = new McpManager({ db: async () => db, reconnectWaitMs: 300, backoff: { initialMs: 100 } });
    try {
      const error = await stepFailure(quick.call(teamId, "nothing.tool", {}, signal()));
      expect(error.message).toMatch(/"nothing" is unavailable: .*ECONNREFUSED/);
    } finally {
      await quick.close();
    }
  });
});

describe("close", () => {
  it("stops every server process it started", async () => {
    await manager.list(teamId);
    for (const name of ["fs", "probe"]) await statusOf(name);
    expect(seenPids.size).toBeGreaterThanOrEqual(2);
    await manager.close();
    for (const pid of seenPids) expect(isProcessAlive(pid)).toBe(false);
    await expect(manager.call(teamId, "fs.list_directory", { path: folder }, signal())).rejects.toMatchObject({ retryable: true, code: "TOOL_UNAVAILABLE" });
  });
});

describe("results and backoff", () => {
  const parts = (content: unknown[], extra: Record<string, unknown> = {}) => toToolResult({ content, ...extra } as Parameters<typeof toToolResult>[0]);

  it("joins text parts, prefers structured content, keeps other parts and the error flag", () => {
    expect(parts([{ type: "text", text: "a" }, { type: "text", text: "b" }])).toEqual({ content: "a\nb", isError: false });
    expect(parts([{ type: "text", text: "{}" }], { structuredContent: { n: 1 } })).toEqual({ content: { n: 1 }, isError: false });
    expect(parts([{ type: "text", text: "bad path" }], { isError: true, structuredContent: { n: 1 } })).toEqual({ content: "bad path", isError: true });
    const mixed: ToolResult = parts([
      { type: "text", text: "see" },
      { type: "image", data: "aGk=", mimeType: "image/png" },
      { type: "resource", resource: { uri: "file:///a.txt", text: "A", mimeType: "text/plain" } },
    ]);
    expect(mixed.content).toEqual([
      { type: "text", text: "see" },
      { type: "image", mimeType: "image/png", data: "aGk=" },
      { type: "resource", uri: "file:///a.txt", text: "A", mimeType: "text/plain" },
    ]);
    expect(parts([])).toEqual({ content: "", isError: false });
  });

  it("doubles from 250 ms up to 30 s, jittered between half and all of it", () => {
    expect(backoffDelay(1, undefined, () => 1)).toBe(250);
    expect(backoffDelay(1, undefined, () => 0)).toBe(125);
    expect(backoffDelay(3, undefined, () => 1)).toBe(1000);
    expect(backoffDelay(20, undefined, () => 1)).toBe(30_000);
    expect(backoffDelay(20, undefined, () => 0)).toBe(15_000);
  });
});
