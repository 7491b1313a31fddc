// The Markdown usage report: its period, totals, breakdown tables and budget lines.
import { beforeAll, describe, expect, it } from "vitest";
import { withFixtures } from "../../test/fixtures.ts";
import type { BudgetStatusDto } from "../../shared/budgets.ts";
import { reportRange, usageReport } from "./report.ts";

const f = withFixtures();

beforeAll(async () => {
  const base = { teamId: f.team.id, operation: "chat", outcome: "ok", providerName: "openai", model: "gpt-4o" };
  await f.db.usageRecord.createMany({
    data: [
      { ...base, createdAt: new Date("2026-11-05T09:00:00Z"), userId: f.users.admin.id, inputTokens: 1_000, outputTokens: 2_000, costNano: 2_500_000_000n, latencyMs: 100 },
      { ...base, createdAt: new Date("2026-11-06T09:00:00Z"), userId: f.users.operator.id, model: "gpt|mini", operation: "code-review", costNano: 500_000n, latencyMs: 300, cacheHit: true },
      { ...base, createdAt: new Date("2026-11-06T10:00:00Z"), providerName: "anthropic", model: "claude-x", outcome: "error", latencyMs: 50 },
      // Another month and another team stay out.
      { ...base, createdAt: new Date("2026-10-31T23:00:00Z"), costNano: 9_000_000_000n },
      { ...base, teamId: f.otherTeam.id, createdAt: new Date("2026-11-05T09:00:00Z"), costNano: 7_000_000_000n, model: "globex-model" },
    ],
  });
});

function budget(over: Partial<BudgetStatusDto>): BudgetStatusDto {
  return {
    id: "b1",
    name: "Team monthly",
    scope: "team",
    scopeRef: null,
    scopeLabel: "Acme",
    period: "monthly",
    enabled: true,
    limitUsd: 100,
    spentUsd: 2.5005,
    reservedUsd: 0,
    percent: 2.5,
    thresholds: [50, 80, 100],
    crossed: [],
    periodStart: "2026-11-01T00:00:00.000Z",
    periodEnd: "2026-12-01T00:00:00.000Z",
    forecastUsd: 3.75,
    state: "ok",
    ...over,
  };
}

describe("usage report", () => {
  it("covers the UTC day or month containing the moment given", () => {
    expect(reportRange("monthly", new Date("2026-12-31T23:59:59Z"))).toEqual({ from: new Date("2026-12-01T00:00:00Z"), to: new Date("2027-01-01T00:00:00Z") });
    expect(reportRange("daily", new Date("2026-11-06T10:00:00Z"))).toEqual({ from: new Date("2026-11-06T00:00:00Z"), to: new Date("2026-11-07T00:00:00Z") });
  });

  it("renders totals, breakdowns and budget states as Markdown tables", async () => {
    const markdown = await usageReport(f.db, f.team.id, {
      period: "monthly",
      at: new Date("2026-11-20T12:00:00Z"),
      generatedAt: new Date("2026-11-20T12:34:56Z"),
      budgets: [
        budget({}),
        budget({ id: "b2", name: "Ada's cap", scope: "user", scopeLabel: "admin@acme.test", period: "daily", limitUsd: 2, spentUsd: 1.7, percent: 85, crossed: [50, 80], forecastUsd: 2.4, state: "warning" }),
        budget({ id: "b3", name: "GPT", scope: "model", scopeLabel: "gpt-4o", limitUsd: 2, spentUsd: 2.5, percent: 125, forecastUsd: 5, state: "exceeded" }),
        budget({ id: "b4", name: "Old", enabled: false }),
      ],
    });
    expect(markdown).toContain("# Usage report: Acme, November 2026 (monthly)");
    expect(markdown).toContain("from 2026-11-01T00:00:00.000Z to 2026-12-01T00:00:00.000Z");
    expect(markdown).toContain("| 3 | $2.5005 | 1,000 | 2,000 | 33.3% | 1 | 150 ms | 280 ms |");
    expect(markdown).toContain("## By provider");
    expect(markdown).toContain("| openai | 2 | 0 | 1,000 | 2,000 | $2.5005 |");
    expect(markdown).toContain("| anthropic | 1 | 1 | 0 | 0 | $0.0000 |");
    expect(markdown).toContain("## By model");
    // A pipe in a name is escaped so it cannot split the table.
    expect(markdown).toContain("| gpt\\|mini | 1 | 0 | 0 | 0 | $0.0005 |");
    expect(markdown).toContain("## Top users");
    expect(markdown).toContain("| admin@acme.test | 1 | 0 | 1,000 | 2,000 | $2.5000 |");
    expect(markdown).toContain("| (no user) | 1 |");
    expect(markdown).toContain("## Top operations");
    expect(markdown).toContain("| code-review | 1 |");
    expect(markdown).toContain("## Budgets");
    expect(markdown).toContain("| Budget | Watches | Period | Spent / limit | Percent | Forecast | State |");
    expect(markdown).toContain("| Team monthly | team | monthly | $2.5005 / $100.00 | 2.5% | $3.7500 | ok |");
    expect(markdown).toContain("| Ada's cap | user: admin@acme.test | daily | $1.7000 / $2.0000 | 85.0% | $2.4000 | ⚠ warning |");
    expect(markdown).toContain("| GPT | model: gpt-4o | monthly | $2.5000 / $2.0000 | 125.0% | $5.0000 | ⚠ exceeded |");
    expect(markdown).toContain("| Old | team | monthly | $2.5005 / $100.00 | 2.5% | $3.7500 | disabled |");
    expect(markdown).toContain("_Generated at 2026-11-20T12:34:56.000Z._");
    expect(markdown).not.toContain("globex-model");
    expect(markdown).not.toContain("$9.0000");
  });

  it("says so when a day had no usage and no budgets exist", async () => {
    const markdown = await usageReport(f.db, f.team.id, { period: "daily", at: new Date("2026-11-10T08:00:00Z"), budgets: [] });
    expect(markdown).toContain("# Usage report: Acme, 2026-11-10 (daily)");
    expect(markdown).toContain("| 0 | $0.0000 | 0 | 0 | 0.0% | 0 | 0 ms | 0 ms |");
    expect(markdown).toContain("## By model\n\n_No usage in this period._");
    expect(markdown).toContain("_No budgets are set for this team._");
  });

  it("is served by the router with the team's budget statuses", async () => {
    const viewer = await f.caller("viewer");
    const markdown = await viewer.usage.report({ teamId: f.team.id, period: "daily", at: "2026-11-06" });
    expect(markdown).toContain("# Usage report: Acme, 2026-11-06 (daily)");
    expect(markdown).toContain("| gpt\\|mini |");
    expect(markdown).toContain("## Budgets");
  });
});
