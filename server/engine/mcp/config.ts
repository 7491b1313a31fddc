// From a stored McpServer row to what a connection needs: the command or URL, and the
// decrypted secrets (env vars for stdio, headers for http). Secrets are sealed as one
// AES-256-GCM JSON object; only this file and the connection ever see them in clear.
import { createHash } from "node:crypto";
import { secretBox, type SecretBox } from "../../auth/encryption.ts";
import type { McpServer } from "../../db/generated/client.ts";
import { mcpConfigProblem, type McpTransport } from "../../shared/mcp.ts";

export type McpConnectionConfig =
  | { name: string; transport: "stdio"; command: string; args: string[]; env: Record<string, string> }
  | { name: string; transport: "http"; url: string; headers: Record<string, string> };

/** The fields of a row that decide where a connection goes and what it carries. */
export type McpServerTarget = Pick<McpServer, "name" | "transport" | "command" | "args" | "url">;

export function asTransport(value: string): McpTransport {
  return value === "http" ? "http" : "stdio";
}

/** Encrypts the secrets object; null when there are none. */
export function sealSecrets(secrets: Record<string, string>, box: SecretBox = secretBox()): string | null {
  return Object.keys(secrets).length ? box.encrypt(JSON.stringify(secrets)) : null;
}

/** Decrypts the secrets object (throws DecryptionError when the key changed). */
export function openSecrets(cipher: string | null, box: SecretBox = secretBox()): Record<string, string> {
  if (!cipher) return {};
  const parsed: unknown = JSON.parse(box.decrypt(cipher));
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return {};
  return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
}

/** A configuration from its parts; throws when it is incomplete (stdio without command, http without URL). */
export function buildConnectionConfig(target: McpServerTarget, secrets: Record<string, string>): McpConnectionConfig {
  const transport = asTransport(target.transport);
  const problem = mcpConfigProblem({ transport, command: target.command, url: target.url });
  if (problem) throw new Error(problem.message);
  return transport === "stdio"
    ? { name: target.name, transport, command: target.command!, args: [...target.args], env: secrets }
    : { name: target.name, transport, url: target.url!, headers: secrets };
}

/** The row's connection configuration, secrets decrypted. */
export function connectionConfigFor(row: McpServerTarget & Pick<McpServer, "secretsCipher">, box: SecretBox = secretBox()): McpConnectionConfig {
  return buildConnectionConfig(row, openSecrets(row.secretsCipher, box));
}

/**
 * Changes when anything that shapes the connection changes (not when the cached tool
 * listing or last-connected time does), so every node notices an edited server.
 */
export function configFingerprint(row: McpServerTarget & Pick<McpServer, "secretsCipher">): string {
  return createHash("sha256")
    .update(JSON.stringify([row.transport, row.command, row.args, row.url, row.secretsCipher]))
    .digest("hex")
    .slice(0, 16);
}

export function secretValues(config: McpConnectionConfig): string[] {
  return Object.values(config.transport === "stdio" ? config.env : config.headers);
}

/** Replaces any secret value in a message (a server may echo a header or variable back). */
export function scrubSecrets(message: string, secrets: readonly string[]): string {
  let scrubbed = message;
  for (const secret of secrets) if (secret.length >= 4) scrubbed = scrubbed.split(secret).join("••••");
  return scrubbed;
}
