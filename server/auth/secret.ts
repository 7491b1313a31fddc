import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { env } from "../env.ts";

/**
 * The key that signs session tokens. Taken from MAESTRO_SECRET, or generated once and
 * kept in the data dir so sessions survive restarts with zero configuration. Processes
 * on several machines must share MAESTRO_SECRET instead.
 */
export function resolveAuthSecret(e = env()): { secret: string; source: "env" | "file" } {
  if (e.MAESTRO_SECRET) return { secret: e.MAESTRO_SECRET, source: "env" };
  const dir = path.resolve(e.MAESTRO_DATA_DIR);
  const file = path.join(dir, "secret");
  if (existsSync(file)) return { secret: readFileSync(file, "utf8").trim(), source: "file" };
  mkdirSync(dir, { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(file, secret + "\n", { mode: 0o600 });
  chmodSync(file, 0o600);
  return { secret, source: "file" };
}

/** The secret for this process: set by the server entry before anything asks. */
export function authSecret(): string {
  const secret = env().MAESTRO_SECRET;
  if (!secret) return resolveAuthSecret().secret;
  return secret;
}
