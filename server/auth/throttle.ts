import type { Db } from "../db/client.ts";
import type { AuthPolicy } from "./policy.ts";

export const accountKey = (email: string) => `account:${email.toLowerCase()}`;
export const ipKey = (ip: string) => `ip:${ip}`;

// An address may try more often than one account, since several people can share it
// (an office NAT), but it is still bounded so one client cannot sweep many accounts.
const IP_ALLOWANCE_FACTOR = 4;

function limitFor(key: string, policy: AuthPolicy) {
  return key.startsWith("ip:") ? policy.loginMaxFailures * IP_ALLOWANCE_FACTOR : policy.loginMaxFailures;
}

/** Seconds until the first of these keys unlocks, or 0 when none is locked. */
export async function lockedForSeconds(db: Db, keys: string[], now = new Date()): Promise<number> {
  const rows = await db.loginThrottle.findMany({ where: { key: { in: keys }, lockedUntil: { gt: now } } });
  const until = Math.max(0, ...rows.map((r) => r.lockedUntil!.getTime()));
  return until ? Math.ceil((until - now.getTime()) / 1000) : 0;
}

export async function recordFailure(db: Db, policy: AuthPolicy, keys: string[], now = new Date()): Promise<void> {
  for (const key of keys) {
    const existing = await db.loginThrottle.findUnique({ where: { key } });
    const windowExpired = !existing || now.getTime() - existing.windowStart.getTime() > policy.loginFailureWindowMs;
    const failures = windowExpired ? 1 : existing.failures + 1;
    const lockedUntil = failures >= limitFor(key, policy) ? new Date(now.getTime() + policy.loginLockoutMs) : null;
    await db.loginThrottle.upsert({
      where: { key },
      create: { key, failures, windowStart: now, lockedUntil },
      update: { failures, lockedUntil, ...(windowExpired ? { windowStart: now } : {}) },
    });
  }
}

/** A successful login clears the account's counter (not the address's). */
export async function clearFailures(db: Db, key: string): Promise<void> {
  await db.loginThrottle.deleteMany({ where: { key } });
}
