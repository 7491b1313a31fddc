// The budget ledger: what every LLM call goes through before it may cost money.
// Each budget has one BudgetWindow row per period. A call's worst-case cost is admitted
// by ONE conditional UPDATE on that row (room re-checked under the row lock, so it is
// exact across connections and processes), recorded as a BudgetReservation in the same
// statement, and later replaced by the actual cost (settle) or given back (release).
// Reservations of calls that die unsettled expire and are released by the sweep.
import { randomUUID } from "node:crypto";
import type { Db } from "../../db/client.ts";
import { Prisma } from "../../db/generated/client.ts";
import { BudgetExceededError, type BudgetRef } from "../../errors.ts";
import type { BudgetGuard, BudgetHold, SpendSubject } from "../../llm/gateway-types.ts";
import { onTeamConfigChanged } from "../../llm/invalidation.ts";
import { emitToTeam } from "../../realtime/emit.ts";
import { logger } from "../../logger.ts";
import { nanoToUsd, periodBounds, type BudgetEventDto, type BudgetPeriod, type BudgetScope } from "../../shared/budgets.ts";

export const DEFAULT_BUDGET_CACHE_TTL_MS = 2_000;
/** A budget records at most one refusal event per this interval (a refused flood is one event). */
const REFUSAL_EVENT_INTERVAL_MS = 60_000;
const SWEEP_BATCH = 1_000;

export type DbSource = Db | (() => Promise<Db>);

export interface BudgetGuardOptions {
  /** The clock; tests pin it. */
  now?: () => Date;
  /** How long a team's enabled budgets are trusted; edits made in another process show after this. */
  cacheTtlMs?: number;
}

/** What the ledger needs to know about an enabled budget. */
export interface LedgerBudget {
  id: string;
  teamId: string;
  name: string;
  scope: BudgetScope;
  scopeRef: string | null;
  period: BudgetPeriod;
  limitNano: bigint;
  thresholds: number[];
}

/** Does the budget watch calls of this subject? */
export function budgetWatches(budget: Pick<LedgerBudget, "scope" | "scopeRef">, subject: SpendSubject): boolean {
  switch (budget.scope) {
    case "team":
      return true;
    case "user":
      return !!subject.userId && budget.scopeRef === subject.userId;
    case "provider":
      return budget.scopeRef === subject.providerId;
    case "model":
      return budget.scopeRef === subject.model;
  }
}

/** The UsageRecord rows a budget's scope covers (alias `u`), as an SQL condition to append. */
function usageScopeFilter(budget: Pick<LedgerBudget, "scope" | "scopeRef">): Prisma.Sql {
  switch (budget.scope) {
    case "team":
      return Prisma.empty;
    case "user":
      return Prisma.sql`AND u."userId" = ${budget.scopeRef}`;
    case "provider":
      return Prisma.sql`AND u."providerId" = ${budget.scopeRef}`;
    case "model":
      return Prisma.sql`AND u."model" = ${budget.scopeRef}`;
  }
}

/** Spend recorded in the usage ledger for a budget's scope in [start, end). */
export async function usageSpentNano(
  db: Db,
  budget: Pick<LedgerBudget, "teamId" | "scope" | "scopeRef">,
  start: Date,
  end: Date,
): Promise<bigint> {
  const rows = await db.$queryRaw<{ spent: bigint }[]>`
    SELECT COALESCE(SUM(u."costNano"), 0)::bigint AS "spent" FROM "UsageRecord" u
    WHERE u."teamId" = ${budget.teamId} AND u."createdAt" >= ${start} AND u."createdAt" < ${end} ${usageScopeFilter(budget)}`;
  return rows[0]?.spent ?? 0n;
}

const windowKey = (budgetId: string, start: Date) => `${budgetId}@${start.getTime()}`;

/** One reservation of a hold: which window it sits in. */
interface HeldWindow {
  id: string;
  budgetId: string;
  periodStart: Date;
}

/** The hold handed to the gateway; `windows` lets a late settle find spend whose reservation the sweep released. */
interface LedgerHold extends BudgetHold {
  readonly windows: readonly HeldWindow[];
}

interface SettledWindow {
  budgetId: string;
  periodStart: Date;
  spentNano: bigint;
  crossed: number[] | null;
  teamId: string;
  name: string;
  limitNano: bigint;
  thresholds: number[] | null;
}

interface CachedBudgets {
  budgets: LedgerBudget[];
  expiresAt: number;
}

