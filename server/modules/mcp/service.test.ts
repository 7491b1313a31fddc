// The MCP server registry through the API, per role, against a real database and the
// filesystem MCP server from npm.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { apiOutcome } from "../../test/api-outcome.ts";
import { withFixtures } from "../../test/fixtures.ts";
import { mcpManager, openSecrets, stopMcpManager } from "../../engine/mcp/index.ts";
import { isProcessAlive } from "../../engine/testing/node-process.ts";

const f = withFixtures();
const FILESYSTEM_SERVER = createRequire(import.meta.url).resolve("@modelcontextprotocol/server-filesystem/dist/index.js");
const FS_SECRET = "not-a-real-fs-secret-9999";
const HEADER_SECRET = "Bearer not-a-real-header-secret-7777";

let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), "maestro-mcp-registry-"));
  await writeFile(path.join(folder, "readme.md"), "# Registry\n");
});
afterAll(async () => {
  await stopMcpManager();
  if (folder) await rm(folder, { recursive: true, force: true });
});

async function everythingStoredAbout(serverId: string): Promise<string> {
  const row = await f.db.mcpServer.findUnique({ where: { id: serverId } });
  const audit = await f.db.auditLog.findMany({ where: { targetId: serverId } });
  return JSON.stringify({ row, audit });
}

const fsServer = (name: string, extra: Record<string, unknown> = {}) => ({
  teamId: f.team.id,
  name,
  transport: "stdio" as const,
  command: process.execPath,
  args: [FILESYSTEM_SERVER, folder],
  ...extra,
});

