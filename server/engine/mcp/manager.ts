// The team's MCP tools for steps and agents: one live connection per (team, server),
// opened on first use and reused; its tool listing is cached (and stored on the row for
// the UI and other nodes). A server that dies is reconnected with jittered exponential
// backoff, in the background and on the next call; a call waits for that only so long,
// then fails as retryable so the step's retry policy takes over.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport, getDefaultEnvironment } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport, StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import type { Db } from "../../db/client.ts";
import type { McpServer, Prisma } from "../../db/generated/client.ts";
import { logger } from "../../logger.ts";
import type { McpConnectionState } from "../../shared/mcp.ts";
import { appVersion } from "../../version.ts";
import { splitToolName, type McpToolSource } from "../tools/invoker.ts";
import { StepError, type ToolDescriptor, type ToolResult } from "../types.ts";
import { configFingerprint, connectionConfigFor, scrubSecrets, secretValues, type McpConnectionConfig } from "./config.ts";

/** A tool as its server names it (unqualified). */
export interface McpTool {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

export interface McpManagerOptions {
  db: () => Promise<Db>;
  /** Starting a server and listing its tools. */
  connectTimeoutMs?: number;
  /** One tool call. */
  callTimeoutMs?: number;
  /** How long a call waits for a server that is down to come back before it fails as retryable. */
  reconnectWaitMs?: number;
  backoff?: Partial<BackoffPolicy>;
}

export interface McpServerStatus {
  name: string;
  state: McpConnectionState;
  lastError: string | null;
  toolCount: number;
  /** The stdio server's process id while connected from this process. */
  pid: number | null;
}

const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 250, maxMs: 30_000 };
/** Background reconnects after a loss; after that the server is retried only when used. */
const BACKGROUND_ATTEMPTS = 5;
/** A connection that stayed up this long starts its backoff afresh when it drops. */
const STABLE_AFTER_MS = 60_000;
const STDERR_TAIL_CHARS = 2000;
const MAX_TOOLS = 1000;

/** The delay before the n-th attempt (1-based): doubling from initialMs up to maxMs, jittered to 50-100% so servers do not retry in lockstep. */
export function backoffDelay(failures: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, failures - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

// ---------------------------------------------------------------- results

type CallToolAnswer = Awaited<ReturnType<Client["callTool"]>>;
type ContentPart = Extract<CallToolAnswer, { content: unknown }>["content"][number];

function toPart(part: ContentPart): unknown {
  switch (part.type) {
    case "text":
      return { type: "text", text: part.text };
    case "image":
    case "audio":
      return { type: part.type, mimeType: part.mimeType, data: part.data };
    case "resource":
      return { type: "resource", ...part.resource };
    case "resource_link":
      return { type: "resource_link", uri: part.uri, name: part.name, mimeType: part.mimeType ?? null };
    default:
      return part;
  }
}

/** An MCP tool answer as a ToolResult: structured content when given, else the text parts joined, else the parts themselves. */
export function toToolResult(answer: CallToolAnswer): ToolResult {
  if (!("content" in answer) && "toolResult" in answer) return { content: answer.toolResult, isError: false };
  const isError = answer.isError === true;
  if (!isError && answer.structuredContent !== undefined && answer.structuredContent !== null) return { content: answer.structuredContent, isError };
  const parts = Array.isArray(answer.content) ? answer.content : [];
  if (parts.every((part) => part.type === "text")) return { content: parts.map((part) => part.text).join("\n"), isError };
  return { content: parts.map(toPart), isError };
}

// ---------------------------------------------------------------- one live connection

interface LiveConnection {
  readonly client: Client;
  readonly pid: number | null;
  readonly connectedAt: number;
  tools: McpTool[];
  /** Removes this server's secret values from a message (servers may echo them). */
  scrub(text: string): string;
  /** Closes on purpose: the loss handler is not called. */
  close(): Promise<void>;
}

interface OpenOptions {
  timeoutMs: number;
  /** The connection dropped by itself (process died, stream closed). */
  onLost?: (reason: string) => void;
  onToolsChanged?: (tools: McpTool[]) => void;
}

async function listAllTools(client: Client, timeoutMs: number): Promise<McpTool[]> {
  const tools: McpTool[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor ? { cursor } : undefined, { timeout: timeoutMs });
    for (const tool of page.tools) tools.push({ name: tool.name, description: tool.description ?? "", inputSchema: tool.inputSchema as Record<string, unknown> });
    cursor = page.nextCursor;
  } while (cursor && tools.length < MAX_TOOLS);
  return tools;
}