export class DbBudgetGuard implements BudgetGuard {
  private readonly source: DbSource;
  private readonly now: () => Date;
  private readonly ttlMs: number;
  private readonly cache = new Map<string, CachedBudgets>();
  private readonly loading = new Map<string, Promise<LedgerBudget[]>>();
  /** Windows known to exist, so the seeding INSERT runs once per budget and period. */
  private readonly knownWindows = new Set<string>();
  private readonly lastRefusalEvent = new Map<string, number>();
  /** Holds this guard already settled or released: a repeated call is a no-op. */
  private readonly finished = new WeakSet<BudgetHold>();
  private readonly unsubscribe: () => void;

  constructor(source: DbSource, options: BudgetGuardOptions = {}) {
    this.source = source;
    this.now = options.now ?? (() => new Date());
    this.ttlMs = options.cacheTtlMs ?? DEFAULT_BUDGET_CACHE_TTL_MS;
    this.unsubscribe = onTeamConfigChanged((teamId, area) => {
      if (area === "budgets") this.invalidate(teamId);
    });
  }

  /** Stops listening for configuration changes. */
  close(): void {
    this.unsubscribe();
  }

  /** Drops the cached budgets of one team (or all teams). */
  invalidate(teamId?: string): void {
    if (teamId === undefined) {
      this.cache.clear();
      this.loading.clear();
      return;
    }
    this.cache.delete(teamId);
    this.loading.delete(teamId);
  }

  async applies(subject: SpendSubject): Promise<boolean> {
    const budgets = this.cachedBudgets(subject.teamId) ?? (await this.loadBudgets(subject.teamId));
    return budgets.some((budget) => budgetWatches(budget, subject));
  }

  async reserve(subject: SpendSubject, amountNano: number, ttlMs: number): Promise<BudgetHold | null> {
    const budgets = (this.cachedBudgets(subject.teamId) ?? (await this.loadBudgets(subject.teamId))).filter((b) => budgetWatches(b, subject));
    if (budgets.length === 0) return null;
    const db = await this.db();
    const now = this.now();
    const amount = BigInt(Math.max(0, Math.round(amountNano)));
    const expiresAt = new Date(now.getTime() + ttlMs);
    const held: HeldWindow[] = [];
    try {
      for (const budget of budgets) {
        const { start, end } = periodBounds(budget.period, now);
        await this.ensureWindow(db, budget, start, end);
        const id = randomUUID();
        if (await this.admit(db, budget.id, start, id, amount, now, expiresAt)) {
          held.push({ id, budgetId: budget.id, periodStart: start });
          continue;
        }
        let state = await this.windowState(db, budget.id, start);
        if (state?.enabled && state.spentNano === null) {
          // The window this guard remembered is gone (deleted by hand): open it again and retry once.
          this.knownWindows.delete(windowKey(budget.id, start));
          await this.ensureWindow(db, budget, start, end);
          if (await this.admit(db, budget.id, start, id, amount, now, expiresAt)) {
            held.push({ id, budgetId: budget.id, periodStart: start });
            continue;
          }
          state = await this.windowState(db, budget.id, start);
        }
        // Removed or disabled since the cache was filled: it no longer limits anything.
        if (!state?.enabled) continue;
        const ref: BudgetRef = {
          id: budget.id,
          name: state.name,
          scope: budget.scope,
          period: budget.period,
          limitNano: Number(state.limitNano),
          spentNano: Number(state.spentNano ?? 0n),
          reservedNano: Number(state.reservedNano ?? 0n),
        };
        // All or nothing: the earlier budgets of this call give their room back.
        await this.releaseIds(db, held.map((h) => h.id));
        held.length = 0;
        await this.recordRefusal(db, budget, start, state, now).catch((error: unknown) =>
          logger.warn("budget.refusal_event_failed", { budgetId: budget.id, error }),
        );
        throw new BudgetExceededError(ref, Number(amount));
      }
    } catch (error) {
      if (held.length > 0) {
        await this.releaseIds(db, held.map((h) => h.id)).catch((releaseError: unknown) =>
          logger.warn("budget.undo_failed", { error: releaseError }),
        );
      }
      throw error;
    }
    if (held.length === 0) return null;
    const hold: LedgerHold = { ids: held.map((h) => h.id), amountNano: Number(amount), windows: held };
    return hold;
  }

