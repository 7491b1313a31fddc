import type { Db } from "../../db/client.ts";
import { ConflictError } from "../../errors.ts";
import { recordAudit, type AuditActor } from "../audit/index.ts";
import type { TeamDto } from "../../shared/dto.ts";

type TeamRow = Awaited<ReturnType<Db["team"]["findUniqueOrThrow"]>> & { _count: { memberships: number } };

function toTeamDto(team: TeamRow): TeamDto {
  return { id: team.id, slug: team.slug, name: team.name, memberCount: team._count.memberships, createdAt: team.createdAt.toISOString() };
}

/** Teams the caller administers (tenant scoping: never all teams of the installation). */
export async function listTeams(db: Db, teamIds: string[]) {
  const teams = await db.team.findMany({
    where: { id: { in: teamIds } },
    include: { _count: { select: { memberships: true } } },
    orderBy: { name: "asc" },
  });
  return teams.map(toTeamDto);
}

/** A new team, with its creator as its first admin. */
export async function createTeam(db: Db, actor: AuditActor & { userId: string }, input: { name: string; slug: string }) {
  if (await db.team.findUnique({ where: { slug: input.slug } })) {
    throw new ConflictError(`A team with the slug "${input.slug}" already exists.`);
  }
  const team = await db.team.create({
    data: { name: input.name, slug: input.slug, memberships: { create: { userId: actor.userId, role: "admin" } } },
    include: { _count: { select: { memberships: true } } },
  });
  await recordAudit(db, actor, { action: "team.create", teamId: team.id, targetType: "team", targetId: team.id, after: input });
  return toTeamDto(team);
}

export async function renameTeam(db: Db, actor: AuditActor, input: { teamId: string; name: string }) {
  const before = await db.team.findUniqueOrThrow({ where: { id: input.teamId } });
  const team = await db.team.update({
    where: { id: input.teamId },
    data: { name: input.name },
    include: { _count: { select: { memberships: true } } },
  });
  await recordAudit(db, actor, {
    action: "team.rename",
    teamId: team.id,
    targetType: "team",
    targetId: team.id,
    before: { name: before.name },
    after: { name: team.name },
  });
  return toTeamDto(team);
}