function lastLines(text: string): string {
  return text.trim().split("\n").slice(-3).join(" | ").slice(-300);
}

/** Why a connection or call failed, in words an operator can act on. */
function describeFailure(error: unknown, config: McpConnectionConfig, stderr: string, timeoutMs: number): string {
  const code = (error as { code?: unknown }).code;
  const stdio = config.transport === "stdio";
  if (stdio && code === "ENOENT") return `the command "${config.command}" was not found`;
  if (stdio && code === "EACCES") return `the command "${config.command}" may not be run (permission denied)`;
  if (error instanceof McpError && error.code === ErrorCode.ConnectionClosed) {
    const said = stderr.trim() ? `; its last output: ${lastLines(stderr)}` : "";
    return `${stdio ? "the server process exited" : "the server closed the connection"} before it answered${said}`;
  }
  if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) return `no answer within ${timeoutMs / 1000} s`;
  if (error instanceof UnauthorizedError) return "the server asks for authorization (HTTP 401): add the header it expects as a secret";
  if (error instanceof StreamableHTTPError) {
    if (error.code === 401 || error.code === 403) return `the server refused the credentials (HTTP ${error.code})`;
    return error.code && error.code > 0 ? `HTTP ${error.code}: ${error.message}` : error.message;
  }
  const cause = (error as { cause?: { code?: unknown } }).cause;
  if (!stdio && typeof cause?.code === "string") return `nothing answers at ${config.url} (${cause.code})`;
  return error instanceof Error ? error.message : String(error);
}

/** Starts (stdio) or reaches (http) a server, initializes the session and lists its tools. */
async function openConnection(config: McpConnectionConfig, options: OpenOptions): Promise<LiveConnection> {
  let stderr = "";
  let established = false;
  let closing = false;
  let live: LiveConnection | undefined;
  const secrets = secretValues(config);
  const scrub = (text: string) => scrubSecrets(text, secrets);

  const refreshTools = async () => {
    if (!live || closing) return;
    try {
      live.tools = await listAllTools(client, options.timeoutMs);
      options.onToolsChanged?.(live.tools);
    } catch (error) {
      logger.debug("mcp.tools_refresh_failed", { server: config.name, error: error instanceof Error ? error.message : String(error) });
    }
  };
  const client = new Client(
    { name: "maestro", version: appVersion() },
    { listChanged: { tools: { autoRefresh: false, debounceMs: 100, onChanged: () => void refreshTools() } } },
  );
  const transport =
    config.transport === "stdio"
      ? // The SDK adds only its short safe list (HOME, LOGNAME, PATH, SHELL, TERM, USER); Maestro's own environment never reaches a tool server.
        new StdioClientTransport({ command: config.command, args: config.args, env: { ...getDefaultEnvironment(), ...config.env }, stderr: "pipe" })
      : new StreamableHTTPClientTransport(new URL(config.url), { requestInit: { headers: config.headers } });
  if (transport instanceof StdioClientTransport) {
    transport.stderr?.on("data", (chunk: Buffer | string) => {
      stderr = (stderr + chunk.toString()).slice(-STDERR_TAIL_CHARS);
    });
  }
  client.onclose = () => {
    if (!established || closing) return;
    closing = true;
    const said = stderr.trim() ? `; its last output: ${lastLines(stderr)}` : "";
    options.onLost?.(scrub(`${config.transport === "stdio" ? "the server process exited" : "the connection closed"}${said}`));
  };
  client.onerror = (error) => logger.debug("mcp.transport_error", { server: config.name, error: scrub(error.message) });

  const close = async () => {
    closing = true;
    await client.close().catch(() => undefined);
  };
  try {
    await client.connect(transport, { timeout: options.timeoutMs });
    const tools = await listAllTools(client, options.timeoutMs);
    live = { client, pid: transport instanceof StdioClientTransport ? transport.pid : null, connectedAt: Date.now(), tools, scrub, close };
    established = true;
    return live;
  } catch (error) {
    await close();
    throw new Error(scrub(describeFailure(error, config, stderr, options.timeoutMs)), { cause: error });
  }
}

