import type { Db } from "../db/client.ts";
import { env } from "../env.ts";
import { recordAudit } from "../modules/audit/index.ts";
import type { AuthPolicy } from "./policy.ts";
import { createSession } from "./sessions.ts";

export type OAuthOutcome = { ok: true; userId: string; sessionId: string } | { ok: false; message: string };

/**
 * Maps an OAuth identity to a Maestro user: an identity already linked, or an existing
 * account with the same e-mail (invited by an admin). New people are only created when
 * MAESTRO_OAUTH_ALLOW_SIGNUP is on, as viewers of the default team.
 */
export async function signInWithOAuth(
  db: Db,
  policy: AuthPolicy,
  identity: { provider: string; providerAccountId: string; email: string | null; name: string | null },
): Promise<OAuthOutcome> {
  const linked = await db.account.findUnique({
    where: { provider_providerAccountId: { provider: identity.provider, providerAccountId: identity.providerAccountId } },
    include: { user: true },
  });
  let user = linked?.user ?? null;
  const email = identity.email?.toLowerCase() ?? null;
  if (!user && email) {
    user = await db.user.findUnique({ where: { email } });
    if (!user && env().MAESTRO_OAUTH_ALLOW_SIGNUP) {
      const team = await db.team.findUnique({ where: { slug: "default" } });
      user = await db.user.create({
        data: { email, name: identity.name, ...(team ? { memberships: { create: { teamId: team.id, role: "viewer" } } } : {}) },
      });
    }
    if (user) {
      await db.account.create({ data: { userId: user.id, provider: identity.provider, providerAccountId: identity.providerAccountId } });
    }
  }
  if (!user) return { ok: false, message: "No Maestro account matches this sign-in. Ask an admin to invite you." };
  if (!user.isActive) return { ok: false, message: "This account is deactivated." };
  const session = await createSession(db, policy, user.id, {});
  await recordAudit(db, { userId: user.id, label: user.email }, {
    action: "auth.login.succeeded",
    targetType: "user",
    targetId: user.id,
    after: { provider: identity.provider },
  });
  return { ok: true, userId: user.id, sessionId: session.id };
}