  async settle(hold: BudgetHold, subject: SpendSubject, actualNano: number): Promise<void> {
    if (this.finished.has(hold) || hold.ids.length === 0) return;
    this.finished.add(hold);
    const db = await this.db();
    const actual = BigInt(Math.max(0, Math.round(actualNano)));
    let settled: SettledWindow[];
    try {
      // Spend goes to the window the reservation was made in, even when the period has
      // rolled over since: the reservation row names it.
      settled = await db.$queryRaw<SettledWindow[]>`
        WITH gone AS (
          DELETE FROM "BudgetReservation" WHERE "id" = ANY(${[...hold.ids]}::text[])
          RETURNING "budgetId", "periodStart", "amountNano"
        )
        UPDATE "BudgetWindow" AS w
        SET "reservedNano" = w."reservedNano" - g."amountNano", "spentNano" = w."spentNano" + ${actual}::bigint
        FROM gone AS g, "Budget" AS b
        WHERE w."budgetId" = g."budgetId" AND w."periodStart" = g."periodStart" AND b."id" = w."budgetId"
        RETURNING w."budgetId", w."periodStart", w."spentNano", w."crossed", b."teamId", b."name", b."limitNano", b."thresholds"`;
    } catch (error) {
      this.finished.delete(hold); // the statement applied nothing; the caller may try again
      throw error;
    }
    // A reservation the sweep already released (the call outlived its TTL) still cost money.
    const windows = (hold as Partial<LedgerHold>).windows ?? [];
    for (const lost of windows.filter((w) => !settled.some((s) => s.budgetId === w.budgetId))) {
      const rows = await db.$queryRaw<SettledWindow[]>`
        UPDATE "BudgetWindow" AS w SET "spentNano" = w."spentNano" + ${actual}::bigint
        FROM "Budget" AS b
        WHERE w."budgetId" = ${lost.budgetId} AND w."periodStart" = ${lost.periodStart} AND b."id" = w."budgetId"
        RETURNING w."budgetId", w."periodStart", w."spentNano", w."crossed", b."teamId", b."name", b."limitNano", b."thresholds"`;
      settled.push(...rows);
      logger.warn("budget.settled_after_sweep", { teamId: subject.teamId, budgetId: lost.budgetId, actualNano: Number(actual) });
    }
    for (const window of settled) {
      // A lost notification must not fail a call that already happened.
      await this.reportThresholds(db, window).catch((error: unknown) =>
        logger.warn("budget.threshold_report_failed", { budgetId: window.budgetId, error }),
      );
    }
  }

  async release(hold: BudgetHold): Promise<void> {
    if (this.finished.has(hold) || hold.ids.length === 0) return;
    this.finished.add(hold);
    await this.releaseIds(await this.db(), hold.ids);
  }

  /**
   * Releases reservations whose call outlived its TTL (crashed or hung). Safe to run
   * from several processes at once: each row is deleted by exactly one of them, and only
   * the deleter gives its amount back. Returns how many reservations were released.
   */
  async sweepExpired(): Promise<number> {
    const db = await this.db();
    const now = this.now();
    let total = 0;
    for (;;) {
      const rows = await db.$queryRaw<{ released: number }[]>`
        WITH gone AS (
          DELETE FROM "BudgetReservation" WHERE "id" IN (
            SELECT "id" FROM "BudgetReservation" WHERE "expiresAt" <= ${now}
            ORDER BY "expiresAt" LIMIT ${SWEEP_BATCH}::integer FOR UPDATE SKIP LOCKED
          )
          RETURNING "budgetId", "periodStart", "amountNano"
        ),
        per_window AS (
          SELECT "budgetId", "periodStart", SUM("amountNano")::bigint AS "amount" FROM gone GROUP BY "budgetId", "periodStart"
        ),
        given_back AS (
          UPDATE "BudgetWindow" AS w SET "reservedNano" = w."reservedNano" - p."amount"
          FROM per_window AS p WHERE w."budgetId" = p."budgetId" AND w."periodStart" = p."periodStart"
          RETURNING 1
        )
        SELECT COUNT(*)::int AS "released" FROM gone`;
      const released = Number(rows[0]?.released ?? 0);
      total += released;
      if (released < SWEEP_BATCH) break;
    }
    if (total > 0) logger.info("budget.reservations_swept", { released: total });
    return total;
  }

  // -------------------------------------------------------------------------------

  private async db(): Promise<Db> {
    return typeof this.source === "function" ? this.source() : this.source;
  }

  /** The team's enabled budgets when the cache holds them; no database work on this path. */
  private cachedBudgets(teamId: string): LedgerBudget[] | undefined {
    const hit = this.cache.get(teamId);
    if (hit && hit.expiresAt > this.now().getTime()) return hit.budgets;
    return undefined;
  }