/** Connects once with a configuration (saved or draft), lists its tools and disconnects: the "Test" button. */
export async function probeMcpServer(
  config: McpConnectionConfig,
  options: { timeoutMs: number },
): Promise<{ ok: boolean; tools: McpTool[]; latencyMs: number; error: string | null }> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  try {
    const live = await openConnection(config, { timeoutMs: options.timeoutMs });
    const latencyMs = latency();
    await live.close();
    return { ok: true, tools: live.tools, latencyMs, error: null };
  } catch (error) {
    return { ok: false, tools: [], latencyMs: latency(), error: error instanceof Error ? error.message : String(error) };
  }
}

// ---------------------------------------------------------------- the manager

interface ServerConnection {
  readonly key: string;
  readonly teamId: string;
  readonly name: string;
  readonly rowId: string;
  readonly fingerprint: string;
  live?: LiveConnection;
  connecting?: Promise<LiveConnection>;
  /** idle: never tried; error: the last attempt failed; disconnected: it dropped and is being reconnected. */
  state: "idle" | "connected" | "disconnected" | "error";
  /** The last listing this process saw. */
  tools: McpTool[];
  lastError: string | null;
  failures: number;
  nextAttemptAt: number;
  retryTimer?: NodeJS.Timeout;
  backgroundLeft: number;
  retired: boolean;
}

/** The tools stored on the row by the last successful connection (any node). */
export function cachedTools(row: Pick<McpServer, "tools">): McpTool[] {
  if (!Array.isArray(row.tools)) return [];
  return row.tools.flatMap((entry) => {
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) return [];
    const tool = entry as Record<string, unknown>;
    if (typeof tool.name !== "string") return [];
    const schema = tool.inputSchema;
    return [{ name: tool.name, description: typeof tool.description === "string" ? tool.description : "", inputSchema: typeof schema === "object" && schema !== null && !Array.isArray(schema) ? (schema as Record<string, unknown>) : { type: "object" } }];
  });
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, Math.max(0, ms));
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });

const sentence = (text: string) => text.replace(/[.\s]+$/, "");

export class McpManager implements McpToolSource {
  private readonly db: () => Promise<Db>;
  private readonly connectTimeoutMs: number;
  private readonly callTimeoutMs: number;
  private readonly reconnectWaitMs: number;
  private readonly backoff: BackoffPolicy;
  private readonly connections = new Map<string, ServerConnection>();
  private closed = false;

  constructor(options: McpManagerOptions) {
    this.db = options.db;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 20_000;
    this.callTimeoutMs = options.callTimeoutMs ?? 120_000;
    this.reconnectWaitMs = options.reconnectWaitMs ?? 10_000;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  }

