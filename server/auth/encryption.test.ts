import { describe, expect, it } from "vitest";
import { DecryptionError, createSecretBox } from "./encryption.ts";

describe("secret box", () => {
  const box = createSecretBox("a".repeat(64));

  it("round-trips and never writes the plaintext", () => {
    const sealed = box.encrypt("not-a-real-key-1234567890");
    expect(sealed).not.toContain("not-a-real-key");
    expect(sealed.startsWith(`v1:${box.keyId}:`)).toBe(true);
    expect(box.decrypt(sealed)).toBe("not-a-real-key-1234567890");
  });

  it("uses a fresh IV each time", () => {
    expect(box.encrypt("same")).not.toBe(box.encrypt("same"));
  });

  it("refuses a ciphertext written with another key, naming the setting", () => {
    const other = createSecretBox("another passphrase that is long enough");
    expect(() => other.decrypt(box.encrypt("x"))).toThrow(/MAESTRO_ENCRYPTION_KEY/);
  });

  it("detects tampering", () => {
    const sealed = box.encrypt("secret");
    const [v, id, payload] = sealed.split(":");
    const raw = Buffer.from(payload!, "base64");
    raw[raw.length - 1]! ^= 1;
    expect(() => box.decrypt(`${v}:${id}:${raw.toString("base64")}`)).toThrow(DecryptionError);
  });

  it("derives different keys from the same text for explicit and session-derived material", () => {
    expect(createSecretBox("passphrase").keyId).not.toBe(createSecretBox("passphrase", { derived: true }).keyId);
  });
});
