import type { Db } from "../db/client.ts";
import type { AuthPolicy } from "./policy.ts";

// Writing lastSeenAt on every request would turn reads into writes; once a minute is
// precise enough for an idle timeout measured in minutes.
const TOUCH_INTERVAL_MS = 60_000;

export async function createSession(
  db: Db,
  policy: AuthPolicy,
  userId: string,
  client: { ip?: string | null; userAgent?: string | null },
) {
  return db.session.create({
    data: {
      userId,
      expiresAt: new Date(Date.now() + policy.sessionMaxAgeMs),
      ip: client.ip ?? null,
      userAgent: client.userAgent?.slice(0, 512) ?? null,
    },
  });
}

type SessionUser = Awaited<ReturnType<Db["user"]["findUniqueOrThrow"]>>;

export type SessionCheck =
  /** The user row comes along so callers need not read it again on every request. */
  | { ok: true; userId: string; sessionId: string; user: SessionUser }
  | { ok: false; reason: "missing" | "revoked" | "expired" | "idle" | "inactive-user" };

/** Is the session behind a JWT still valid? Extends its idle window when it is. */
export async function validateSession(db: Db, policy: AuthPolicy, sessionId: string, now = new Date()): Promise<SessionCheck> {
  const session = await db.session.findUnique({ where: { id: sessionId }, include: { user: true } });
  if (!session) return { ok: false, reason: "missing" };
  if (session.revokedAt) return { ok: false, reason: "revoked" };
  if (session.expiresAt <= now) return { ok: false, reason: "expired" };
  if (now.getTime() - session.lastSeenAt.getTime() > policy.sessionIdleMs) return { ok: false, reason: "idle" };
  if (!session.user.isActive) return { ok: false, reason: "inactive-user" };
  if (now.getTime() - session.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
    await db.session.update({ where: { id: sessionId }, data: { lastSeenAt: now } });
  }
  return { ok: true, userId: session.userId, sessionId, user: session.user };
}

export async function revokeSession(db: Db, sessionId: string) {
  await db.session.updateMany({ where: { id: sessionId, revokedAt: null }, data: { revokedAt: new Date() } });
}

/** Sign out everywhere: every open session of the user ends now. */
export async function revokeAllSessions(db: Db, userId: string): Promise<number> {
  const { count } = await db.session.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: new Date() } });
  return count;
}
