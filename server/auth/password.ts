import { randomBytes } from "node:crypto";
import { hash, verify } from "@node-rs/argon2";
import { COMMON_PASSWORDS } from "./common-passwords.ts";
import { ValidationError } from "../errors.ts";

// OWASP's argon2id baseline (19 MiB, 2 passes): ~30 ms here, slow enough for guessing,
// fast enough for logins.
// Algorithm.Argon2id is an ambient const enum, which isolated modules cannot read.
const ARGON2ID = 2;
const HASH_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const MAX_PASSWORD_LENGTH = 256;

export function hashPassword(password: string): Promise<string> {
  return hash(password, HASH_OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A hash to verify against when the account does not exist, so timing reveals nothing. */
let decoyHash: Promise<string> | undefined;
export function decoyPasswordHash(): Promise<string> {
  decoyHash ??= hashPassword(randomBytes(16).toString("hex"));
  return decoyHash;
}

export interface PasswordPolicy {
  passwordMinLength: number;
}

/** Returns what is wrong with the password, or an empty list. */
export function passwordProblems(password: string, policy: PasswordPolicy, email?: string): string[] {
  const problems: string[] = [];
  if (password.length < policy.passwordMinLength) problems.push(`must be at least ${policy.passwordMinLength} characters long`);
  if (password.length > MAX_PASSWORD_LENGTH) problems.push(`must be at most ${MAX_PASSWORD_LENGTH} characters long`);
  const normalised = password.toLowerCase();
  const stripped = normalised.replace(/[\d!@#$%^&*.?_-]+$/, "");
  if (COMMON_PASSWORDS.has(normalised) || COMMON_PASSWORDS.has(stripped)) {
    problems.push("is too common; choose something less guessable");
  }
  if (new Set(password).size < 4) problems.push("needs more variety in its characters");
  const localPart = email?.split("@")[0]?.toLowerCase();
  if (localPart && localPart.length >= 4 && normalised.includes(localPart)) {
    problems.push("must not contain your e-mail name");
  }
  return problems;
}

export function assertPasswordAcceptable(password: string, policy: PasswordPolicy, email?: string): void {
  const problems = passwordProblems(password, policy, email);
  if (problems.length) {
    throw new ValidationError(`The password ${problems.join("; ")}.`, { field: "password", problems });
  }
}

const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

/** A random password of ~119 bits, easy to copy (no look-alike characters). */
export function generatePassword(length = 20): string {
  const bytes = randomBytes(length * 2);
  let out = "";
  for (let i = 0; out.length < length && i < bytes.length; i++) {
    // Rejection sampling keeps the distribution uniform.
    const b = bytes[i]!;
    if (b < 256 - (256 % ALPHABET.length)) out += ALPHABET[b % ALPHABET.length];
  }
  return out.length === length ? out : generatePassword(length);
}
