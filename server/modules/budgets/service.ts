// Budgets: spending limits on a team, or on one user, provider or model within it,
// per UTC day or month. The ledger (ledger.ts) enforces them on every call; this file
// manages them and reports where each stands.
import type { Db } from "../../db/client.ts";
import { isUniqueViolation } from "../../db/errors.ts";
import type { Budget, BudgetEvent } from "../../db/generated/client.ts";
import { ConflictError, NotFoundError, ValidationError } from "../../errors.ts";
import { teamConfigChanged } from "../../llm/invalidation.ts";
import { recordAudit, type AuditActor } from "../audit/index.ts";
import {
  budgetState,
  forecastSpend,
  nanoToUsd,
  periodBounds,
  usdToNano,
  type BudgetCreateInput,
  type BudgetEventDto,
  type BudgetPeriod,
  type BudgetScope,
  type BudgetStatusDto,
  type BudgetTargetInput,
  type BudgetUpdateInput,
} from "../../shared/budgets.ts";
import { usageSpentNano } from "./ledger.ts";

export const BUDGET_EVENTS_LIMIT = 100;
const TEAM_SCOPE_LABEL = "Whole team";

const round2 = (value: number) => Math.round(value * 100) / 100;

interface WindowRow {
  spentNano: bigint;
  reservedNano: bigint;
  crossed: number[];
}

/** Display names for what budgets watch; only users and providers of the team resolve. */
async function scopeLabels(db: Db, teamId: string, budgets: Budget[]): Promise<Map<string, string>> {
  const refs = (scope: BudgetScope) => budgets.filter((b) => b.scope === scope && b.scopeRef).map((b) => b.scopeRef!);
  const [users, providers] = await Promise.all([
    refs("user").length
      ? db.user.findMany({ where: { id: { in: refs("user") }, memberships: { some: { teamId } } }, select: { id: true, email: true } })
      : [],
    refs("provider").length
      ? db.llmProvider.findMany({ where: { id: { in: refs("provider") }, teamId }, select: { id: true, name: true } })
      : [],
  ]);
  return new Map([...users.map((u) => [`user:${u.id}`, u.email] as const), ...providers.map((p) => [`provider:${p.id}`, p.name] as const)]);
}

function labelOf(budget: Budget, labels: Map<string, string>): string {
  if (budget.scope === "team" || !budget.scopeRef) return TEAM_SCOPE_LABEL;
  if (budget.scope === "model") return budget.scopeRef;
  return labels.get(`${budget.scope}:${budget.scopeRef}`) ?? `${budget.scope} ${budget.scopeRef} (removed)`;
}

function toStatusDto(budget: Budget, window: WindowRow, scopeLabel: string, at: Date): BudgetStatusDto {
  const period = budget.period as BudgetPeriod;
  const { start, end } = periodBounds(period, at);
  const limit = Number(budget.limitNano);
  const spent = Number(window.spentNano);
  const forecast = forecastSpend(period, spent, at);
  // Thresholds reported in this period, plus any the spend has reached but no settle has
  // reported yet (a window seeded from earlier usage).
  const crossed = budget.thresholds.filter((t) => window.crossed.includes(t) || window.spentNano * 100n >= budget.limitNano * BigInt(t));
  return {
    id: budget.id,
    name: budget.name,
    scope: budget.scope as BudgetScope,
    scopeRef: budget.scopeRef,
    scopeLabel,
    period,
    enabled: budget.enabled,
    limitUsd: nanoToUsd(limit),
    spentUsd: nanoToUsd(spent),
    reservedUsd: nanoToUsd(window.reservedNano),
    percent: limit > 0 ? round2((spent / limit) * 100) : 0,
    thresholds: budget.thresholds,
    crossed,
    periodStart: start.toISOString(),
    periodEnd: end.toISOString(),
    forecastUsd: nanoToUsd(Math.round(forecast)),
    state: budgetState({ limit, spent, forecast, crossed }),
  };
}