  /** Loads a team's enabled budgets; concurrent callers share one query. */
  private loadBudgets(teamId: string): Promise<LedgerBudget[]> {
    const pending = this.loading.get(teamId);
    if (pending) return pending;
    const load = (async () => {
      const db = await this.db();
      const rows = await db.budget.findMany({
        where: { teamId, enabled: true },
        orderBy: { id: "asc" },
        select: { id: true, teamId: true, name: true, scope: true, scopeRef: true, period: true, limitNano: true, thresholds: true },
      });
      return rows.map((r) => ({ ...r, scope: r.scope as BudgetScope, period: r.period as BudgetPeriod }));
    })();
    this.loading.set(teamId, load);
    return load.then(
      (budgets) => {
        // An invalidation while loading removed this entry; the result may predate the change.
        if (this.loading.get(teamId) === load) {
          this.cache.set(teamId, { budgets, expiresAt: this.now().getTime() + this.ttlMs });
          this.loading.delete(teamId);
        }
        return budgets;
      },
      (error: unknown) => {
        if (this.loading.get(teamId) === load) this.loading.delete(teamId);
        throw error;
      },
    );
  }

  /**
   * Creates the budget's window for this period if missing. A new window starts from the
   * spend already in the usage ledger, so a budget created mid-month sees the month so far.
   */
  private async ensureWindow(db: Db, budget: LedgerBudget, start: Date, end: Date): Promise<void> {
    const key = windowKey(budget.id, start);
    if (this.knownWindows.has(key)) return;
    await db.$executeRaw`
      INSERT INTO "BudgetWindow" ("budgetId", "periodStart", "spentNano", "reservedNano", "crossed")
      SELECT b."id", ${start}::timestamp(3),
        (SELECT COALESCE(SUM(u."costNano"), 0) FROM "UsageRecord" u
          WHERE u."teamId" = ${budget.teamId} AND u."createdAt" >= ${start} AND u."createdAt" < ${end} ${usageScopeFilter(budget)})::bigint,
        0, '{}'::integer[]
      FROM "Budget" b WHERE b."id" = ${budget.id}
      ON CONFLICT ("budgetId", "periodStart") DO NOTHING`;
    if (this.knownWindows.size >= 10_000) this.knownWindows.clear();
    this.knownWindows.add(key);
  }

  /**
   * The one statement that admits a reservation: the room check and the increment are
   * a single conditional UPDATE, re-checked by PostgreSQL on the locked row, and the
   * reservation row is written in the same statement.
   */
  private async admit(db: Db, budgetId: string, start: Date, id: string, amount: bigint, now: Date, expiresAt: Date): Promise<boolean> {
    const rows = await db.$queryRaw<{ id: string }[]>`
      WITH admitted AS (
        UPDATE "BudgetWindow" AS w SET "reservedNano" = w."reservedNano" + ${amount}::bigint
        FROM "Budget" AS b
        WHERE w."budgetId" = ${budgetId} AND w."periodStart" = ${start}
          AND b."id" = w."budgetId" AND b."enabled"
          AND w."spentNano" + w."reservedNano" + ${amount}::bigint <= b."limitNano"
        RETURNING w."budgetId", w."periodStart"
      )
      INSERT INTO "BudgetReservation" ("id", "budgetId", "periodStart", "amountNano", "createdAt", "expiresAt")
      SELECT ${id}::text, "budgetId", "periodStart", ${amount}::bigint, ${now}::timestamp(3), ${expiresAt}::timestamp(3) FROM admitted
      RETURNING "id"`;
    return rows.length > 0;
  }

  private async windowState(db: Db, budgetId: string, start: Date) {
    const rows = await db.$queryRaw<
      { name: string; enabled: boolean; limitNano: bigint; spentNano: bigint | null; reservedNano: bigint | null }[]
    >`
      SELECT b."name", b."enabled", b."limitNano", w."spentNano", w."reservedNano"
      FROM "Budget" b LEFT JOIN "BudgetWindow" w ON w."budgetId" = b."id" AND w."periodStart" = ${start}
      WHERE b."id" = ${budgetId}`;
    return rows[0];
  }

  /** Gives reservations back; each row is deleted once, so repeating this never subtracts twice. */
  private async releaseIds(db: Db, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await db.$executeRaw`
      WITH gone AS (
        DELETE FROM "BudgetReservation" WHERE "id" = ANY(${[...ids]}::text[])
        RETURNING "budgetId", "periodStart", "amountNano"
      ),
      per_window AS (
        SELECT "budgetId", "periodStart", SUM("amountNano")::bigint AS "amount" FROM gone GROUP BY "budgetId", "periodStart"
      )
      UPDATE "BudgetWindow" AS w SET "reservedNano" = w."reservedNano" - p."amount"
      FROM per_window AS p WHERE w."budgetId" = p."budgetId" AND w."periodStart" = p."periodStart"`;
  }

