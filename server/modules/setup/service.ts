// First-start seeding and the operator commands of the `maestro` CLI. These run
// without a signed-in person, so they audit as the system ("cli" / "setup").
import type { Db } from "../../db/client.ts";
import { NotFoundError } from "../../errors.ts";
import { assertPasswordAcceptable, generatePassword, hashPassword } from "../../auth/password.ts";
import type { AuthPolicy } from "../../auth/policy.ts";
import { recordAudit } from "../audit/index.ts";
import { createMember, replacePassword } from "../users/index.ts";
import type { Role } from "../../shared/rbac.ts";

export const DEFAULT_TEAM_SLUG = "default";
export const DEFAULT_ADMIN_EMAIL = "admin@maestro.local";

export interface BootstrapResult {
  created: boolean;
  email?: string;
  /** Only when generated: printed once by the caller, never stored in clear. */
  generatedPassword?: string;
}

/** With no users yet, creates the first admin and the `default` team it belongs to. */
export async function bootstrapAdmin(
  db: Db,
  policy: AuthPolicy,
  config: { email?: string; password?: string },
): Promise<BootstrapResult> {
  if ((await db.user.count()) > 0) return { created: false };
  const email = (config.email ?? DEFAULT_ADMIN_EMAIL).toLowerCase();
  if (config.password) assertPasswordAcceptable(config.password, policy, email);
  const password = config.password ?? generatePassword();
  const passwordHash = await hashPassword(password);
  const user = await db.$transaction(async (tx) => {
    const team =
      (await tx.team.findUnique({ where: { slug: DEFAULT_TEAM_SLUG } })) ??
      (await tx.team.create({ data: { slug: DEFAULT_TEAM_SLUG, name: "Default" } }));
    return tx.user.create({
      data: { email, name: "Administrator", passwordHash, memberships: { create: { teamId: team.id, role: "admin" } } },
      include: { memberships: true },
    });
  });
  await recordAudit(db, { label: "setup" }, {
    action: "user.create",
    teamId: user.memberships[0]!.teamId,
    targetType: "user",
    targetId: user.id,
    after: { email, role: "admin", bootstrap: true },
  });
  return { created: true, email, ...(config.password ? {} : { generatedPassword: password }) };
}

export interface CliUserInput {
  email: string;
  role: Role;
  team: string;
  name?: string;
  password?: string;
}

const CLI_ACTOR = { label: "cli" };

/** `maestro user create`: adds a person to a team (creating the account if new), as an admin would. */
export async function createUserFromCli(db: Db, policy: AuthPolicy, input: CliUserInput) {
  const team = await db.team.findUnique({ where: { slug: input.team } });
  if (!team) throw new NotFoundError(`Team "${input.team}"`);
  const { member, created, temporaryPassword } = await createMember(db, policy, CLI_ACTOR, {
    ...input,
    email: input.email.trim().toLowerCase(),
    teamId: team.id,
  });
  return { email: member.email, team: team.slug, role: member.role, createdAccount: created, generatedPassword: temporaryPassword ?? undefined };
}

/** `maestro user reset-password`: sets a new (given or generated) password, reactivates the account and ends its sessions. */
export async function resetPasswordFromCli(db: Db, policy: AuthPolicy, input: { email: string; password?: string }) {
  const email = input.email.trim().toLowerCase();
  const user = await db.user.findUnique({ where: { email }, include: { memberships: true } });
  if (!user) throw new NotFoundError(`The account ${email}`);
  if (input.password) assertPasswordAcceptable(input.password, policy, email);
  // The operator at the console is the last resort for a locked-out admin.
  if (!user.isActive) await db.user.update({ where: { id: user.id }, data: { isActive: true } });
  const { password, sessionsEnded } = await replacePassword(db, user.id, input.password);
  for (const m of user.memberships) {
    await recordAudit(db, CLI_ACTOR, { action: "user.password.reset", teamId: m.teamId, targetType: "user", targetId: user.id, after: { sessionsEnded } });
  }
  return { email, sessionsEnded, generatedPassword: input.password ? undefined : password };
}