async function statusesOf(db: Db, teamId: string, budgets: Budget[], at: Date): Promise<BudgetStatusDto[]> {
  if (budgets.length === 0) return [];
  const bounds = new Map(budgets.map((b) => [b.id, periodBounds(b.period as BudgetPeriod, at)]));
  const [windows, labels] = await Promise.all([
    db.budgetWindow.findMany({ where: { OR: budgets.map((b) => ({ budgetId: b.id, periodStart: bounds.get(b.id)!.start })) } }),
    scopeLabels(db, teamId, budgets),
  ]);
  const byBudget = new Map(windows.map((w) => [w.budgetId, w]));
  return Promise.all(
    budgets.map(async (budget) => {
      const { start, end } = bounds.get(budget.id)!;
      // No call has opened this period's window yet: show what the ledger would seed it with.
      const window: WindowRow = byBudget.get(budget.id) ?? {
        spentNano: await usageSpentNano(db, { teamId, scope: budget.scope as BudgetScope, scopeRef: budget.scopeRef }, start, end),
        reservedNano: 0n,
        crossed: [],
      };
      return toStatusDto(budget, window, labelOf(budget, labels), at);
    }),
  );
}

/** Every budget of the team with its spend in the current period (the usage reports use this too). */
export async function budgetStatuses(db: Db, teamId: string, at: Date = new Date()): Promise<BudgetStatusDto[]> {
  const budgets = await db.budget.findMany({ where: { teamId }, orderBy: [{ name: "asc" }, { id: "asc" }] });
  return statusesOf(db, teamId, budgets, at);
}

/** The scope reference a budget may have: a member of the team, a provider of the team, a model id, or none. */
async function checkedScopeRef(db: Db, teamId: string, scope: BudgetScope, scopeRef: string | null | undefined): Promise<string | null> {
  const ref = scopeRef?.trim() || null;
  switch (scope) {
    case "team":
      if (ref) throw new ValidationError("A team budget watches the whole team, so it takes no scope reference.", { field: "scopeRef" });
      return null;
    case "user": {
      if (!ref) throw new ValidationError("Choose the member this budget watches.", { field: "scopeRef" });
      const member = await db.membership.findFirst({ where: { teamId, userId: ref }, select: { userId: true } });
      if (!member) throw new ValidationError("That user is not a member of this team.", { field: "scopeRef" });
      return ref;
    }
    case "provider": {
      if (!ref) throw new ValidationError("Choose the provider this budget watches.", { field: "scopeRef" });
      const provider = await db.llmProvider.findFirst({ where: { id: ref, teamId }, select: { id: true } });
      if (!provider) throw new ValidationError("That provider does not belong to this team.", { field: "scopeRef" });
      return ref;
    }
    case "model":
      if (!ref) throw new ValidationError("Name the model this budget watches.", { field: "scopeRef" });
      return ref;
  }
}


const duplicateName = (name: string) => new ConflictError(`This team already has a budget named "${name}".`);

async function assertNameFree(db: Db, teamId: string, name: string, exceptId?: string) {
  const clash = await db.budget.findFirst({ where: { teamId, name, ...(exceptId ? { id: { not: exceptId } } : {}) }, select: { id: true } });
  if (clash) throw duplicateName(name);
}

async function findBudget(db: Db, teamId: string, budgetId: string): Promise<Budget> {
  const budget = await db.budget.findFirst({ where: { id: budgetId, teamId } });
  if (!budget) throw new NotFoundError("That budget");
  return budget;
}

/** What the audit log keeps of a budget. */
function auditView(b: Budget) {
  return {
    name: b.name,
    scope: b.scope,
    scopeRef: b.scopeRef,
    period: b.period,
    limitUsd: nanoToUsd(b.limitNano),
    thresholds: b.thresholds,
    enabled: b.enabled,
  };
}

