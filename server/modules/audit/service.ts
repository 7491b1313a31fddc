import type { Db } from "../../db/client.ts";
import type { Prisma } from "../../db/generated/client.ts";
import { emitToTeam } from "../../realtime/emit.ts";
import type { AuditEntryDto, AuditListInput } from "../../shared/dto.ts";

export interface AuditActor {
  userId?: string | null;
  apiKeyId?: string | null;
  label?: string | null;
  ip?: string | null;
}

export interface AuditEvent {
  action: string;
  teamId?: string | null;
  targetType?: string;
  targetId?: string;
  before?: unknown;
  after?: unknown;
}

// Never let a secret reach the audit log, whatever a caller passes as before/after.
const SECRET_FIELDS = /password|hash|secret|token|key$/i;

function redact(value: unknown): Prisma.InputJsonValue | undefined {
  if (value === undefined || value === null) return undefined;
  const json = JSON.parse(
    JSON.stringify(value, (k, v) => (k && SECRET_FIELDS.test(k) && typeof v === "string" ? "[redacted]" : v)),
  ) as Prisma.InputJsonValue;
  return json;
}

export async function recordAudit(db: Db | Prisma.TransactionClient, actor: AuditActor, event: AuditEvent) {
  const row = await db.auditLog.create({
    data: {
      actorUserId: actor.userId ?? null,
      actorApiKeyId: actor.apiKeyId ?? null,
      actorLabel: actor.label ?? null,
      ip: actor.ip ?? null,
      teamId: event.teamId ?? null,
      action: event.action,
      targetType: event.targetType,
      targetId: event.targetId,
      before: redact(event.before),
      after: redact(event.after),
    },
  });
  if (row.teamId) emitToTeam(row.teamId, "audit:created", toAuditDto(row));
  return row;
}

type AuditRow = Awaited<ReturnType<Db["auditLog"]["create"]>>;

export function toAuditDto(row: AuditRow): AuditEntryDto {
  return {
    id: row.id,
    createdAt: row.createdAt.toISOString(),
    actorUserId: row.actorUserId,
    actorLabel: row.actorLabel,
    teamId: row.teamId,
    action: row.action,
    targetType: row.targetType,
    targetId: row.targetId,
    before: (row.before ?? null) as AuditEntryDto["before"],
    after: (row.after ?? null) as AuditEntryDto["after"],
    ip: row.ip,
  };
}

// The team whose admins also see installation-wide events (sign-ins of unknown accounts).
const INSTALLATION_TEAM_SLUG = "default";

/**
 * What a team's audit trail shows: the team's own events, account events (sign-ins,
 * password changes) of its members, and for the installation's default team every
 * event that belongs to no team.
 */
async function teamAuditScope(db: Db, teamId: string): Promise<Prisma.AuditLogWhereInput> {
  const team = await db.team.findUniqueOrThrow({ where: { id: teamId }, include: { memberships: { select: { userId: true } } } });
  if (team.slug === INSTALLATION_TEAM_SLUG) return { OR: [{ teamId }, { teamId: null }] };
  const memberIds = team.memberships.map((m) => m.userId);
  return {
    OR: [
      { teamId },
      { teamId: null, OR: [{ actorUserId: { in: memberIds } }, { targetType: "user", targetId: { in: memberIds } }] },
    ],
  };
}

/** The team's audit trail, newest first, keyset-paginated by (createdAt, id). */
export async function listAudit(db: Db, input: AuditListInput) {
  const where: Prisma.AuditLogWhereInput = {
    ...(await teamAuditScope(db, input.teamId)),
    ...(input.action ? { action: { startsWith: input.action } } : {}),
    ...(input.actor ? { actorLabel: { contains: input.actor, mode: "insensitive" } } : {}),
    ...(input.since || input.until
      ? { createdAt: { ...(input.since ? { gte: new Date(input.since) } : {}), ...(input.until ? { lte: new Date(input.until) } : {}) } }
      : {}),
  };
  const rows = await db.auditLog.findMany({
    where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit + 1,
    ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
  });
  const page = rows.slice(0, input.limit);
  const total = await db.auditLog.count({ where });
  return {
    items: page.map(toAuditDto),
    nextCursor: rows.length > input.limit ? page[page.length - 1]!.id : null,
    total,
  };
}
