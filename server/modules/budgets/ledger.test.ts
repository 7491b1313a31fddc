// The ledger against a real database: PGlite by default; with DATABASE_URL the
// concurrent tests spread their calls over two separate connection pools on the same
// throwaway PostgreSQL database, as two server processes would.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { withFixtures } from "../../test/fixtures.ts";
import { openDatabase, type Database, type Db } from "../../db/client.ts";
import { BudgetExceededError } from "../../errors.ts";
import { teamConfigChanged } from "../../llm/invalidation.ts";
import type { BudgetHold, SpendSubject } from "../../llm/gateway-types.ts";
import { REALTIME_KEY } from "../../realtime/emit.ts";
import { setProcessSingleton } from "../../singleton.ts";
import { unique } from "../../test/rbac.ts";
import { periodBounds } from "../../shared/budgets.ts";
import { DbBudgetGuard, type BudgetGuardOptions } from "./ledger.ts";

const f = withFixtures();

/** Mid-month, mid-day: both the day and the month window are well inside their period. */
const NOW = new Date("2026-11-14T12:00:00.000Z");
const MONTH = periodBounds("monthly", NOW).start;

let second: Database | null = null;
/** The pools the concurrent tests spread over: one on PGlite, two on PostgreSQL. */
let pools: Db[] = [];

interface Emitted {
  room: string;
  event: string;
  payload: { kind: string; threshold: number | null; budgetId: string; teamId: string };
}
const emitted: Emitted[] = [];

beforeAll(async () => {
  const target = f.database.migrationTarget;
  if (target.kind === "postgres") second = await openDatabase({ kind: "postgresql", url: target.url });
  pools = second ? [f.db, second.prisma] : [f.db];
  // A stand-in for socket.io that records what the ledger emits.
  setProcessSingleton(REALTIME_KEY, {
    to: (room: string) => ({ emit: (event: string, payload: Emitted["payload"]) => emitted.push({ room, event, payload }) }),
  });
});

afterAll(async () => {
  setProcessSingleton(REALTIME_KEY, undefined);
  await second?.close();
});

const guards: DbBudgetGuard[] = [];
afterEach(() => {
  for (const guard of guards.splice(0)) guard.close();
});

function guardOn(source: Db | (() => Promise<Db>), options: BudgetGuardOptions = {}) {
  const guard = new DbBudgetGuard(source, { now: () => NOW, ...options });
  guards.push(guard);
  return guard;
}

/** One guard whose queries alternate between the pools. */
function roundRobinGuard(options: BudgetGuardOptions = {}) {
  let next = 0;
  return guardOn(() => Promise.resolve(pools[next++ % pools.length]!), options);
}

async function newTeam() {
  const slug = unique("ledger-team-");
  return f.db.team.create({ data: { slug, name: slug } });
}

async function newBudget(
  teamId: string,
  data: { limitNano: bigint; scope?: string; scopeRef?: string | null; period?: string; thresholds?: number[]; id?: string },
) {
  return f.db.budget.create({
    data: {
      teamId,
      name: unique("budget-"),
      scope: data.scope ?? "team",
      scopeRef: data.scopeRef ?? null,
      period: data.period ?? "monthly",
      limitNano: data.limitNano,
      thresholds: data.thresholds ?? [],
      ...(data.id ? { id: data.id } : {}),
    },
  });
}

const windowOf = (budgetId: string, periodStart = MONTH) =>
  f.db.budgetWindow.findUniqueOrThrow({ where: { budgetId_periodStart: { budgetId, periodStart } } });

const subjectOf = (teamId: string, extra: Partial<SpendSubject> = {}): SpendSubject => ({
  teamId,
  userId: null,
  providerId: "prov-1",
  model: "gpt-4o",
  ...extra,
});

/** Runs the calls at once and sorts what came back. */
async function reserveAll(calls: Array<() => Promise<BudgetHold | null>>) {
  const results = await Promise.allSettled(calls.map((call) => call()));
  const holds = results.flatMap((r) => (r.status === "fulfilled" && r.value ? [r.value] : []));
  const refusals = results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
  return { holds, refusals, results };
}

