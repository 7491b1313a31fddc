// Team membership and account administration. Rules that protect a team from locking
// itself out (last admin) and one team's admin from reaching into another team live here.
import type { Db } from "../../db/client.ts";
import { forgetApiKeyPrincipals } from "../../auth/api-key-cache.ts";
import type { Prisma } from "../../db/generated/client.ts";
import { ConflictError, ForbiddenError, NotFoundError } from "../../errors.ts";
import { recordAudit, type AuditActor } from "../audit/index.ts";
import { assertPasswordAcceptable, generatePassword, hashPassword } from "../../auth/password.ts";
import { revokeAllSessions } from "../../auth/sessions.ts";
import type { AuthPolicy } from "../../auth/policy.ts";
import type { Role } from "../../shared/rbac.ts";
import { can } from "../../shared/rbac.ts";
import type { TeamMemberDto } from "../../shared/dto.ts";
import type { UserCreateInput, UserListInput } from "../../shared/schemas.ts";

type MemberRow = Prisma.MembershipGetPayload<{ include: { user: true } }>;

function toMemberDto(m: MemberRow): TeamMemberDto {
  return {
    id: m.user.id,
    email: m.user.email,
    name: m.user.name,
    role: m.role as Role,
    isActive: m.user.isActive,
    lastLoginAt: m.user.lastLoginAt?.toISOString() ?? null,
    createdAt: m.user.createdAt.toISOString(),
    membershipId: m.id,
  };
}

export async function listMembers(db: Db, input: UserListInput) {
  const where: Prisma.MembershipWhereInput = {
    teamId: input.teamId,
    ...(input.search
      ? { user: { OR: [{ email: { contains: input.search, mode: "insensitive" } }, { name: { contains: input.search, mode: "insensitive" } }] } }
      : {}),
  };
  const rows = await db.membership.findMany({
    where,
    include: { user: true },
    orderBy: [{ user: { email: "asc" } }, { id: "asc" }],
    take: input.limit + 1,
    ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
  });
  const page = rows.slice(0, input.limit);
  return {
    items: page.map(toMemberDto),
    nextCursor: rows.length > input.limit ? page[page.length - 1]!.id : null,
    total: await db.membership.count({ where }),
  };
}

async function membershipOrThrow(db: Db | Prisma.TransactionClient, teamId: string, userId: string) {
  const m = await db.membership.findUnique({ where: { userId_teamId: { userId, teamId } }, include: { user: true } });
  if (!m) throw new NotFoundError("That member");
  return m;
}

async function assertNotLastAdmin(db: Db | Prisma.TransactionClient, teamId: string, userId: string) {
  const admins = await db.membership.findMany({ where: { teamId, role: "admin" }, select: { userId: true } });
  if (admins.length === 1 && admins[0]!.userId === userId) {
    throw new ConflictError("A team needs at least one admin. Make someone else admin first.");
  }
}

/** Account-wide actions (deactivate, reset password) reach every team the person is in, so the caller must administer all of them. */
async function assertAdministersAllTeamsOf(db: Db, actorMemberships: { teamId: string; role: Role }[], userId: string) {
  const theirs = await db.membership.findMany({ where: { userId }, include: { team: true } });
  const outside = theirs.filter((m) => !actorMemberships.some((a) => a.teamId === m.teamId && can(a.role, "users:admin")));
  if (outside.length) {
    throw new ForbiddenError(
      `This person also belongs to ${outside.map((m) => m.team.name).join(", ")}, which you do not administer.`,
    );
  }
}

export async function createMember(db: Db, policy: AuthPolicy, actor: AuditActor, input: UserCreateInput) {
  const existing = await db.user.findUnique({ where: { email: input.email } });
  if (existing) {
    const already = await db.membership.findUnique({ where: { userId_teamId: { userId: existing.id, teamId: input.teamId } } });
    if (already) throw new ConflictError(`${input.email} is already a member of this team.`);
    const membership = await db.membership.create({ data: { userId: existing.id, teamId: input.teamId, role: input.role }, include: { user: true } });
    await recordAudit(db, actor, {
      action: "membership.create",
      teamId: input.teamId,
      targetType: "user",
      targetId: existing.id,
      after: { email: existing.email, role: input.role },
    });
    return { member: toMemberDto(membership), created: false, temporaryPassword: null };
  }
  if (input.password) assertPasswordAcceptable(input.password, policy, input.email);
  const temporaryPassword = input.password ? null : generatePassword();
  const user = await db.user.create({
    data: {
      email: input.email,
      name: input.name ?? null,
      passwordHash: await hashPassword(input.password ?? temporaryPassword!),
      mustChangePassword: !input.password,
      memberships: { create: { teamId: input.teamId, role: input.role } },
    },
  });
  await recordAudit(db, actor, {
    action: "user.create",
    teamId: input.teamId,
    targetType: "user",
    targetId: user.id,
    after: { email: user.email, name: user.name, role: input.role },
  });
  const membership = await membershipOrThrow(db, input.teamId, user.id);
  return { member: toMemberDto(membership), created: true, temporaryPassword };
}