  /**
   * One "refused" event per budget per minute. The event id names the budget and the
   * minute, so concurrent refusals in several processes insert it once.
   */
  private async recordRefusal(
    db: Db,
    budget: LedgerBudget,
    start: Date,
    state: { name: string; limitNano: bigint; spentNano: bigint | null },
    now: Date,
  ): Promise<void> {
    const at = now.getTime();
    const last = this.lastRefusalEvent.get(budget.id);
    if (last !== undefined && at - last < REFUSAL_EVENT_INTERVAL_MS) return;
    this.lastRefusalEvent.set(budget.id, at);
    const eventId = `refused_${budget.id}_${Math.floor(at / REFUSAL_EVENT_INTERVAL_MS)}`;
    const since = new Date(at - REFUSAL_EVENT_INTERVAL_MS);
    const spent = state.spentNano ?? 0n;
    const rows = await db.$queryRaw<{ id: string; createdAt: Date }[]>`
      INSERT INTO "BudgetEvent" ("id", "createdAt", "teamId", "budgetId", "kind", "threshold", "periodStart", "spentNano", "limitNano")
      SELECT ${eventId}::text, ${now}::timestamp(3), ${budget.teamId}::text, ${budget.id}::text, 'refused', NULL::integer,
        ${start}::timestamp(3), ${spent}::bigint, ${state.limitNano}::bigint
      WHERE NOT EXISTS (
        SELECT 1 FROM "BudgetEvent" WHERE "budgetId" = ${budget.id} AND "kind" = 'refused' AND "createdAt" > ${since}
      )
      ON CONFLICT ("id") DO NOTHING
      RETURNING "id", "createdAt"`;
    const row = rows[0];
    if (!row) return;
    logger.warn("budget.refused", { teamId: budget.teamId, budgetId: budget.id, budget: state.name, spentNano: Number(spent), limitNano: Number(state.limitNano) });
    this.emit(budget.teamId, {
      id: row.id,
      createdAt: row.createdAt.toISOString(),
      budgetId: budget.id,
      budgetName: state.name,
      kind: "refused",
      threshold: null,
      spentUsd: nanoToUsd(spent),
      limitUsd: nanoToUsd(state.limitNano),
    });
  }

  /**
   * Reports each soft threshold the window's spend has reached and not yet reported.
   * The claim (array_append guarded by NOT ANY) and the event are one statement, so
   * exactly one settle, in whatever process, reports each threshold once per period.
   */
  private async reportThresholds(db: Db, window: SettledWindow): Promise<void> {
    const crossed = window.crossed ?? [];
    const due = (window.thresholds ?? []).filter(
      (t) => !crossed.includes(t) && window.spentNano * 100n >= window.limitNano * BigInt(t),
    );
    for (const threshold of due) {
      const rows = await db.$queryRaw<{ id: string; createdAt: Date; spentNano: bigint }[]>`
        WITH claimed AS (
          UPDATE "BudgetWindow" SET "crossed" = array_append(COALESCE("crossed", '{}'::integer[]), ${threshold}::integer)
          WHERE "budgetId" = ${window.budgetId} AND "periodStart" = ${window.periodStart}
            AND NOT (${threshold}::integer = ANY(COALESCE("crossed", '{}'::integer[])))
          RETURNING "spentNano"
        )
        INSERT INTO "BudgetEvent" ("id", "createdAt", "teamId", "budgetId", "kind", "threshold", "periodStart", "spentNano", "limitNano")
        SELECT ${randomUUID()}::text, ${this.now()}::timestamp(3), ${window.teamId}::text, ${window.budgetId}::text, 'threshold', ${threshold}::integer,
          ${window.periodStart}::timestamp(3), "spentNano", ${window.limitNano}::bigint
        FROM claimed
        RETURNING "id", "createdAt", "spentNano"`;
      const row = rows[0];
      if (!row) continue;
      const log = threshold >= 100 ? logger.warn : logger.info;
      log("budget.threshold", {
        teamId: window.teamId,
        budgetId: window.budgetId,
        budget: window.name,
        threshold,
        spentNano: Number(row.spentNano),
        limitNano: Number(window.limitNano),
      });
      this.emit(window.teamId, {
        id: row.id,
        createdAt: row.createdAt.toISOString(),
        budgetId: window.budgetId,
        budgetName: window.name,
        kind: "threshold",
        threshold,
        spentUsd: nanoToUsd(row.spentNano),
        limitUsd: nanoToUsd(window.limitNano),
      });
    }
  }

  private emit(teamId: string, event: BudgetEventDto): void {
    emitToTeam(teamId, "budget:event", { ...event, teamId });
  }
}