describe("budget ledger: admission under concurrency", () => {
  const AMOUNT = 1_000_000;

  it("admits exactly ten of fifty concurrent reservations against room for ten, then settles them exactly", async () => {
    const team = await newTeam();
    const budget = await newBudget(team.id, { limitNano: BigInt(10 * AMOUNT) });
    const guard = roundRobinGuard();
    const subject = subjectOf(team.id);

    const { holds, refusals } = await reserveAll(Array.from({ length: 50 }, () => () => guard.reserve(subject, AMOUNT, 60_000)));

    expect(holds).toHaveLength(10);
    expect(refusals).toHaveLength(40);
    for (const refusal of refusals) {
      expect(refusal).toBeInstanceOf(BudgetExceededError);
      const error = refusal as BudgetExceededError;
      expect(error.budget).toMatchObject({ id: budget.id, name: budget.name, scope: "team", period: "monthly", limitNano: 10 * AMOUNT });
      expect(error.budget.spentNano + error.budget.reservedNano).toBe(10 * AMOUNT);
      expect(error.code).toBe("BUDGET_EXCEEDED");
    }
    expect(await windowOf(budget.id)).toMatchObject({ spentNano: 0n, reservedNano: BigInt(10 * AMOUNT) });
    expect(await f.db.budgetReservation.count({ where: { budgetId: budget.id } })).toBe(10);
    // A refused flood is one event, not forty.
    expect(await f.db.budgetEvent.count({ where: { budgetId: budget.id, kind: "refused" } })).toBe(1);

    const actual = AMOUNT - 300_000;
    await Promise.all(holds.map((hold) => guard.settle(hold, subject, actual)));
    expect(await windowOf(budget.id)).toMatchObject({ spentNano: BigInt(10 * actual), reservedNano: 0n });
    expect(await f.db.budgetReservation.count({ where: { budgetId: budget.id } })).toBe(0);

    // The 3,000,000 left over admits three more calls and refuses the fourth.
    const more = await reserveAll(Array.from({ length: 4 }, () => () => guard.reserve(subject, AMOUNT, 60_000)));
    expect(more.holds).toHaveLength(3);
    expect(more.refusals).toHaveLength(1);
    for (const hold of more.holds) await guard.release(hold);
    expect(await windowOf(budget.id)).toMatchObject({ spentNano: BigInt(10 * actual), reservedNano: 0n });
  });

  it("admits exactly ten of fifty when the calls go through five separate guards on separate pools", async () => {
    const team = await newTeam();
    const budget = await newBudget(team.id, { limitNano: BigInt(10 * AMOUNT) });
    const fleet = Array.from({ length: 5 }, (_, i) => guardOn(pools[i % pools.length]!));
    const subject = subjectOf(team.id);

    const { holds, refusals } = await reserveAll(
      Array.from({ length: 50 }, (_, i) => () => fleet[i % fleet.length]!.reserve(subject, AMOUNT, 60_000)),
    );

    expect(holds).toHaveLength(10);
    expect(refusals).toHaveLength(40);
    expect(refusals.every((e) => e instanceof BudgetExceededError && e.budget.id === budget.id)).toBe(true);
    expect(await windowOf(budget.id)).toMatchObject({ reservedNano: BigInt(10 * AMOUNT) });
    // Each guard throttles in memory; the event id naming budget and minute keeps it one row across them.
    expect(await f.db.budgetEvent.count({ where: { budgetId: budget.id, kind: "refused" } })).toBe(1);
    const refusedEmits = emitted.filter((e) => e.payload.budgetId === budget.id && e.payload.kind === "refused");
    expect(refusedEmits).toHaveLength(1);
    expect(refusedEmits[0]).toMatchObject({ room: `team:${team.id}`, event: "budget:event", payload: { teamId: team.id } });

    // Settling through other guards than the ones that reserved works just the same.
    await Promise.all(holds.map((hold, i) => fleet[(i + 1) % fleet.length]!.settle(hold, subject, AMOUNT / 2)));
    expect(await windowOf(budget.id)).toMatchObject({ spentNano: BigInt(5 * AMOUNT), reservedNano: 0n });
  });

  it("reserves on every watching budget or none: a full model budget undoes the team reservation", async () => {
    const team = await newTeam();
    // Ids fix the order the ledger visits them in: the team budget first.
    const teamBudget = await newBudget(team.id, { limitNano: BigInt(100 * AMOUNT), id: unique("a-team-") });
    const modelBudget = await newBudget(team.id, { limitNano: BigInt(AMOUNT / 2), scope: "model", scopeRef: "gpt-4o", id: unique("b-model-") });
    const guard = guardOn(f.db);

    const error = await guard.reserve(subjectOf(team.id, { model: "gpt-4o" }), AMOUNT, 60_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BudgetExceededError);
    expect((error as BudgetExceededError).budget).toMatchObject({ id: modelBudget.id, scope: "model", limitNano: AMOUNT / 2, spentNano: 0, reservedNano: 0 });
    expect(await windowOf(teamBudget.id)).toMatchObject({ reservedNano: 0n, spentNano: 0n });
    expect(await f.db.budgetReservation.count({ where: { budgetId: { in: [teamBudget.id, modelBudget.id] } } })).toBe(0);

    // Another model is watched by the team budget only.
    const hold = await guard.reserve(subjectOf(team.id, { model: "gpt-4o-mini" }), AMOUNT, 60_000);
    expect(hold?.ids).toHaveLength(1);
    expect(await windowOf(teamBudget.id)).toMatchObject({ reservedNano: BigInt(AMOUNT) });

    // Both have room: both are held, and settling charges both.
    await f.db.budget.update({ where: { id: modelBudget.id }, data: { limitNano: BigInt(10 * AMOUNT) } });
    const both = await guard.reserve(subjectOf(team.id, { model: "gpt-4o" }), AMOUNT, 60_000);
    expect(both?.ids).toHaveLength(2);
    expect(both?.amountNano).toBe(AMOUNT);
    await guard.settle(both!, subjectOf(team.id), 400);
    await guard.settle(hold!, subjectOf(team.id), 100);
    expect(await windowOf(teamBudget.id)).toMatchObject({ reservedNano: 0n, spentNano: 500n });
    expect(await windowOf(modelBudget.id)).toMatchObject({ reservedNano: 0n, spentNano: 400n });
  });
});