  /** Every tool of the team's enabled servers, named "server.tool". A server that is down contributes its last known listing. */
  async list(teamId: string): Promise<ToolDescriptor[]> {
    const rows = await (await this.db()).mcpServer.findMany({ where: { teamId, enabled: true }, orderBy: { name: "asc" } });
    this.retireMissing(teamId, new Set(rows.map((row) => row.name)));
    const listings = await Promise.all(
      rows.map(async (row) => {
        const connection = this.connectionFor(teamId, row);
        if (connection.state === "idle") await this.attempt(connection, row).catch(() => undefined);
        else if (!connection.live && !connection.connecting && Date.now() >= connection.nextAttemptAt) void this.attempt(connection, row).catch(() => undefined);
        const tools = connection.live?.tools ?? (connection.tools.length ? connection.tools : cachedTools(row));
        return tools.map((tool) => ({ name: `${row.name}.${tool.name}`, description: tool.description, inputSchema: tool.inputSchema }));
      }),
    );
    return listings.flat();
  }

  async call(teamId: string, qualifiedName: string, args: Record<string, unknown>, signal: AbortSignal): Promise<ToolResult> {
    if (this.closed) throw new StepError("MCP tools are shutting down on this node.", { retryable: true, code: "TOOL_UNAVAILABLE" });
    const { server, tool } = splitToolName(qualifiedName);
    const row = await (await this.db()).mcpServer.findUnique({ where: { teamId_name: { teamId, name: server } } });
    if (!row?.enabled) {
      void this.forget(teamId, server);
      throw new StepError(`This team has no enabled MCP server named "${server}".`, { code: "TOOL_UNAVAILABLE" });
    }
    const connection = this.connectionFor(teamId, row);
    const live = await this.ready(connection, row, signal);
    try {
      const answer = await live.client.callTool({ name: tool, arguments: args }, undefined, { signal, timeout: this.callTimeoutMs });
      return toToolResult(answer);
    } catch (error) {
      if (signal.aborted) throw error;
      return this.callFailed(connection, live, tool, error);
    }
  }

  /** Closes the connection to a server whose row changed or went away; the next use reconnects with the new configuration. */
  async forget(teamId: string, serverName: string): Promise<void> {
    const connection = this.connections.get(`${teamId}:${serverName}`);
    if (connection) await this.retire(connection);
  }

  /** Closes every connection (and stops every server process this manager started). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.connections.values()].map((connection) => this.retire(connection)));
  }

  /** How each of the team's servers stands from this process, for the UI. */
  async status(teamId: string): Promise<McpServerStatus[]> {
    const rows = await (await this.db()).mcpServer.findMany({ where: { teamId }, orderBy: { name: "asc" } });
    return rows.map((row) => {
      const found = this.connections.get(`${teamId}:${row.name}`);
      const connection = found && found.rowId === row.id && found.fingerprint === configFingerprint(row) ? found : undefined;
      const state: McpConnectionState = !row.enabled
        ? "disabled"
        : connection?.live
          ? "connected"
          : connection && connection.state !== "idle" && connection.state !== "connected"
            ? connection.state
            : row.lastError
              ? "error"
              : "disconnected";
      const lastError = connection && connection.state !== "idle" ? (connection.live ? null : connection.lastError) : row.lastError;
      return { name: row.name, state, lastError, toolCount: connection?.live?.tools.length ?? cachedTools(row).length, pid: connection?.live?.pid ?? null };
    });
  }

  /** The listing of the live connection to a server, or null when this process is not connected to it. */
  liveTools(teamId: string, serverName: string): McpTool[] | null {
    return this.connections.get(`${teamId}:${serverName}`)?.live?.tools ?? null;
  }

  // ------------------------------------------------------------ internals

  private connectionFor(teamId: string, row: McpServer): ServerConnection {
    const key = `${teamId}:${row.name}`;
    const fingerprint = configFingerprint(row);
    const existing = this.connections.get(key);
    if (existing && existing.rowId === row.id && existing.fingerprint === fingerprint) return existing;
    // The row changed (maybe on another node): drop the old connection, start from the new configuration.
    if (existing) void this.retire(existing);
    const connection: ServerConnection = {
      key,
      teamId,
      name: row.name,
      rowId: row.id,
      fingerprint,
      state: "idle",
      tools: [],
      lastError: null,
      failures: 0,
      nextAttemptAt: 0,
      backgroundLeft: BACKGROUND_ATTEMPTS,
      retired: false,
    };
    this.connections.set(key, connection);
    return connection;
  }

