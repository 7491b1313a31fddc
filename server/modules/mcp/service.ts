// A team's MCP server registry: stdio commands and HTTP endpoints whose tools steps and
// agents call as "server.tool". Secrets (env vars or headers) are encrypted at rest and
// never leave in clear except toward their own server: DTOs and audit rows carry names.
// Every change closes this process's live connection, so the next call uses the new one.
import type { Db } from "../../db/client.ts";
import { isUniqueViolation } from "../../db/errors.ts";
import type { McpServer, Prisma } from "../../db/generated/client.ts";
import { DecryptionError } from "../../auth/encryption.ts";
import { ConflictError, NotFoundError, ValidationError } from "../../errors.ts";
import {
  asTransport,
  buildConnectionConfig,
  cachedTools,
  openSecrets,
  probeMcpServer,
  sealSecrets,
  type McpManager,
  type McpServerStatus,
  type McpServerTarget,
  type McpTool,
} from "../../engine/mcp/index.ts";
import {
  MAX_MCP_SECRETS,
  mcpConfigProblem,
  mcpSecretNameProblem,
  type McpServerCreateInput,
  type McpServerDto,
  type McpServerTargetInput,
  type McpServerTestInput,
  type McpServerToolsDto,
  type McpServerUpdateInput,
  type McpTestResultDto,
  type McpToolDto,
  type McpTransport,
} from "../../shared/mcp.ts";
import { recordAudit, type AuditActor } from "../audit/index.ts";

/** A connection test never waits longer than this. */
export const TEST_TIMEOUT_MS = 15_000;

/** What the registry needs of the process's MCP manager. */
export type McpConnections = Pick<McpManager, "forget" | "status" | "liveTools">;

// ---------------------------------------------------------------- shapes

/** How a server stands when this process holds no connection to it: what the row last recorded. */
function recordedStatus(row: McpServer): McpServerStatus {
  return {
    name: row.name,
    state: !row.enabled ? "disabled" : row.lastError ? "error" : "disconnected",
    lastError: row.lastError,
    toolCount: cachedTools(row).length,
    pid: null,
  };
}