describe("budget ledger: release, settle, sweep", () => {
  it("releases idempotently, even through another guard or after a settle", async () => {
    const team = await newTeam();
    const budget = await newBudget(team.id, { limitNano: 10_000n });
    const guard = guardOn(f.db);
    const other = guardOn(pools[pools.length - 1]!);
    const subject = subjectOf(team.id);

    const kept = await guard.reserve(subject, 1_000, 60_000);
    const hold = await guard.reserve(subject, 3_000, 60_000);
    expect(await windowOf(budget.id)).toMatchObject({ reservedNano: 4_000n });

    await Promise.all([guard.release(hold!), guard.release(hold!), other.release(hold!), other.release(hold!)]);
    expect(await windowOf(budget.id)).toMatchObject({ reservedNano: 1_000n, spentNano: 0n });

    await guard.settle(kept!, subject, 900);
    await guard.release(kept!);
    await other.release(kept!);
    await guard.settle(kept!, subject, 900);
    expect(await windowOf(budget.id)).toMatchObject({ reservedNano: 0n, spentNano: 900n });
  });

  it("returns null and touches nothing when no budget applies; amount 0 settles fine", async () => {
    const team = await newTeam();
    const guard = guardOn(f.db);
    expect(await guard.reserve(subjectOf(team.id), 1_000, 60_000)).toBeNull();

    const budget = await newBudget(team.id, { limitNano: 1_000n, scope: "user", scopeRef: f.users.operator.id });
    guard.invalidate(team.id);
    expect(await guard.reserve(subjectOf(team.id, { userId: f.users.viewer.id }), 1_000, 60_000)).toBeNull();
    const hold = await guard.reserve(subjectOf(team.id, { userId: f.users.operator.id }), 0, 60_000);
    expect(hold).not.toBeNull();
    await guard.settle(hold!, subjectOf(team.id), 0);
    expect(await windowOf(budget.id)).toMatchObject({ reservedNano: 0n, spentNano: 0n });
  });

  it("sweeps expired reservations once, even with several sweepers at once, and a late settle still counts", async () => {
    const team = await newTeam();
    const budget = await newBudget(team.id, { limitNano: 1_000_000n });
    let clock = NOW;
    const guard = guardOn(f.db, { now: () => clock });
    const subject = subjectOf(team.id);

    const stale = await Promise.all(Array.from({ length: 6 }, () => guard.reserve(subject, 10_000, 1_000)));
    const fresh = await guard.reserve(subject, 20_000, 3_600_000);
    expect(await windowOf(budget.id)).toMatchObject({ reservedNano: 80_000n });

    clock = new Date(NOW.getTime() + 5_000);
    const sweepers = pools.flatMap((pool) => [guardOn(pool, { now: () => clock }), guardOn(pool, { now: () => clock })]);
    const released = await Promise.all(sweepers.map((s) => s.sweepExpired()));
    expect(released.reduce((a, b) => a + b, 0)).toBe(6);
    expect(await windowOf(budget.id)).toMatchObject({ reservedNano: 20_000n, spentNano: 0n });
    expect(await f.db.budgetReservation.findMany({ where: { budgetId: budget.id }, select: { id: true } })).toEqual([{ id: fresh!.ids[0] }]);
    expect(await guard.sweepExpired()).toBe(0);

    // A call that outlived its reservation still spent money: the spend is recorded, nothing is given back twice.
    await guard.settle(stale[0]!, subject, 7_000);
    await guard.release(stale[1]!);
    expect(await windowOf(budget.id)).toMatchObject({ reservedNano: 20_000n, spentNano: 7_000n });
  });

  it("adds the spend to the window the reservation was made in when the period rolls over", async () => {
    const team = await newTeam();
    const budget = await newBudget(team.id, { limitNano: 1_000_000n, period: "daily" });
    let clock = new Date("2026-11-14T23:59:59.000Z");
    const guard = guardOn(f.db, { now: () => clock });
    const hold = await guard.reserve(subjectOf(team.id), 5_000, 60_000);
    clock = new Date("2026-11-15T00:00:30.000Z");
    await guard.settle(hold!, subjectOf(team.id), 4_000);
    const day = new Date("2026-11-14T00:00:00.000Z");
    expect(await windowOf(budget.id, day)).toMatchObject({ spentNano: 4_000n, reservedNano: 0n });
    // The new day starts empty.
    const next = await guard.reserve(subjectOf(team.id), 1_000, 60_000);
    expect(await windowOf(budget.id, new Date("2026-11-15T00:00:00.000Z"))).toMatchObject({ spentNano: 0n, reservedNano: 1_000n });
    await guard.release(next!);
  });
});