export async function createBudget(db: Db, actor: AuditActor, input: BudgetCreateInput, at: Date = new Date()): Promise<BudgetStatusDto> {
  const scopeRef = await checkedScopeRef(db, input.teamId, input.scope, input.scopeRef);
  await assertNameFree(db, input.teamId, input.name);
  let budget: Budget;
  try {
    budget = await db.budget.create({
      data: {
        teamId: input.teamId,
        name: input.name,
        scope: input.scope,
        scopeRef,
        period: input.period,
        limitNano: BigInt(usdToNano(input.limitUsd)),
        thresholds: input.thresholds,
        enabled: input.enabled,
      },
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateName(input.name);
    throw error;
  }
  await recordAudit(db, actor, { action: "budget.create", teamId: input.teamId, targetType: "budget", targetId: budget.id, after: auditView(budget) });
  teamConfigChanged(input.teamId, "budgets");
  const [status] = await statusesOf(db, input.teamId, [budget], at);
  return status!;
}

/** Changes name, limit, thresholds or enabled; scope and period are fixed at creation. */
export async function updateBudget(db: Db, actor: AuditActor, input: BudgetUpdateInput, at: Date = new Date()): Promise<BudgetStatusDto> {
  const before = await findBudget(db, input.teamId, input.budgetId);
  if (input.name !== undefined && input.name !== before.name) await assertNameFree(db, input.teamId, input.name, before.id);
  let budget: Budget;
  try {
    budget = await db.budget.update({
      where: { id: before.id },
      data: {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.limitUsd !== undefined ? { limitNano: BigInt(usdToNano(input.limitUsd)) } : {}),
        ...(input.thresholds !== undefined ? { thresholds: input.thresholds } : {}),
        ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
      },
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateName(input.name ?? before.name);
    throw error;
  }
  if (budget.limitNano !== before.limitNano) {
    // Against a new limit, thresholds reported this period count again only once reached again.
    const { start } = periodBounds(budget.period as BudgetPeriod, at);
    await db.$executeRaw`
      UPDATE "BudgetWindow" SET "crossed" = ARRAY(
        SELECT t FROM unnest(COALESCE("crossed", '{}'::integer[])) AS t WHERE "spentNano" * 100 >= ${budget.limitNano}::bigint * t
      )
      WHERE "budgetId" = ${budget.id} AND "periodStart" = ${start}`;
  }
  await recordAudit(db, actor, {
    action: "budget.update",
    teamId: input.teamId,
    targetType: "budget",
    targetId: budget.id,
    before: auditView(before),
    after: auditView(budget),
  });
  teamConfigChanged(input.teamId, "budgets");
  const [status] = await statusesOf(db, input.teamId, [budget], at);
  return status!;
}

export async function removeBudget(db: Db, actor: AuditActor, input: BudgetTargetInput): Promise<{ id: string }> {
  const budget = await findBudget(db, input.teamId, input.budgetId);
  // Windows and events go with the budget (cascade); held reservations have no foreign key.
  await db.$transaction([
    db.budgetReservation.deleteMany({ where: { budgetId: budget.id } }),
    db.budget.delete({ where: { id: budget.id } }),
  ]);
  await recordAudit(db, actor, { action: "budget.remove", teamId: input.teamId, targetType: "budget", targetId: budget.id, before: auditView(budget) });
  teamConfigChanged(input.teamId, "budgets");
  return { id: budget.id };
}

type EventRow = BudgetEvent & { budget: { name: string } };

export function toBudgetEventDto(row: EventRow): BudgetEventDto {
  return {
    id: row.id,
    createdAt: row.createdAt.toISOString(),
    budgetId: row.budgetId,
    budgetName: row.budget.name,
    kind: row.kind as BudgetEventDto["kind"],
    threshold: row.threshold,
    spentUsd: nanoToUsd(row.spentNano),
    limitUsd: nanoToUsd(row.limitNano),
  };
}

/** The team's latest budget events (thresholds crossed, calls refused), newest first. */
export async function listBudgetEvents(db: Db, teamId: string): Promise<BudgetEventDto[]> {
  const rows = await db.budgetEvent.findMany({
    where: { teamId },
    include: { budget: { select: { name: true } } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: BUDGET_EVENTS_LIMIT,
  });
  return rows.map(toBudgetEventDto);
}
