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

/**
 * Counts one failure against each key and locks a key that reaches its limit. One
 * statement per key, so parallel guesses cannot slip past the limit between a read
 * and a write.
 */
export async function recordFailure(db: Db, policy: AuthPolicy, keys: string[], now = new Date()): Promise<void> {
  const windowCutoff = new Date(now.getTime() - policy.loginFailureWindowMs);
  const lockUntil = new Date(now.getTime() + policy.loginLockoutMs);
  for (const key of keys) {
    const limit = limitFor(key, policy);
    await db.$executeRaw`
      INSERT INTO "LoginThrottle" ("key", "failures", "windowStart", "lockedUntil", "updatedAt")
      VALUES (${key}, 1, ${now}, ${limit <= 1 ? lockUntil : null}, ${now})
      ON CONFLICT ("key") DO UPDATE SET
        "failures" = CASE WHEN "LoginThrottle"."windowStart" < ${windowCutoff} THEN 1 ELSE "LoginThrottle"."failures" + 1 END,
        "windowStart" = CASE WHEN "LoginThrottle"."windowStart" < ${windowCutoff} THEN ${now} ELSE "LoginThrottle"."windowStart" END,
        "lockedUntil" = CASE
          WHEN (CASE WHEN "LoginThrottle"."windowStart" < ${windowCutoff} THEN 1 ELSE "LoginThrottle"."failures" + 1 END) >= ${limit}
          THEN ${lockUntil}::timestamp(3)
          ELSE "LoginThrottle"."lockedUntil" END,
        "updatedAt" = ${now}`;
  }
}

/** A successful login clears the account's counter (not the address's). */
export async function clearFailures(db: Db, key: string): Promise<void> {
  await db.loginThrottle.deleteMany({ where: { key } });
}
