import type { Db } from "../db/client.ts";
import { RateLimitedError, UnauthorizedError } from "../errors.ts";
import { recordAudit } from "../modules/audit/index.ts";
import type { AuthPolicy } from "./policy.ts";
import { decoyPasswordHash, verifyPassword } from "./password.ts";
import { createSession } from "./sessions.ts";
import { accountKey, clearFailures, ipKey, lockedForSeconds, recordFailure } from "./throttle.ts";

export interface LoginAttempt {
  email: string;
  password: string;
  ip?: string | null;
  userAgent?: string | null;
}

export interface LoginSuccess {
  userId: string;
  email: string;
  name: string | null;
  sessionId: string;
}

// One message for every wrong combination, so the form does not reveal which accounts exist.
const INVALID = "The e-mail or password is not correct.";

/** Checks a password login with throttling and audit, and opens a server-side session. */
export async function authenticateWithPassword(db: Db, policy: AuthPolicy, attempt: LoginAttempt): Promise<LoginSuccess> {
  const email = attempt.email.trim().toLowerCase();
  const keys = [accountKey(email), ...(attempt.ip ? [ipKey(attempt.ip)] : [])];
  const client = { ip: attempt.ip, label: email };

  const waitSeconds = await lockedForSeconds(db, keys);
  if (waitSeconds > 0) {
    await recordAudit(db, client, { action: "auth.login.locked", targetType: "account", targetId: email });
    throw new RateLimitedError(
      `Too many failed sign-ins. Try again in ${Math.ceil(waitSeconds / 60)} minute(s).`,
      waitSeconds,
    );
  }

  const user = await db.user.findUnique({ where: { email } });
  const passwordOk = await verifyPassword(user?.passwordHash ?? (await decoyPasswordHash()), attempt.password);
  if (!user || !passwordOk || !user.isActive) {
    await recordFailure(db, policy, keys);
    const reason = !user ? "unknown-account" : !passwordOk ? "wrong-password" : "deactivated";
    await recordAudit(db, { ...client, userId: null }, {
      action: "auth.login.failed",
      targetType: "user",
      targetId: user?.id ?? email,
      after: { reason },
    });
    throw new UnauthorizedError(user && passwordOk && !user.isActive ? "This account is deactivated." : INVALID);
  }

  await clearFailures(db, accountKey(email));
  const session = await createSession(db, policy, user.id, attempt);
  await db.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
  await recordAudit(db, { userId: user.id, label: email, ip: attempt.ip }, {
    action: "auth.login.succeeded",
    targetType: "user",
    targetId: user.id,
  });
  return { userId: user.id, email: user.email, name: user.name, sessionId: session.id };
}