describe("mcp servers", () => {
  it("creates a server whose secrets never come back out", async () => {
    const admin = await f.caller("admin");
    const created = await admin.mcp.create(fsServer("files", { secrets: { FS_TOKEN: FS_SECRET } }));
    expect(created).toMatchObject({
      name: "files",
      transport: "stdio",
      command: process.execPath,
      args: [FILESYSTEM_SERVER, folder],
      url: null,
      secretNames: ["FS_TOKEN"],
      enabled: true,
      status: "disconnected",
      toolCount: 0,
      lastError: null,
    });
    expect(JSON.stringify(created)).not.toContain(FS_SECRET);

    const row = await f.db.mcpServer.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.secretsCipher).toMatch(/^v1:/);
    expect(openSecrets(row.secretsCipher)).toEqual({ FS_TOKEN: FS_SECRET });
    expect(await everythingStoredAbout(created.id)).not.toContain(FS_SECRET);

    const audit = await f.db.auditLog.findFirstOrThrow({ where: { action: "mcp.create", targetId: created.id } });
    expect(audit).toMatchObject({ teamId: f.team.id, actorUserId: f.users.admin.id, after: { name: "files", transport: "stdio", secretNames: ["FS_TOKEN"] } });

    const listed = await (await f.caller("viewer")).mcp.list({ teamId: f.team.id });
    expect(listed.map((s) => s.name)).toContain("files");
    expect(JSON.stringify(listed)).not.toContain(FS_SECRET);
  });

  it("stores an HTTP server with only what applies to HTTP", async () => {
    const admin = await f.caller("admin");
    const created = await admin.mcp.create({
      teamId: f.team.id,
      name: "remote",
      transport: "http",
      url: "https://mcp.example.test/mcp",
      command: "ignored",
      args: ["ignored"],
      secrets: { Authorization: HEADER_SECRET },
      enabled: false,
    });
    expect(created).toMatchObject({ transport: "http", url: "https://mcp.example.test/mcp", command: null, args: [], secretNames: ["Authorization"], status: "disabled" });
    expect(await everythingStoredAbout(created.id)).not.toContain(HEADER_SECRET);
  });

  it("validates with messages that say what to fix", async () => {
    const admin = await f.caller("admin");
    const base = { teamId: f.team.id, name: "bad" };

    const noCommand = await apiOutcome(admin.mcp.create({ ...base, transport: "stdio" }));
    expect(noCommand).toMatchObject({ code: "BAD_REQUEST" });
    expect(noCommand.message).toContain("command: A stdio server needs a command");

    const noUrl = await apiOutcome(admin.mcp.create({ ...base, transport: "http" }));
    expect(noUrl.message).toContain("url: An HTTP server needs its URL");

    const ftp = await apiOutcome(admin.mcp.create({ ...base, transport: "http", url: "ftp://files.example.test" }));
    expect(ftp.message).toContain("url: must be an http:// or https:// URL");

    const dotted = await apiOutcome(admin.mcp.create({ ...base, name: "my.server", transport: "stdio", command: "npx" }));
    expect(dotted.message).toContain('tools are addressed as "name.tool"');

    const inline = await apiOutcome(admin.mcp.create({ ...base, transport: "stdio", command: "npx -y @modelcontextprotocol/server-filesystem" }));
    expect(inline.message).toContain("put its arguments in args");

    const envName = await apiOutcome(admin.mcp.create({ ...base, transport: "stdio", command: "npx", secrets: { "API-KEY": "x" } }));
    expect(envName.message).toContain('secrets.API-KEY: "API-KEY" is not an environment variable name');

    const empty = await apiOutcome(admin.mcp.create({ ...base, transport: "stdio", command: "npx", secrets: { API_KEY: "" } }));
    expect(empty.message).toContain("secrets.API_KEY: is empty");

    const header = await apiOutcome(admin.mcp.create({ ...base, transport: "http", url: "https://x.test/mcp", secrets: { "Bad Header": "x" } }));
    expect(header.message).toContain("is not an HTTP header name");

    expect(await f.db.mcpServer.count({ where: { name: "bad" } })).toBe(0);
  });

  it("refuses a duplicate name within the team, but not in another team", async () => {
    const admin = await f.caller("admin");
    const dup = await apiOutcome(admin.mcp.create(fsServer("files")));
    expect(dup.code).toBe("CONFLICT");
    expect(dup.message).toContain('already has an MCP server named "files"');

    const other = await admin.mcp.create(fsServer("other-files"));
    expect(await apiOutcome(admin.mcp.update({ teamId: f.team.id, serverId: other.id, name: "files" }))).toMatchObject({ code: "CONFLICT" });

    const globex = await f.caller("outsider");
    await expect(globex.mcp.create({ ...fsServer("files"), teamId: f.otherTeam.id })).resolves.toMatchObject({ name: "files" });
  });

  it("keeps omitted secrets on update, replaces given ones and removes nulls", async () => {
    const admin = await f.caller("admin");
    const created = await admin.mcp.create(fsServer("keeper", { secrets: { ONE: "not-a-real-one-1111", TWO: "not-a-real-two-2222" } }));
    const cipher = (await f.db.mcpServer.findUniqueOrThrow({ where: { id: created.id } })).secretsCipher;

    const toggled = await admin.mcp.update({ teamId: f.team.id, serverId: created.id, enabled: false });
    expect(toggled).toMatchObject({ enabled: false, status: "disabled", secretNames: ["ONE", "TWO"] });
    expect((await f.db.mcpServer.findUniqueOrThrow({ where: { id: created.id } })).secretsCipher).toBe(cipher);

    const changed = await admin.mcp.update({ teamId: f.team.id, serverId: created.id, enabled: true, secrets: { TWO: "not-a-real-two-3333", ONE: null, THREE: "not-a-real-three-4444" } });
    expect(changed.secretNames).toEqual(["THREE", "TWO"]);
    const row = await f.db.mcpServer.findUniqueOrThrow({ where: { id: created.id } });
    expect(openSecrets(row.secretsCipher)).toEqual({ TWO: "not-a-real-two-3333", THREE: "not-a-real-three-4444" });

    const badName = await apiOutcome(admin.mcp.update({ teamId: f.team.id, serverId: created.id, secrets: { "NOT-ENV": "x" } }));
    expect(badName).toMatchObject({ code: "BAD_REQUEST" });
    expect(badName.message).toContain("not an environment variable name");

    const audit = await f.db.auditLog.findMany({ where: { action: "mcp.update", targetId: created.id }, orderBy: { createdAt: "asc" } });
    expect(audit).toHaveLength(2);
    expect(audit[1]).toMatchObject({ after: { secretNames: ["THREE", "TWO"], secretsChanged: { set: ["TWO", "THREE"], removed: ["ONE"] } } });
    const stored = await everythingStoredAbout(created.id);
    for (const secret of ["not-a-real-one-1111", "not-a-real-two-2222", "not-a-real-two-3333", "not-a-real-three-4444"]) expect(stored).not.toContain(secret);
  });

  it("needs the secrets again before pointing a server somewhere else", async () => {
    const admin = await f.caller("admin");
    const created = await admin.mcp.create({ teamId: f.team.id, name: "pointed", transport: "http", url: "https://one.example.test/mcp", secrets: { Authorization: HEADER_SECRET } });

    const moved = await apiOutcome(admin.mcp.update({ teamId: f.team.id, serverId: created.id, url: "https://elsewhere.example.test/mcp" }));
    expect(moved).toMatchObject({ code: "BAD_REQUEST" });
    expect(moved.message).toContain("Enter the secrets again (Authorization)");
    const probe = await apiOutcome(admin.mcp.test({ teamId: f.team.id, serverId: created.id, draft: { transport: "http", url: "https://elsewhere.example.test/mcp" } }));
    expect(probe.message).toContain("Enter the secrets again");
    const toStdio = await apiOutcome(admin.mcp.update({ teamId: f.team.id, serverId: created.id, transport: "stdio", command: "npx" }));
    expect(toStdio.message).toContain("Enter the secrets again");

    const again = await admin.mcp.update({ teamId: f.team.id, serverId: created.id, url: "https://elsewhere.example.test/mcp", secrets: { Authorization: "Bearer not-a-real-new-secret" } });
    expect(again).toMatchObject({ url: "https://elsewhere.example.test/mcp", secretNames: ["Authorization"] });
    const dropped = await admin.mcp.update({ teamId: f.team.id, serverId: created.id, url: "https://third.example.test/mcp", secrets: { Authorization: null } });
    expect(dropped).toMatchObject({ url: "https://third.example.test/mcp", secretNames: [] });
    expect((await f.db.mcpServer.findUniqueOrThrow({ where: { id: created.id } })).secretsCipher).toBeNull();

    const noUrl = await apiOutcome(admin.mcp.update({ teamId: f.team.id, serverId: created.id, url: null }));
    expect(noUrl.message).toContain("An HTTP server needs its URL");
  });

  it("removes a server and audits it", async () => {
    const admin = await f.caller("admin");
    const created = await admin.mcp.create(fsServer("doomed"));
    await admin.mcp.remove({ teamId: f.team.id, serverId: created.id });
    expect(await f.db.mcpServer.findUnique({ where: { id: created.id } })).toBeNull();
    const audit = await f.db.auditLog.findFirstOrThrow({ where: { action: "mcp.remove", targetId: created.id } });
    expect(audit.before).toMatchObject({ name: "doomed", transport: "stdio" });
    expect(await apiOutcome(admin.mcp.remove({ teamId: f.team.id, serverId: created.id }))).toMatchObject({ code: "NOT_FOUND" });
  });

  it("lets members read but only admins change or test", async () => {
    const [files] = (await f.db.mcpServer.findMany({ where: { teamId: f.team.id, name: "files" } }));
    for (const persona of ["viewer", "operator"] as const) {
      const caller = await f.caller(persona);
      expect((await caller.mcp.list({ teamId: f.team.id })).length).toBeGreaterThan(0);
      expect(await caller.mcp.tools({ teamId: f.team.id, serverId: files!.id })).toMatchObject({ server: "files" });
      expect(await apiOutcome(caller.mcp.create(fsServer(`by-${persona}`)))).toMatchObject({ code: "FORBIDDEN" });
      expect(await apiOutcome(caller.mcp.update({ teamId: f.team.id, serverId: files!.id, enabled: false }))).toMatchObject({ code: "FORBIDDEN" });
      expect(await apiOutcome(caller.mcp.remove({ teamId: f.team.id, serverId: files!.id }))).toMatchObject({ code: "FORBIDDEN" });
      expect(await apiOutcome(caller.mcp.test({ teamId: f.team.id, serverId: files!.id }))).toMatchObject({ code: "FORBIDDEN" });
    }
  });

  it("does not let another team see or change a team's servers", async () => {
    const [files] = await f.db.mcpServer.findMany({ where: { teamId: f.team.id, name: "files" } });
    const globex = await f.caller("outsider");
    expect(await apiOutcome(globex.mcp.list({ teamId: f.team.id }))).toMatchObject({ code: "NOT_FOUND" });
    expect((await globex.mcp.list({ teamId: f.otherTeam.id })).map((s) => s.id)).not.toContain(files!.id);
    // One at a time: a call started before its rejection is awaited would be an unhandled rejection.
    for (const call of [
      () => globex.mcp.tools({ teamId: f.otherTeam.id, serverId: files!.id }),
      () => globex.mcp.update({ teamId: f.otherTeam.id, serverId: files!.id, enabled: false }),
      () => globex.mcp.remove({ teamId: f.otherTeam.id, serverId: files!.id }),
      () => globex.mcp.test({ teamId: f.otherTeam.id, serverId: files!.id }),
    ]) {
      expect(await apiOutcome(call())).toMatchObject({ code: "NOT_FOUND" });
    }
    expect(await f.db.mcpServer.findUniqueOrThrow({ where: { id: files!.id } })).toMatchObject({ enabled: true });
  });
});

