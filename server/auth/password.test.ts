import { describe, expect, it } from "vitest";
import { generatePassword, hashPassword, passwordProblems, verifyPassword } from "./password.ts";

const policy = { passwordMinLength: 12 };

describe("password policy", () => {
  it("accepts a long, uncommon password", () => {
    expect(passwordProblems("violet-Harbour-93-kite", policy)).toEqual([]);
  });

  it("rejects short, common and e-mail-derived passwords with reasons", () => {
    expect(passwordProblems("short1!", policy)).toContain("must be at least 12 characters long");
    expect(passwordProblems("passwordpassword", policy).join()).toMatch(/too common/);
    expect(passwordProblems("password1234!!", policy).join()).toMatch(/too common/);
    expect(passwordProblems("aaaaaaaaaaaaaaaa", policy).join()).toMatch(/variety/);
    expect(passwordProblems("jane.doe-secure-2026", policy, "jane.doe@example.com").join()).toMatch(/e-mail/);
  });

  it("rejects absurdly long input rather than hashing it", () => {
    expect(passwordProblems("x".repeat(300) + "yz12", policy).join()).toMatch(/at most 256/);
  });
});

describe("password hashing", () => {
  it("hashes with argon2id and verifies only the right password", async () => {
    const hash = await hashPassword("violet-Harbour-93-kite");
    expect(hash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(hash, "violet-Harbour-93-kite")).toBe(true);
    expect(await verifyPassword(hash, "violet-harbour-93-kite")).toBe(false);
    expect(await verifyPassword("not-a-hash", "anything")).toBe(false);
  });

  it("generates strong passwords that pass the policy", () => {
    const passwords = new Set(Array.from({ length: 50 }, () => generatePassword()));
    expect(passwords.size).toBe(50);
    for (const p of passwords) {
      expect(p).toHaveLength(20);
      expect(passwordProblems(p, policy)).toEqual([]);
    }
  });
});
