// API-key principals for the hot /v1 path, where a database round trip per request
// would cost more than the whole gateway. Entries live a few seconds; revoking a key or
// changing a membership in this process forgets them at once, and other processes
// follow within the TTL.
import type { Db } from "../db/client.ts";
import { hashApiKey, looksLikeApiKey } from "./api-keys.ts";
import { principalFromApiKey, type Principal } from "./principal.ts";
import { processSingleton } from "../singleton.ts";

export const API_KEY_CACHE_TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  principal: Principal | null;
  expiresAt: number;
}

const cache = () => processSingleton("apiKeyPrincipalCache", () => new Map<string, Entry>());

export async function cachedPrincipalFromApiKey(db: Db, token: string, now = Date.now()): Promise<Principal | null> {
  if (!looksLikeApiKey(token)) return null;
  const hash = hashApiKey(token);
  const entries = cache();
  const hit = entries.get(hash);
  if (hit && hit.expiresAt > now) return hit.principal;
  const principal = await principalFromApiKey(db, token, new Date(now));
  // Unknown keys are remembered too, so a flood of bad keys cannot hammer the database.
  if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
  entries.set(hash, { principal, expiresAt: now + API_KEY_CACHE_TTL_MS });
  return principal;
}

/** Call after anything that can change what a key may do: revocation, role or membership changes, deactivation. */
export function forgetApiKeyPrincipals(): void {
  cache().clear();
}