describe("budget ledger: thresholds", () => {
  it("reports 50, 80 and 100 percent exactly once each, even with concurrent settles in several guards", async () => {
    const team = await newTeam();
    const budget = await newBudget(team.id, { limitNano: 1_000n, thresholds: [50, 80, 100] });
    const fleet = pools.flatMap((pool) => [guardOn(pool), guardOn(pool)]);
    const subject = subjectOf(team.id);

    const holds = await Promise.all(Array.from({ length: 10 }, (_, i) => fleet[i % fleet.length]!.reserve(subject, 100, 60_000)));
    await Promise.all(holds.map((hold, i) => fleet[(i + 1) % fleet.length]!.settle(hold!, subject, 100)));

    const window = await windowOf(budget.id);
    expect(window.spentNano).toBe(1_000n);
    expect([...window.crossed].sort((a, b) => a - b)).toEqual([50, 80, 100]);
    const events = await f.db.budgetEvent.findMany({ where: { budgetId: budget.id, kind: "threshold" }, orderBy: { threshold: "asc" } });
    expect(events.map((e) => e.threshold)).toEqual([50, 80, 100]);
    expect(events.every((e) => e.teamId === team.id && e.limitNano === 1_000n && e.periodStart.getTime() === MONTH.getTime())).toBe(true);
    const thresholdEmits = emitted.filter((e) => e.payload.budgetId === budget.id && e.payload.kind === "threshold");
    expect(thresholdEmits.map((e) => e.payload.threshold).sort((a, b) => a! - b!)).toEqual([50, 80, 100]);
    expect(thresholdEmits.every((e) => e.room === `team:${team.id}` && e.event === "budget:event")).toBe(true);

    // More spend in the same period reports nothing new.
    await f.db.budget.update({ where: { id: budget.id }, data: { limitNano: 2_000n } });
    const guard = guardOn(f.db);
    const more = await guard.reserve(subject, 100, 60_000);
    await guard.settle(more!, subject, 100);
    expect(await f.db.budgetEvent.count({ where: { budgetId: budget.id, kind: "threshold" } })).toBe(3);
  });

  it("reports a threshold reached in one step from a single settle", async () => {
    const team = await newTeam();
    const budget = await newBudget(team.id, { limitNano: 1_000n, thresholds: [50, 80, 100] });
    const guard = guardOn(f.db);
    const hold = await guard.reserve(subjectOf(team.id), 1_000, 60_000);
    await guard.settle(hold!, subjectOf(team.id), 850);
    const events = await f.db.budgetEvent.findMany({ where: { budgetId: budget.id }, orderBy: { threshold: "asc" } });
    expect(events.map((e) => [e.kind, e.threshold, e.spentNano])).toEqual([
      ["threshold", 50, 850n],
      ["threshold", 80, 850n],
    ]);
  });
});