  private retireMissing(teamId: string, names: Set<string>) {
    for (const connection of this.connections.values()) {
      if (connection.teamId === teamId && !names.has(connection.name)) void this.retire(connection);
    }
  }

  private async retire(connection: ServerConnection): Promise<void> {
    connection.retired = true;
    clearTimeout(connection.retryTimer);
    connection.retryTimer = undefined;
    if (this.connections.get(connection.key) === connection) this.connections.delete(connection.key);
    const live = connection.live;
    connection.live = undefined;
    // A connection still opening closes itself when it sees it was retired; wait for that too.
    await Promise.all([live?.close(), connection.connecting?.catch(() => undefined)]);
  }

  /** One connection attempt at a time per server; callers share it. */
  private attempt(connection: ServerConnection, row: McpServer): Promise<LiveConnection> {
    if (connection.connecting) return connection.connecting;
    clearTimeout(connection.retryTimer);
    connection.retryTimer = undefined;
    const pending = this.open(connection, row).finally(() => {
      if (connection.connecting === pending) connection.connecting = undefined;
    });
    connection.connecting = pending;
    return pending;
  }

  private async open(connection: ServerConnection, row: McpServer): Promise<LiveConnection> {
    let live: LiveConnection;
    try {
      live = await openConnection(connectionConfigFor(row), {
        timeoutMs: this.connectTimeoutMs,
        onLost: (reason) => this.lost(connection, live, reason),
        onToolsChanged: (tools) => {
          if (connection.live !== live) return;
          connection.tools = tools;
          void this.persist(connection, { tools: toJson(tools) });
        },
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      connection.failures += 1;
      connection.nextAttemptAt = Date.now() + backoffDelay(connection.failures, this.backoff);
      connection.state = "error";
      connection.lastError = message;
      logger.warn("mcp.connect_failed", { teamId: connection.teamId, server: connection.name, error: message, attempt: connection.failures });
      await this.persist(connection, { lastError: message });
      throw error;
    }
    if (connection.retired || this.closed) {
      await live.close();
      throw new Error("the connection was closed while it opened");
    }
    connection.live = live;
    connection.tools = live.tools;
    connection.state = "connected";
    connection.lastError = null;
    connection.backgroundLeft = BACKGROUND_ATTEMPTS;
    await this.persist(connection, { tools: toJson(live.tools), lastConnectedAt: new Date(), lastError: null });
    return live;
  }

  /** Waits for a usable connection, reconnecting as the backoff allows, at most reconnectWaitMs. */
  private async ready(connection: ServerConnection, row: McpServer, signal: AbortSignal): Promise<LiveConnection> {
    const deadline = Date.now() + this.reconnectWaitMs;
    for (;;) {
      if (connection.live) return connection.live;
      if (connection.retired || this.closed) throw this.unavailable(connection);
      const remaining = deadline - Date.now();
      const pending = connection.connecting ?? (Date.now() >= connection.nextAttemptAt ? this.attempt(connection, row) : undefined);
      if (pending) {
        await Promise.race([pending.catch(() => undefined), sleep(remaining, signal)]);
      } else {
        const wait = connection.nextAttemptAt - Date.now();
        if (wait > remaining) throw this.unavailable(connection);
        await sleep(wait, signal);
      }
      if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error("The call was cancelled.");
      if (!connection.live && Date.now() >= deadline) throw this.unavailable(connection);
    }
  }

  private unavailable(connection: ServerConnection): StepError {
    const why = connection.lastError ? `: ${sentence(connection.lastError)}` : "";
    return new StepError(`The MCP server "${connection.name}" is unavailable${why}.`, {
      retryable: true,
      code: "TOOL_UNAVAILABLE",
      retryAfterMs: Math.max(0, connection.nextAttemptAt - Date.now()),
    });
  }

  private callFailed(connection: ServerConnection, live: LiveConnection, tool: string, error: unknown): ToolResult {
    const server = connection.name;
    if (error instanceof McpError) {
      if (error.code === ErrorCode.ConnectionClosed) {
        throw new StepError(`The MCP server "${server}" stopped during the call to ${tool}; it is started again on the next call.`, { retryable: true, code: "TOOL_UNAVAILABLE", cause: error });
      }
      if (error.code === ErrorCode.RequestTimeout) {
        throw new StepError(`The tool ${server}.${tool} did not answer within ${this.callTimeoutMs / 1000} s.`, { retryable: true, code: "TOOL_TIMEOUT", cause: error });
      }
      // The server answered with an error (unknown tool, bad arguments, ...): the caller can act on it.
      return { content: live.scrub(error.message), isError: true };
    }
    if (error instanceof Error && error.name === "ZodError") return { content: `The server "${server}" returned a malformed answer: ${error.message}`, isError: true };
    // The transport broke under the call (HTTP server gone, broken pipe): start afresh next time.
    const reason = live.scrub(error instanceof Error ? error.message : String(error));
    this.lost(connection, live, reason);
    void live.close();
    throw new StepError(`The MCP server "${server}" could not be reached for ${tool}: ${sentence(reason)}.`, { retryable: true, code: "TOOL_UNAVAILABLE", cause: error });
  }

  private lost(connection: ServerConnection, live: LiveConnection, reason: string) {
    if (connection.live !== live) return;
    connection.live = undefined;
    connection.state = "disconnected";
    connection.lastError = reason;
    connection.failures = Date.now() - live.connectedAt >= STABLE_AFTER_MS ? 1 : connection.failures + 1;
    connection.nextAttemptAt = Date.now() + backoffDelay(connection.failures, this.backoff);
    logger.warn("mcp.connection_lost", { teamId: connection.teamId, server: connection.name, reason });
    void this.persist(connection, { lastError: reason });
    this.reconnectInBackground(connection);
  }

  private reconnectInBackground(connection: ServerConnection) {
    if (connection.retryTimer || connection.retired || this.closed || connection.backgroundLeft <= 0) return;
    connection.backgroundLeft -= 1;
    connection.retryTimer = setTimeout(() => {
      connection.retryTimer = undefined;
      void this.reconnectNow(connection);
    }, Math.max(0, connection.nextAttemptAt - Date.now()));
    connection.retryTimer.unref();
  }

  private async reconnectNow(connection: ServerConnection) {
    if (connection.retired || this.closed || connection.live || connection.connecting) return;
    try {
      const row = await (await this.db()).mcpServer.findUnique({ where: { id: connection.rowId } });
      if (!row?.enabled || row.name !== connection.name || configFingerprint(row) !== connection.fingerprint) {
        await this.retire(connection);
        return;
      }
      await this.attempt(connection, row);
    } catch {
      this.reconnectInBackground(connection);
    }
  }

  /** Records the connection's outcome on the row; a lost write only costs the UI a fresher status. */
  private async persist(connection: ServerConnection, data: Prisma.McpServerUpdateManyMutationInput) {
    if (connection.retired) return;
    try {
      await (await this.db()).mcpServer.updateMany({ where: { id: connection.rowId }, data });
    } catch (error) {
      logger.debug("mcp.persist_failed", { server: connection.name, error: error instanceof Error ? error.message : String(error) });
    }
  }
}

function toJson(tools: McpTool[]): Prisma.InputJsonValue {
  return JSON.parse(JSON.stringify(tools)) as Prisma.InputJsonValue;
}