function toServerDto(row: McpServer, status: McpServerStatus = recordedStatus(row)): McpServerDto {
  return {
    id: row.id,
    name: row.name,
    transport: asTransport(row.transport),
    command: row.command,
    args: row.args,
    url: row.url,
    secretNames: row.secretNames,
    enabled: row.enabled,
    status: status.state,
    toolCount: status.toolCount,
    lastError: status.lastError,
    lastConnectedAt: row.lastConnectedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function toToolDtos(server: string, tools: McpTool[]): McpToolDto[] {
  return tools.map((tool) => ({ name: tool.name, qualifiedName: `${server}.${tool.name}`, description: tool.description, inputSchema: tool.inputSchema }));
}

/** What the audit log keeps of a server: its configuration and the names of its secrets. */
function auditView(row: McpServer) {
  return { name: row.name, transport: row.transport, command: row.command, args: row.args, url: row.url, secretNames: row.secretNames, enabled: row.enabled };
}

// ---------------------------------------------------------------- rules

function duplicateName(name: string) {
  return new ConflictError(`This team already has an MCP server named "${name}". Names must be unique because tools are addressed as "${name}.tool".`);
}

async function findServer(db: Db, teamId: string, serverId: string): Promise<McpServer> {
  const row = await db.mcpServer.findFirst({ where: { id: serverId, teamId } });
  if (!row) throw new NotFoundError("That MCP server");
  return row;
}

async function assertNameFree(db: Db, teamId: string, name: string, exceptId?: string) {
  const clash = await db.mcpServer.findFirst({ where: { teamId, name, ...(exceptId ? { id: { not: exceptId } } : {}) }, select: { id: true } });
  if (clash) throw duplicateName(name);
}

function assertComplete(target: { transport: McpTransport; command: string | null; url: string | null }) {
  const problem = mcpConfigProblem(target);
  if (problem) throw new ValidationError(problem.message, { field: problem.field });
}

function assertSecretNames(transport: McpTransport, secrets: Record<string, unknown>) {
  const names = Object.keys(secrets);
  if (names.length > MAX_MCP_SECRETS) throw new ValidationError(`A server may have at most ${MAX_MCP_SECRETS} secrets.`, { field: "secrets" });
  for (const name of names) {
    const problem = mcpSecretNameProblem(transport, name);
    if (problem) throw new ValidationError(`Secret ${problem}.`, { fieldErrors: { secrets: [problem] } });
  }
}

/** The connection fields of a server after an edit: the transport decides which of command/args/url apply. */
function nextTarget(
  saved: McpServer | null,
  change: { transport?: McpTransport; command?: string | null; args?: string[]; url?: string | null },
  name: string,
): McpServerTarget & { transport: McpTransport } {
  const transport = change.transport ?? asTransport(saved!.transport);
  const pick = <T>(given: T | undefined, stored: T) => (given === undefined ? stored : given);
  return {
    name,
    transport,
    command: transport === "stdio" ? (pick(change.command, saved?.command ?? null) ?? null) : null,
    args: transport === "stdio" ? pick(change.args, saved?.args ?? []) : [],
    url: transport === "http" ? (pick(change.url, saved?.url ?? null) ?? null) : null,
  };
}

/**
 * Stored secrets only ever go to the server they were entered for: pointing a server at
 * another command, arguments, URL or transport needs every secret again (or its removal),
 * or anyone who may edit servers could send them somewhere they can read them.
 */
function assertSecretsStayWithTheirServer(saved: McpServer, next: McpServerTarget, given: Record<string, unknown> | undefined) {
  if (!saved.secretNames.length) return;
  const moved =
    next.transport !== saved.transport || next.command !== saved.command || next.url !== saved.url || JSON.stringify(next.args) !== JSON.stringify(saved.args);
  if (!moved) return;
  const missing = saved.secretNames.filter((name) => !(given && name in given));
  if (!missing.length) return;
  const message = `Enter the secrets again (${missing.join(", ")}) when changing the command, arguments, URL or transport, so stored secrets are never sent to a different server.`;
  throw new ValidationError(message, { fieldErrors: { secrets: [message] } });
}

/** The stored secrets with the given changes applied (a value sets, null removes). */
function mergeSecrets(saved: McpServer | null, changes: Record<string, string | null> | undefined): Record<string, string> {
  const everyStoredNameGiven = !saved || saved.secretNames.every((name) => changes && name in changes);
  let secrets: Record<string, string> = {};
  if (saved?.secretsCipher && !everyStoredNameGiven) {
    try {
      secrets = openSecrets(saved.secretsCipher);
    } catch (error) {
      if (!(error instanceof DecryptionError)) throw error;
      throw new ValidationError(`The stored secrets cannot be decrypted (${error.message}) Enter all of them again: ${saved.secretNames.join(", ")}.`, {
        field: "secrets",
      });
    }
  }
  for (const [name, value] of Object.entries(changes ?? {})) {
    if (value === null) delete secrets[name];
    else secrets[name] = value;
  }
  return secrets;
}

function sealed(secrets: Record<string, string>) {
  return { secretsCipher: sealSecrets(secrets), secretNames: Object.keys(secrets).sort() };
}

// ---------------------------------------------------------------- servers

/** The team's servers with how each stands from this process. */
export async function listMcpServers(db: Db, connections: McpConnections, teamId: string): Promise<McpServerDto[]> {
  const [rows, statuses] = await Promise.all([db.mcpServer.findMany({ where: { teamId }, orderBy: { name: "asc" } }), connections.status(teamId)]);
  const byName = new Map(statuses.map((status) => [status.name, status]));
  return rows.map((row) => toServerDto(row, byName.get(row.name)));
}

export async function createMcpServer(db: Db, connections: McpConnections, actor: AuditActor, input: McpServerCreateInput): Promise<McpServerDto> {
  const target = nextTarget(null, input, input.name);
  assertComplete(target);
  assertSecretNames(target.transport, input.secrets);
  await assertNameFree(db, input.teamId, input.name);
  let row: McpServer;
  try {
    row = await db.mcpServer.create({
      data: { teamId: input.teamId, name: target.name, transport: target.transport, command: target.command, args: target.args, url: target.url, ...sealed(input.secrets), enabled: input.enabled },
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateName(input.name);
    throw error;
  }
  await recordAudit(db, actor, { action: "mcp.create", teamId: input.teamId, targetType: "mcp_server", targetId: row.id, after: auditView(row) });
  await connections.forget(input.teamId, row.name);
  return toServerDto(row);
}

export async function updateMcpServer(db: Db, connections: McpConnections, actor: AuditActor, input: McpServerUpdateInput): Promise<McpServerDto> {
  const before = await findServer(db, input.teamId, input.serverId);
  const name = input.name ?? before.name;
  if (name !== before.name) await assertNameFree(db, input.teamId, name, before.id);
  const target = nextTarget(before, input, name);
  assertComplete(target);
  assertSecretsStayWithTheirServer(before, target, input.secrets);
  const secretsChange = input.secrets && Object.keys(input.secrets).length ? input.secrets : undefined;
  const secrets = secretsChange ? mergeSecrets(before, secretsChange) : null;
  if (secrets) assertSecretNames(target.transport, secrets);

  const connectionChanged = JSON.stringify([target.transport, target.command, target.args, target.url]) !== JSON.stringify([before.transport, before.command, before.args, before.url]);
  let after: McpServer;
  try {
    after = await db.mcpServer.update({
      where: { id: before.id },
      data: {
        name,
        transport: target.transport,
        command: target.command,
        args: target.args,
        url: target.url,
        ...(secrets ? sealed(secrets) : {}),
        enabled: input.enabled,
        // An error of the old configuration says nothing about the new one.
        ...(connectionChanged || secrets ? { lastError: null } : {}),
      },
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateName(name);
    throw error;
  }
  const secretsChanged = {
    set: Object.entries(secretsChange ?? {}).filter(([, value]) => value !== null).map(([key]) => key),
    removed: Object.entries(secretsChange ?? {}).filter(([, value]) => value === null).map(([key]) => key),
  };
  await recordAudit(db, actor, {
    action: "mcp.update",
    teamId: input.teamId,
    targetType: "mcp_server",
    targetId: before.id,
    before: auditView(before),
    after: { ...auditView(after), secretsChanged },
  });
  await connections.forget(input.teamId, before.name);
  if (after.name !== before.name) await connections.forget(input.teamId, after.name);
  return toServerDto(after);
}

export async function removeMcpServer(db: Db, connections: McpConnections, actor: AuditActor, input: McpServerTargetInput): Promise<McpServerDto> {
  const row = await findServer(db, input.teamId, input.serverId);
  await db.mcpServer.delete({ where: { id: row.id } });
  await recordAudit(db, actor, { action: "mcp.remove", teamId: input.teamId, targetType: "mcp_server", targetId: row.id, before: auditView(row) });
  await connections.forget(input.teamId, row.name);
  return toServerDto(row);
}

/** The server's tools: from this process's live connection, else the listing stored when it last connected. */
export async function getMcpServerTools(db: Db, connections: McpConnections, input: McpServerTargetInput): Promise<McpServerToolsDto> {
  const row = await findServer(db, input.teamId, input.serverId);
  const live = connections.liveTools(input.teamId, row.name);
  return {
    serverId: row.id,
    server: row.name,
    source: live ? "live" : "cached",
    tools: toToolDtos(row.name, live ?? cachedTools(row)),
    lastConnectedAt: row.lastConnectedAt?.toISOString() ?? null,
  };
}

/**
 * Connects once and lists the tools: a saved server, a draft (the Add form, before saving)
 * or a saved server with some fields replaced by a draft. Failures come back as ok:false
 * with the reason; only a saved server tested as saved records the outcome on its row.
 */
export async function testMcpServer(db: Db, actor: AuditActor, input: McpServerTestInput): Promise<McpTestResultDto> {
  const saved = input.serverId ? await findServer(db, input.teamId, input.serverId) : null;
  const draft = input.draft;
  const name = saved?.name ?? "draft";
  const target = nextTarget(saved, draft ?? {}, name);
  assertComplete(target);
  if (saved && draft) assertSecretsStayWithTheirServer(saved, target, draft.secrets);
  const secrets = mergeSecrets(saved, draft?.secrets);
  assertSecretNames(target.transport, secrets);

  const result = await probeMcpServer(buildConnectionConfig(target, secrets), { timeoutMs: TEST_TIMEOUT_MS });
  const recorded = saved !== null && !draft;
  if (recorded) {
    await db.mcpServer.update({
      where: { id: saved.id },
      data: result.ok
        ? { tools: JSON.parse(JSON.stringify(result.tools)) as Prisma.InputJsonValue, lastConnectedAt: new Date(), lastError: null }
        : { lastError: result.error?.slice(0, 1000) ?? null },
    });
  }
  await recordAudit(db, actor, {
    action: "mcp.test",
    teamId: input.teamId,
    targetType: "mcp_server",
    targetId: saved?.id,
    after: { transport: target.transport, command: target.command, args: target.args, url: target.url, draft: !!draft, ok: result.ok, error: result.error, toolCount: result.tools.length },
  });
  return { ok: result.ok, tools: toToolDtos(name, result.tools), latencyMs: result.latencyMs, error: result.error };
}