export async function setRole(db: Db, actor: AuditActor, input: { teamId: string; userId: string; role: Role }) {
  const before = await membershipOrThrow(db, input.teamId, input.userId);
  if (before.role === input.role) return toMemberDto(before);
  if (before.role === "admin") await assertNotLastAdmin(db, input.teamId, input.userId);
  const after = await db.membership.update({ where: { id: before.id }, data: { role: input.role }, include: { user: true } });
  forgetApiKeyPrincipals();
  await recordAudit(db, actor, {
    action: "membership.role.update",
    teamId: input.teamId,
    targetType: "user",
    targetId: input.userId,
    before: { role: before.role },
    after: { role: input.role },
  });
  return toMemberDto(after);
}

export async function removeMember(db: Db, actor: AuditActor, input: { teamId: string; userId: string }) {
  const before = await membershipOrThrow(db, input.teamId, input.userId);
  await assertNotLastAdmin(db, input.teamId, input.userId);
  await db.membership.delete({ where: { id: before.id } });
  forgetApiKeyPrincipals();
  await recordAudit(db, actor, {
    action: "membership.delete",
    teamId: input.teamId,
    targetType: "user",
    targetId: input.userId,
    before: { email: before.user.email, role: before.role },
  });
  return { ok: true as const };
}

export interface AccountAdminActor extends AuditActor {
  userId: string;
  memberships: { teamId: string; role: Role }[];
}

export async function setActive(db: Db, actor: AccountAdminActor, input: { teamId: string; userId: string; isActive: boolean }) {
  const member = await membershipOrThrow(db, input.teamId, input.userId);
  if (input.userId === actor.userId) throw new ConflictError("You cannot deactivate your own account.");
  await assertAdministersAllTeamsOf(db, actor.memberships, input.userId);
  if (member.user.isActive === input.isActive) return toMemberDto(member);
  await db.user.update({ where: { id: input.userId }, data: { isActive: input.isActive } });
  forgetApiKeyPrincipals();
  if (!input.isActive) await revokeAllSessions(db, input.userId);
  await recordAudit(db, actor, {
    action: input.isActive ? "user.reactivate" : "user.deactivate",
    teamId: input.teamId,
    targetType: "user",
    targetId: input.userId,
    before: { isActive: member.user.isActive },
    after: { isActive: input.isActive },
  });
  return toMemberDto(await membershipOrThrow(db, input.teamId, input.userId));
}

/**
 * Replaces a person's password and ends their sessions. A password the caller chose is
 * final; a generated one must be changed at next sign-in. Returns the password in clear
 * once, for the caller to hand over.
 */
export async function replacePassword(db: Db, userId: string, chosen?: string) {
  const password = chosen ?? generatePassword();
  await db.user.update({ where: { id: userId }, data: { passwordHash: await hashPassword(password), mustChangePassword: !chosen } });
  const sessionsEnded = await revokeAllSessions(db, userId);
  return { password, sessionsEnded };
}

/** Sets a generated password that must be changed at next sign-in; ends the person's sessions. */
export async function resetPassword(db: Db, actor: AccountAdminActor, input: { teamId: string; userId: string }) {
  await membershipOrThrow(db, input.teamId, input.userId);
  await assertAdministersAllTeamsOf(db, actor.memberships, input.userId);
  const { password, sessionsEnded } = await replacePassword(db, input.userId);
  await recordAudit(db, actor, {
    action: "user.password.reset",
    teamId: input.teamId,
    targetType: "user",
    targetId: input.userId,
    after: { sessionsEnded },
  });
  return { temporaryPassword: password };
}
