import type { Db } from "../../db/client.ts";
import { ForbiddenError, ValidationError } from "../../errors.ts";
import type { Principal } from "../../auth/principal.ts";
import type { AuthPolicy } from "../../auth/policy.ts";
import { assertPasswordAcceptable, hashPassword, verifyPassword } from "../../auth/password.ts";
import { revokeAllSessions } from "../../auth/sessions.ts";
import { recordAudit, type AuditActor } from "../audit/index.ts";
import type { MeDto } from "../../shared/dto.ts";

export function describePrincipal(p: Principal): MeDto {
  return {
    id: p.userId,
    email: p.email,
    name: p.name,
    mustChangePassword: p.mustChangePassword,
    memberships: p.memberships,
    apiKey: p.apiKey,
  };
}

function assertBrowserSession(p: Principal) {
  if (p.kind !== "session") throw new ForbiddenError("Only a signed-in person can do this, not an API key.");
}

/** Changes the caller's password; every other session of theirs ends. */
export async function changePassword(
  db: Db,
  policy: AuthPolicy,
  principal: Principal,
  actor: AuditActor,
  input: { currentPassword: string; newPassword: string },
) {
  assertBrowserSession(principal);
  const user = await db.user.findUniqueOrThrow({ where: { id: principal.userId } });
  if (!user.passwordHash || !(await verifyPassword(user.passwordHash, input.currentPassword))) {
    throw new ValidationError("The current password is not correct.", { field: "currentPassword" });
  }
  if (input.newPassword === input.currentPassword) {
    throw new ValidationError("The new password must differ from the current one.", { field: "newPassword" });
  }
  assertPasswordAcceptable(input.newPassword, policy, user.email);
  await db.user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(input.newPassword), mustChangePassword: false } });
  await db.session.updateMany({
    where: { userId: user.id, revokedAt: null, NOT: { id: principal.sessionId ?? "" } },
    data: { revokedAt: new Date() },
  });
  await recordAudit(db, actor, { action: "user.password.change", targetType: "user", targetId: user.id });
  return { ok: true as const };
}

export async function signOutEverywhere(db: Db, principal: Principal, actor: AuditActor) {
  assertBrowserSession(principal);
  const sessionsEnded = await revokeAllSessions(db, principal.userId);
  await recordAudit(db, actor, { action: "auth.signout.everywhere", targetType: "user", targetId: principal.userId, after: { sessionsEnded } });
  return { sessionsEnded };
}
