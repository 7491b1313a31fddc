import { describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { withFixtures } from "../../test/fixtures.ts";
import { unique } from "../../test/rbac.ts";
import { periodBounds } from "../../shared/budgets.ts";
import { budgetStatuses, BUDGET_EVENTS_LIMIT } from "./index.ts";

const f = withFixtures();

const failure = (p: Promise<unknown>) =>
  p.then(
    () => ({ code: "OK", message: "" }),
    (e: unknown) => (e instanceof TRPCError ? { code: e.code, message: e.message } : { code: String(e), message: String(e) }),
  );

async function newTeam() {
  const slug = unique("budget-svc-");
  return f.db.team.create({ data: { slug, name: slug } });
}

describe("budgets: create, update, remove", () => {
  it("creates budgets of every scope with resolved labels, and audits each", async () => {
    const operator = await f.caller("operator");
    const provider = await f.db.llmProvider.create({ data: { teamId: f.team.id, name: unique("openai-"), kind: "offline", models: ["m"] } });

    const team = await operator.budgets.create({ teamId: f.team.id, name: "Acme monthly", scope: "team", period: "monthly", limitUsd: 250.5 });
    expect(team).toMatchObject({
      name: "Acme monthly",
      scope: "team",
      scopeRef: null,
      scopeLabel: "Whole team",
      period: "monthly",
      enabled: true,
      limitUsd: 250.5,
      spentUsd: 0,
      reservedUsd: 0,
      percent: 0,
      thresholds: [50, 80, 100],
      crossed: [],
      state: "ok",
    });
    expect((await f.db.budget.findUniqueOrThrow({ where: { id: team.id } })).limitNano).toBe(250_500_000_000n);

    const user = await operator.budgets.create({
      teamId: f.team.id,
      name: "Viewer daily",
      scope: "user",
      scopeRef: f.users.viewer.id,
      period: "daily",
      limitUsd: 0.000001,
      thresholds: [90, 10, 90],
    });
    expect(user).toMatchObject({ scopeLabel: "viewer@acme.test", thresholds: [10, 90], limitUsd: 0.000001 });
    const byProvider = await operator.budgets.create({ teamId: f.team.id, name: "Provider", scope: "provider", scopeRef: provider.id, period: "monthly", limitUsd: 10 });
    expect(byProvider.scopeLabel).toBe(provider.name);
    const byModel = await operator.budgets.create({ teamId: f.team.id, name: "Model", scope: "model", scopeRef: "gpt-4o", period: "monthly", limitUsd: 10, enabled: false });
    expect(byModel).toMatchObject({ scopeLabel: "gpt-4o", enabled: false });

    const listed = await operator.budgets.list({ teamId: f.team.id });
    expect(listed.map((b) => b.name)).toEqual(expect.arrayContaining(["Acme monthly", "Viewer daily", "Provider", "Model"]));

    const audit = await f.db.auditLog.findFirstOrThrow({ where: { action: "budget.create", targetId: user.id } });
    expect(audit).toMatchObject({
      teamId: f.team.id,
      actorUserId: f.users.operator.id,
      targetType: "budget",
      after: { name: "Viewer daily", scope: "user", scopeRef: f.users.viewer.id, period: "daily", limitUsd: 0.000001, thresholds: [10, 90], enabled: true },
    });
  });

  it("validates the scope reference and the limits with clear messages", async () => {
    const operator = await f.caller("operator");
    const otherProvider = await f.db.llmProvider.create({ data: { teamId: f.otherTeam.id, name: unique("globex-"), kind: "offline", models: ["m"] } });
    const base = { teamId: f.team.id, name: unique("invalid-"), period: "monthly" as const, limitUsd: 5 };

    expect(await failure(operator.budgets.create({ ...base, scope: "team", scopeRef: "anything" }))).toEqual({
      code: "BAD_REQUEST",
      message: "A team budget watches the whole team, so it takes no scope reference.",
    });
    expect(await failure(operator.budgets.create({ ...base, scope: "user" }))).toEqual({ code: "BAD_REQUEST", message: "Choose the member this budget watches." });
    expect(await failure(operator.budgets.create({ ...base, scope: "user", scopeRef: f.users.outsider.id }))).toEqual({
      code: "BAD_REQUEST",
      message: "That user is not a member of this team.",
    });
    expect(await failure(operator.budgets.create({ ...base, scope: "provider", scopeRef: otherProvider.id }))).toEqual({
      code: "BAD_REQUEST",
      message: "That provider does not belong to this team.",
    });
    expect(await failure(operator.budgets.create({ ...base, scope: "provider", scopeRef: null }))).toEqual({
      code: "BAD_REQUEST",
      message: "Choose the provider this budget watches.",
    });
    expect(await failure(operator.budgets.create({ ...base, scope: "model", scopeRef: "   " }))).toEqual({ code: "BAD_REQUEST", message: "Name the model this budget watches." });

    const zero = await failure(operator.budgets.create({ ...base, scope: "team", limitUsd: 0 }));
    expect(zero.code).toBe("BAD_REQUEST");
    expect(zero.message).toContain("must be more than 0");
    const threshold = await failure(operator.budgets.create({ ...base, scope: "team", thresholds: [50, 150] }));
    expect(threshold.message).toContain("must be 1-100");

    expect(await f.db.budget.count({ where: { name: base.name } })).toBe(0);
  });

  it("refuses a duplicate name in the same team but allows it in another", async () => {
    const operator = await f.caller("operator");
    const outsider = await f.caller("outsider");
    const name = unique("Shared name ");
    await operator.budgets.create({ teamId: f.team.id, name, scope: "team", period: "daily", limitUsd: 1 });
    expect(await failure(operator.budgets.create({ teamId: f.team.id, name, scope: "model", scopeRef: "x", period: "daily", limitUsd: 1 }))).toEqual({
      code: "CONFLICT",
      message: `This team already has a budget named "${name}".`,
    });
    expect((await failure(outsider.budgets.create({ teamId: f.otherTeam.id, name, scope: "team", period: "daily", limitUsd: 1 }))).code).toBe("OK");
  });

  it("updates name, limit, thresholds and enabled; audits before and after", async () => {
    const admin = await f.caller("admin");
    const created = await admin.budgets.create({ teamId: f.team.id, name: unique("To update "), scope: "team", period: "monthly", limitUsd: 10 });
    const taken = await admin.budgets.create({ teamId: f.team.id, name: unique("Taken "), scope: "team", period: "monthly", limitUsd: 10 });

    const updated = await admin.budgets.update({ teamId: f.team.id, budgetId: created.id, name: "Renamed budget", limitUsd: 12.345678, thresholds: [75], enabled: false });
    expect(updated).toMatchObject({ id: created.id, name: "Renamed budget", limitUsd: 12.345678, thresholds: [75], enabled: false, scope: "team", period: "monthly" });
    expect((await f.db.budget.findUniqueOrThrow({ where: { id: created.id } })).limitNano).toBe(12_345_678_000n);

    const audit = await f.db.auditLog.findFirstOrThrow({ where: { action: "budget.update", targetId: created.id } });
    expect(audit.before).toMatchObject({ name: created.name, limitUsd: 10, thresholds: [50, 80, 100], enabled: true });
    expect(audit.after).toMatchObject({ name: "Renamed budget", limitUsd: 12.345678, thresholds: [75], enabled: false });

    expect((await failure(admin.budgets.update({ teamId: f.team.id, budgetId: created.id, name: taken.name }))).code).toBe("CONFLICT");
    // Keeping its own name is no conflict.
    expect((await failure(admin.budgets.update({ teamId: f.team.id, budgetId: created.id, name: "Renamed budget" }))).code).toBe("OK");
  });

  it("forgets thresholds a raised limit puts out of reach, so they report again", async () => {
    const admin = await f.caller("admin");
    const created = await admin.budgets.create({ teamId: f.team.id, name: unique("Raised "), scope: "model", scopeRef: "m-raise", period: "monthly", limitUsd: 1 });
    const { start } = periodBounds("monthly", new Date());
    await f.db.budgetWindow.create({ data: { budgetId: created.id, periodStart: start, spentNano: 850_000_000n, crossed: [50, 80] } });
    await admin.budgets.update({ teamId: f.team.id, budgetId: created.id, limitUsd: 1.5 });
    const window = await f.db.budgetWindow.findUniqueOrThrow({ where: { budgetId_periodStart: { budgetId: created.id, periodStart: start } } });
    expect(window.crossed).toEqual([50]);
  });

  it("removes a budget with its windows, events and held reservations, and audits it", async () => {
    const operator = await f.caller("operator");
    const created = await operator.budgets.create({ teamId: f.team.id, name: unique("To remove "), scope: "team", period: "daily", limitUsd: 3 });
    const { start } = periodBounds("daily", new Date());
    await f.db.budgetWindow.create({ data: { budgetId: created.id, periodStart: start, spentNano: 1n, reservedNano: 5n, crossed: [] } });
    await f.db.budgetReservation.create({ data: { budgetId: created.id, periodStart: start, amountNano: 5n, expiresAt: new Date(Date.now() + 60_000) } });
    await f.db.budgetEvent.create({ data: { teamId: f.team.id, budgetId: created.id, kind: "refused", periodStart: start, spentNano: 1n, limitNano: 3n } });

    expect(await operator.budgets.remove({ teamId: f.team.id, budgetId: created.id })).toEqual({ id: created.id });
    expect(await f.db.budget.count({ where: { id: created.id } })).toBe(0);
    expect(await f.db.budgetWindow.count({ where: { budgetId: created.id } })).toBe(0);
    expect(await f.db.budgetReservation.count({ where: { budgetId: created.id } })).toBe(0);
    expect(await f.db.budgetEvent.count({ where: { budgetId: created.id } })).toBe(0);
    const audit = await f.db.auditLog.findFirstOrThrow({ where: { action: "budget.remove", targetId: created.id } });
    expect(audit).toMatchObject({ actorUserId: f.users.operator.id, teamId: f.team.id, before: { name: created.name, limitUsd: 3 } });
    expect((await failure(operator.budgets.remove({ teamId: f.team.id, budgetId: created.id }))).code).toBe("NOT_FOUND");
  });
});

describe("budgets: tenant scoping", () => {
  it("never shows, changes or removes another team's budgets", async () => {
    const outsider = await f.caller("outsider");
    const admin = await f.caller("admin");
    const theirs = await outsider.budgets.create({ teamId: f.otherTeam.id, name: unique("Globex "), scope: "team", period: "monthly", limitUsd: 9 });
    await f.db.budgetEvent.create({
      data: { teamId: f.otherTeam.id, budgetId: theirs.id, kind: "refused", periodStart: new Date(theirs.periodStart), spentNano: 0n, limitNano: 9_000_000_000n },
    });

    expect((await admin.budgets.list({ teamId: f.team.id })).some((b) => b.id === theirs.id)).toBe(false);
    expect((await admin.budgets.events({ teamId: f.team.id })).some((e) => e.budgetId === theirs.id)).toBe(false);
    expect((await failure(admin.budgets.update({ teamId: f.team.id, budgetId: theirs.id, limitUsd: 1 }))).code).toBe("NOT_FOUND");
    expect((await failure(admin.budgets.remove({ teamId: f.team.id, budgetId: theirs.id }))).code).toBe("NOT_FOUND");
    expect((await failure(admin.budgets.list({ teamId: f.otherTeam.id }))).code).toBe("NOT_FOUND");
    expect((await failure(outsider.budgets.list({ teamId: f.team.id }))).code).toBe("NOT_FOUND");
    expect((await f.db.budget.findUniqueOrThrow({ where: { id: theirs.id } })).limitNano).toBe(9_000_000_000n);
  });

  it("lets a viewer read but not write", async () => {
    const viewer = await f.caller("viewer");
    expect((await failure(viewer.budgets.list({ teamId: f.team.id }))).code).toBe("OK");
    expect((await failure(viewer.budgets.create({ teamId: f.team.id, name: unique("v"), scope: "team", period: "daily", limitUsd: 1 }))).code).toBe("FORBIDDEN");
  });
});

describe("budgets: status arithmetic", () => {
  const DOLLAR = 1_000_000_000n;

  async function budgetWith(teamId: string, period: "daily" | "monthly", limitUsd: number, spentUsd: number | null, at: Date, crossed: number[] = []) {
    const budget = await f.db.budget.create({
      data: { teamId, name: unique("status-"), scope: "team", period, limitNano: BigInt(limitUsd) * DOLLAR, thresholds: [50, 80, 100] },
    });
    if (spentUsd !== null) {
      await f.db.budgetWindow.create({
        data: { budgetId: budget.id, periodStart: periodBounds(period, at).start, spentNano: BigInt(spentUsd * 1e9), reservedNano: 2n * DOLLAR, crossed },
      });
    }
    return budget;
  }

  const statusOf = async (teamId: string, id: string, at: Date) => (await budgetStatuses(f.db, teamId, at)).find((s) => s.id === id)!;

  it("extrapolates the burn rate to the end of the period and picks the state", async () => {
    const team = await newTeam();
    // November has 30 days; at the start of the 16th, half of it has gone.
    const at = new Date("2026-11-16T00:00:00.000Z");

    const halfway = await budgetWith(team.id, "monthly", 100, 30, at);
    expect(await statusOf(team.id, halfway.id, at)).toMatchObject({
      spentUsd: 30,
      reservedUsd: 2,
      limitUsd: 100,
      percent: 30,
      forecastUsd: 60,
      crossed: [],
      state: "ok",
      periodStart: "2026-11-01T00:00:00.000Z",
      periodEnd: "2026-12-01T00:00:00.000Z",
    });

    const heading = await budgetWith(team.id, "monthly", 100, 60, at, [50]);
    expect(await statusOf(team.id, heading.id, at)).toMatchObject({ percent: 60, forecastUsd: 120, crossed: [50], state: "forecast-over" });

    const late = new Date("2026-11-29T00:00:00.000Z"); // 28 of 30 days gone
    const warned = await budgetWith(team.id, "monthly", 100, 56, late);
    const warnedStatus = await statusOf(team.id, warned.id, late);
    expect(warnedStatus).toMatchObject({ percent: 56, forecastUsd: 60, crossed: [50], state: "warning" });

    const over = await budgetWith(team.id, "monthly", 100, 100, at, [50, 80, 100]);
    expect(await statusOf(team.id, over.id, at)).toMatchObject({ percent: 100, crossed: [50, 80, 100], state: "exceeded" });

    const third = await budgetWith(team.id, "monthly", 3, 1, late);
    expect((await statusOf(team.id, third.id, late)).percent).toBe(33.33);
  });

  it("measures the rate over at least an hour (daily) or a day (monthly) at the start of a period", async () => {
    const team = await newTeam();
    const dayStart = new Date("2026-11-14T00:06:00.000Z");
    const daily = await budgetWith(team.id, "daily", 100, 1, dayStart);
    expect(await statusOf(team.id, daily.id, dayStart)).toMatchObject({ forecastUsd: 24, state: "ok", periodEnd: "2026-11-15T00:00:00.000Z" });

    const monthStart = new Date("2026-11-01T02:00:00.000Z");
    const monthly = await budgetWith(team.id, "monthly", 100, 2, monthStart);
    expect(await statusOf(team.id, monthly.id, monthStart)).toMatchObject({ forecastUsd: 60, state: "ok" });

    const midDay = new Date("2026-11-14T06:00:00.000Z");
    const quarter = await budgetWith(team.id, "daily", 100, 10, midDay);
    expect((await statusOf(team.id, quarter.id, midDay)).forecastUsd).toBe(40);
  });

  it("shows the period's usage for a budget whose window no call has opened yet", async () => {
    const team = await newTeam();
    const at = new Date("2026-11-20T12:00:00.000Z");
    await f.db.usageRecord.createMany({
      data: [
        { teamId: team.id, createdAt: new Date("2026-11-02T00:00:00.000Z"), costNano: 3n * DOLLAR, model: "m", operation: "chat", outcome: "ok" },
        { teamId: team.id, createdAt: new Date("2026-11-19T00:00:00.000Z"), costNano: 2n * DOLLAR, model: "m", operation: "chat", outcome: "ok" },
        { teamId: team.id, createdAt: new Date("2026-10-19T00:00:00.000Z"), costNano: 50n * DOLLAR, model: "m", operation: "chat", outcome: "ok" },
      ],
    });
    const fresh = await budgetWith(team.id, "monthly", 10, null, at);
    expect(await statusOf(team.id, fresh.id, at)).toMatchObject({ spentUsd: 5, reservedUsd: 0, percent: 50, crossed: [50] });
    expect(await f.db.budgetWindow.count({ where: { budgetId: fresh.id } })).toBe(0); // reading creates nothing
  });
});

describe("budgets: events", () => {
  it("lists the latest events newest first, at most a hundred", async () => {
    const admin = await f.caller("admin");
    const created = await admin.budgets.create({ teamId: f.team.id, name: unique("Eventful "), scope: "team", period: "monthly", limitUsd: 2 });
    const periodStart = new Date(created.periodStart);
    const base = Date.UTC(2026, 10, 1);
    await f.db.budgetEvent.createMany({
      data: Array.from({ length: BUDGET_EVENTS_LIMIT + 5 }, (_, i) => ({
        teamId: f.team.id,
        budgetId: created.id,
        kind: i % 2 ? "threshold" : "refused",
        threshold: i % 2 ? 50 : null,
        periodStart,
        spentNano: BigInt(i) * 10_000_000n,
        limitNano: 2_000_000_000n,
        createdAt: new Date(base + i * 60_000 + 365 * 86_400_000),
      })),
    });
    const events = await admin.budgets.events({ teamId: f.team.id });
    expect(events).toHaveLength(BUDGET_EVENTS_LIMIT);
    const newest = BUDGET_EVENTS_LIMIT + 4;
    expect(events[0]).toMatchObject({
      budgetId: created.id,
      budgetName: created.name,
      kind: "refused",
      threshold: null,
      spentUsd: newest / 100,
      limitUsd: 2,
      createdAt: new Date(base + newest * 60_000 + 365 * 86_400_000).toISOString(),
    });
    expect(events[1]).toMatchObject({ kind: "threshold", threshold: 50 });
    const times = events.map((e) => Date.parse(e.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });
});
