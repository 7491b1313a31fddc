// In the embedded mode the running server owns the PGlite data dir (one process only),
// so CLI commands are sent to it over loopback with a token that only this machine's
// user can read. With DATABASE_URL set the CLI talks to PostgreSQL directly instead.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import type { Env } from "../env.ts";
import { isDomainError } from "../errors.ts";
import { logger } from "../logger.ts";
import { runCliCommand, type CliCommand } from "./commands.ts";

export const CLI_BRIDGE_PATH = "/internal/cli";
/** Commands carry run inputs, so as much as an API request may. */
const MAX_BODY = 1024 * 1024;

interface ServerInfo {
  pid: number;
  port: number;
  token: string;
}

let token: string | undefined;

const infoFile = (e: Env) => path.join(path.resolve(e.MAESTRO_DATA_DIR), "server.json");

export function publishServerInfo(e: Env, pid: number) {
  token = randomBytes(32).toString("base64url");
  writeFileSync(infoFile(e), JSON.stringify({ pid, port: e.PORT, token } satisfies ServerInfo), { mode: 0o600 });
}

export function withdrawServerInfo(e: Env) {
  rmSync(infoFile(e), { force: true });
}

function isAlive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The running server that owns this data dir, if any. */
export function runningServer(e: Env): ServerInfo | null {
  const file = infoFile(e);
  if (!existsSync(file)) return null;
  try {
    const info = JSON.parse(readFileSync(file, "utf8")) as ServerInfo;
    return isAlive(info.pid) ? info : null;
  } catch {
    return null;
  }
}

export class BridgeError extends Error {}

export async function callRunningServer(info: ServerInfo, command: CliCommand): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`http://127.0.0.1:${info.port}${CLI_BRIDGE_PATH}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${info.token}` },
      body: JSON.stringify(command),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new BridgeError(
      `The Maestro server (pid ${info.pid}) holds the embedded database but did not answer on port ${info.port} (${(error as Error).message}). ` +
        "Check that it is healthy, or stop it and run this command again.",
    );
  }
  const body = (await response.json().catch(() => null)) as { ok: boolean; result?: unknown; error?: string } | null;
  if (!body) throw new BridgeError(`The Maestro server answered ${response.status} without a readable body.`);
  if (!body.ok) throw new BridgeError(body.error ?? "The server refused the command.");
  return body.result;
}

function isLoopback(req: IncomingMessage) {
  const addr = req.socket.remoteAddress ?? "";
  return addr === "127.0.0.1" || addr === "::1" || addr === "::ffff:127.0.0.1";
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

export async function handleCliBridge(req: IncomingMessage, res: ServerResponse) {
  const given = Buffer.from(req.headers.authorization?.replace(/^Bearer /, "") ?? "");
  const expected = Buffer.from(token ?? "");
  if (req.method !== "POST" || !isLoopback(req) || !token || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return send(res, 404, { ok: false, error: "Not found" });
  }
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return send(res, 413, { ok: false, error: "Command too large." });
    chunks.push(chunk as Buffer);
  }
  try {
    const result = await runCliCommand(JSON.parse(Buffer.concat(chunks).toString("utf8")) as CliCommand);
    send(res, 200, { ok: true, result });
  } catch (error) {
    if (!isDomainError(error)) logger.error("cli.bridge.failed", { error });
    send(res, 200, { ok: false, error: isDomainError(error) ? error.message : `The command failed: ${(error as Error).message}` });
  }
}