describe("budget ledger: windows and the cache", () => {
  it("seeds a new window from the period's usage in the budget's scope", async () => {
    const team = await newTeam();
    const other = await newTeam();
    const usage = (teamId: string, createdAt: string, costNano: bigint, extra: { userId?: string; providerId?: string; model?: string } = {}) =>
      f.db.usageRecord.create({
        data: { teamId, createdAt: new Date(createdAt), costNano, model: extra.model ?? "gpt-4o", operation: "chat", outcome: "ok", userId: extra.userId, providerId: extra.providerId },
      });
    await usage(team.id, "2026-11-01T00:00:00.000Z", 100n, { userId: f.users.operator.id, providerId: "prov-a", model: "gpt-4o" });
    await usage(team.id, "2026-11-10T08:00:00.000Z", 200n, { userId: f.users.viewer.id, providerId: "prov-b", model: "gpt-4o" });
    await usage(team.id, "2026-11-14T09:00:00.000Z", 400n, { userId: f.users.operator.id, providerId: "prov-b", model: "claude" });
    await usage(team.id, "2026-10-31T23:59:59.999Z", 10_000n, { userId: f.users.operator.id }); // last month
    await usage(team.id, "2026-12-01T00:00:00.000Z", 20_000n, { userId: f.users.operator.id }); // next month
    await usage(other.id, "2026-11-12T00:00:00.000Z", 40_000n, { userId: f.users.operator.id }); // another team

    const limit = { limitNano: 1_000_000n };
    const whole = await newBudget(team.id, limit);
    const user = await newBudget(team.id, { ...limit, scope: "user", scopeRef: f.users.operator.id });
    const provider = await newBudget(team.id, { ...limit, scope: "provider", scopeRef: "prov-b" });
    const model = await newBudget(team.id, { ...limit, scope: "model", scopeRef: "gpt-4o" });
    const daily = await newBudget(team.id, { ...limit, period: "daily" });

    const guard = guardOn(f.db);
    const hold = await guard.reserve({ teamId: team.id, userId: f.users.operator.id, providerId: "prov-b", model: "gpt-4o" }, 1, 60_000);
    expect(hold?.ids).toHaveLength(5);
    expect((await windowOf(whole.id)).spentNano).toBe(700n);
    expect((await windowOf(user.id)).spentNano).toBe(500n);
    expect((await windowOf(provider.id)).spentNano).toBe(600n);
    expect((await windowOf(model.id)).spentNano).toBe(300n);
    expect((await windowOf(daily.id, periodBounds("daily", NOW).start)).spentNano).toBe(400n);

    // Seeding happens once: later usage rows are the gateway's own, already settled.
    await usage(team.id, "2026-11-14T10:00:00.000Z", 5_000n);
    await guard.settle(hold!, { teamId: team.id, providerId: "prov-b", model: "gpt-4o" }, 1);
    const fresh = guardOn(f.db);
    await fresh.release((await fresh.reserve(subjectOf(team.id), 1, 60_000))!);
    expect((await windowOf(whole.id)).spentNano).toBe(701n);
  });

  it("opens the window again when the one a guard remembered was deleted", async () => {
    const team = await newTeam();
    const budget = await newBudget(team.id, { limitNano: 10_000n });
    const guard = guardOn(f.db);
    await guard.release((await guard.reserve(subjectOf(team.id), 1_000, 60_000))!);
    await f.db.budgetWindow.deleteMany({ where: { budgetId: budget.id } });
    const hold = await guard.reserve(subjectOf(team.id), 1_000, 60_000);
    expect(hold?.ids).toHaveLength(1);
    expect(await windowOf(budget.id)).toMatchObject({ reservedNano: 1_000n });
  });

  it("answers applies() from a per-team cache, dropped on a budgets change or when the TTL runs out", async () => {
    const team = await newTeam();
    let clock = NOW;
    let loads = 0;
    const guard = guardOn(
      () => {
        loads++;
        return Promise.resolve(f.db);
      },
      { now: () => clock, cacheTtlMs: 2_000 },
    );
    const subject = subjectOf(team.id, { userId: f.users.operator.id, providerId: "prov-x", model: "m-1" });

    expect(await guard.applies(subject)).toBe(false);
    expect(loads).toBe(1);
    const budget = await newBudget(team.id, { limitNano: 1_000n, scope: "model", scopeRef: "m-1" });
    expect(await guard.applies(subject)).toBe(false); // cached
    expect(loads).toBe(1);

    teamConfigChanged(team.id, "budgets");
    expect(await guard.applies(subject)).toBe(true);
    expect(await guard.applies({ ...subject, model: "m-2" })).toBe(false);
    expect(loads).toBe(2);
    teamConfigChanged(team.id, "providers"); // other areas keep the cache
    teamConfigChanged(unique("other-team-"), "budgets");
    expect(await guard.applies(subject)).toBe(true);
    expect(loads).toBe(2);

    // No database work at all on the cached path, and well under 0.2 ms a call.
    const started = performance.now();
    const n = 5_000;
    for (let i = 0; i < n; i++) await guard.applies(subject);
    expect((performance.now() - started) / n).toBeLessThan(0.2);
    expect(loads).toBe(2);

    await f.db.budget.update({ where: { id: budget.id }, data: { enabled: false } });
    clock = new Date(NOW.getTime() + 1_999);
    expect(await guard.applies(subject)).toBe(true); // still within the TTL
    clock = new Date(NOW.getTime() + 60_000);
    expect(await guard.applies(subject)).toBe(false);
    expect(loads).toBe(3);

    // Concurrent misses share one load.
    guard.invalidate(team.id);
    await Promise.all(Array.from({ length: 10 }, () => guard.applies(subject)));
    expect(loads).toBe(4);
  });

  it("matches budgets to subjects by scope", async () => {
    const team = await newTeam();
    const guard = guardOn(f.db);
    const base = subjectOf(team.id, { userId: f.users.operator.id, providerId: "prov-1", model: "m-1" });
    await newBudget(team.id, { limitNano: 1n, scope: "user", scopeRef: f.users.viewer.id });
    await newBudget(team.id, { limitNano: 1n, scope: "provider", scopeRef: "prov-2" });
    await newBudget(team.id, { limitNano: 1n, scope: "model", scopeRef: "m-2" });
    expect(await guard.applies(base)).toBe(false);
    expect(await guard.applies({ ...base, userId: f.users.viewer.id })).toBe(true);
    expect(await guard.applies({ ...base, userId: null })).toBe(false);
    expect(await guard.applies({ ...base, providerId: "prov-2" })).toBe(true);
    expect(await guard.applies({ ...base, model: "m-2" })).toBe(true);
    // Another team's budgets never apply.
    expect(await guard.applies({ ...base, teamId: f.otherTeam.id, model: "m-2" })).toBe(false);
  });
});
