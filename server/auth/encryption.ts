// Secrets at rest (provider API keys, later MCP server secrets): AES-256-GCM with a key
// from MAESTRO_ENCRYPTION_KEY, or derived from the session secret when that is unset so
// a fresh install works with zero configuration. The ciphertext names its key version,
// which leaves room for rotation without guessing which key a row was written with.
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";
import { env } from "../env.ts";
import { authSecret } from "./secret.ts";
import { processSingleton } from "../singleton.ts";

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class DecryptionError extends Error {
  constructor(message = "A stored secret could not be decrypted: MAESTRO_ENCRYPTION_KEY differs from the key it was written with.") {
    super(message);
    this.name = "DecryptionError";
  }
}

export interface SecretBox {
  encrypt(plaintext: string): string;
  decrypt(ciphertext: string): string;
  /** A short fingerprint of the key, for diagnostics (never the key). */
  readonly keyId: string;
}

/** A key given as 64 hex characters or 32 base64 bytes is used as is; any other text is stretched. */
function keyFrom(material: string, derived: boolean): Buffer {
  if (!derived && /^[0-9a-f]{64}$/i.test(material)) return Buffer.from(material, "hex");
  const b64 = Buffer.from(material, "base64");
  if (!derived && b64.length === 32 && /^[A-Za-z0-9+/_-]{43}=?$/.test(material)) return b64;
  return Buffer.from(hkdfSync("sha256", material, "maestro", derived ? "maestro:secrets-from-session-secret" : "maestro:secrets", 32));
}

export function createSecretBox(material: string, options: { derived?: boolean } = {}): SecretBox {
  const key = keyFrom(material, options.derived ?? false);
  const keyId = createHash("sha256").update(key).digest("hex").slice(0, 8);
  return {
    keyId,
    encrypt(plaintext) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return `${VERSION}:${keyId}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64")}`;
    },
    decrypt(ciphertext) {
      const [version, id, payload] = ciphertext.split(":");
      if (version !== VERSION || !payload) throw new DecryptionError("A stored secret has an unknown format.");
      if (id !== keyId) throw new DecryptionError();
      const raw = Buffer.from(payload, "base64");
      const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, IV_BYTES));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      try {
        return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
      } catch {
        throw new DecryptionError();
      }
    },
  };
}

/** This process's box, keyed from the environment. */
export function secretBox(): SecretBox {
  return processSingleton("secretBox", () => {
    const configured = env().MAESTRO_ENCRYPTION_KEY;
    return configured ? createSecretBox(configured) : createSecretBox(authSecret(), { derived: true });
  });
}

/** How a secret is shown back: its last four characters only. */
export function maskSecret(hint: string | null | undefined): string | null {
  return hint ? `••••${hint}` : null;
}
