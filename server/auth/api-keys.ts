import { createHash, randomBytes } from "node:crypto";

// Keys look like `mk_<40 url-safe chars>`: the prefix marks them in logs and secret
// scanners; 240 random bits make guessing pointless, so a fast SHA-256 is the right
// hash (unlike passwords, there is nothing to brute-force).
export const API_KEY_PREFIX = "mk_";
const DISPLAY_PREFIX_LENGTH = 11;

export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const key = API_KEY_PREFIX + randomBytes(30).toString("base64url");
  return { key, prefix: key.slice(0, DISPLAY_PREFIX_LENGTH), hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

export function looksLikeApiKey(token: string): boolean {
  return token.startsWith(API_KEY_PREFIX) && token.length > 20 && token.length < 100;
}