describe("testing and tools", () => {
  it("tests a saved server: connects, lists its tools and records them", async () => {
    const admin = await f.caller("admin");
    const [files] = await f.db.mcpServer.findMany({ where: { teamId: f.team.id, name: "files" } });
    const result = await admin.mcp.test({ teamId: f.team.id, serverId: files!.id });
    expect(result).toMatchObject({ ok: true, error: null });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    const read = result.tools.find((t) => t.name === "read_text_file");
    expect(read).toMatchObject({ qualifiedName: "files.read_text_file", inputSchema: { type: "object" } });
    expect(read!.description).toMatch(/file/);

    const row = await f.db.mcpServer.findUniqueOrThrow({ where: { id: files!.id } });
    expect(row.lastConnectedAt).not.toBeNull();
    const tools = await (await f.caller("viewer")).mcp.tools({ teamId: f.team.id, serverId: files!.id });
    expect(tools.source).toBe("cached");
    expect(tools.tools.map((t) => t.qualifiedName)).toContain("files.list_directory");
    const audit = await f.db.auditLog.findFirstOrThrow({ where: { action: "mcp.test", targetId: files!.id } });
    expect(audit.after).toMatchObject({ ok: true, draft: false });
    expect(JSON.stringify(audit)).not.toContain(FS_SECRET);
  });

  it("tests a draft before saving, and reports a command that does not exist", async () => {
    const admin = await f.caller("admin");
    const draft = await admin.mcp.test({ teamId: f.team.id, draft: { transport: "stdio", command: process.execPath, args: [FILESYSTEM_SERVER, folder] } });
    expect(draft.ok).toBe(true);
    expect(draft.tools.map((t) => t.name)).toContain("list_allowed_directories");

    const missing = await admin.mcp.test({ teamId: f.team.id, draft: { transport: "stdio", command: "no-such-mcp-server-command" } });
    expect(missing).toMatchObject({ ok: false, tools: [], error: 'the command "no-such-mcp-server-command" was not found' });

    const incomplete = await apiOutcome(admin.mcp.test({ teamId: f.team.id, draft: { transport: "http" } }));
    expect(incomplete).toMatchObject({ code: "BAD_REQUEST" });
    expect(incomplete.message).toContain("needs its URL");
  });

  it("shows live connections in the list and closes them when the server changes", async () => {
    const admin = await f.caller("admin");
    const [files] = await f.db.mcpServer.findMany({ where: { teamId: f.team.id, name: "files" } });
    const listing = await mcpManager().call(f.team.id, "files.list_directory", { path: folder }, new AbortController().signal);
    expect(JSON.stringify(listing.content)).toContain("readme.md");

    const listed = (await admin.mcp.list({ teamId: f.team.id })).find((s) => s.id === files!.id)!;
    expect(listed).toMatchObject({ status: "connected", lastError: null });
    expect(listed.toolCount).toBeGreaterThan(5);
    expect((await admin.mcp.tools({ teamId: f.team.id, serverId: files!.id })).source).toBe("live");
    const pid = (await mcpManager().status(f.team.id)).find((s) => s.name === "files")!.pid!;
    expect(isProcessAlive(pid)).toBe(true);

    await admin.mcp.update({ teamId: f.team.id, serverId: files!.id, args: [FILESYSTEM_SERVER, folder, folder], secrets: { FS_TOKEN: FS_SECRET } });
    expect(isProcessAlive(pid)).toBe(false);
    expect((await admin.mcp.list({ teamId: f.team.id })).find((s) => s.id === files!.id)).toMatchObject({ status: "disconnected" });
    expect((await admin.mcp.tools({ teamId: f.team.id, serverId: files!.id })).source).toBe("cached");
  });
});
