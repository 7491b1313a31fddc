// A team's usage for one UTC day or month as Markdown: readable in a terminal, a chat
// message or an e-mail, and pasted into tickets as is.
import type { Db } from "../../db/client.ts";
import { budgetStatuses } from "../budgets/index.ts";
import { NotFoundError } from "../../errors.ts";
import type { BudgetStatusDto } from "../../shared/budgets.ts";
import type { UsageRange, UsageReportPeriod, UsageSummaryRowDto } from "../../shared/usage.ts";
import { flushUsage } from "./recorder.ts";
import { summaryRows, totalsRow } from "./service.ts";

const TOP = 10;

/** The UTC calendar day or month containing `at`. */
export function reportRange(period: UsageReportPeriod, at: Date): UsageRange {
  const y = at.getUTCFullYear();
  const m = at.getUTCMonth();
  if (period === "monthly") return { from: new Date(Date.UTC(y, m, 1)), to: new Date(Date.UTC(y, m + 1, 1)) };
  const d = at.getUTCDate();
  return { from: new Date(Date.UTC(y, m, d)), to: new Date(Date.UTC(y, m, d + 1)) };
}

function periodName(period: UsageReportPeriod, from: Date): string {
  return period === "monthly"
    ? from.toLocaleString("en-US", { month: "long", year: "numeric", timeZone: "UTC" })
    : from.toISOString().slice(0, 10);
}

export function usd(value: number): string {
  return `$${value.toLocaleString("en-US", { minimumFractionDigits: value >= 100 ? 2 : 4, maximumFractionDigits: value >= 100 ? 2 : 4 })}`;
}

const int = (n: number) => Math.round(n).toLocaleString("en-US");
const ms = (n: number) => `${int(n)} ms`;
const pct = (n: number) => `${n.toFixed(1)}%`;

/** A table cell: pipes escaped and line breaks flattened, so user-named things cannot break the table. */
function cell(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/[\r\n]+/g, " ");
}

function table(headers: string[], align: ("l" | "r")[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(headers), line(align.map((a) => (a === "r" ? "---:" : "---"))), ...rows.map((r) => line(r.map(cell)))].join("\n");
}

function breakdown(title: string, first: string, rows: UsageSummaryRowDto[], limit?: number): string {
  if (!rows.length) return `## ${title}\n\n_No usage in this period._`;
  const shown = limit ? rows.slice(0, limit) : rows;
  const more = rows.length - shown.length;
  const body = table(
    [first, "Calls", "Errors", "Input tokens", "Output tokens", "Cost (USD)"],
    ["l", "r", "r", "r", "r", "r"],
    shown.map((r) => [r.label, int(r.calls), int(r.errors), int(r.inputTokens), int(r.outputTokens), usd(r.costUsd)]),
  );
  return `## ${title}\n\n${body}${more > 0 ? `\n\n_…and ${more} more._` : ""}`;
}

function budgetSection(budgets: BudgetStatusDto[]): string {
  if (!budgets.length) return "## Budgets\n\n_No budgets are set for this team._";
  const state = (b: BudgetStatusDto) => {
    if (!b.enabled) return "disabled";
    return b.state === "warning" || b.state === "exceeded" ? `⚠ ${b.state}` : b.state;
  };
  const body = table(
    ["Budget", "Watches", "Period", "Spent / limit", "Percent", "Forecast", "State"],
    ["l", "l", "l", "r", "r", "r", "l"],
    budgets.map((b) => [
      b.name,
      b.scope === "team" ? "team" : `${b.scope}: ${b.scopeLabel}`,
      b.period,
      `${usd(b.spentUsd)} / ${usd(b.limitUsd)}`,
      pct(b.percent),
      usd(b.forecastUsd),
      state(b),
    ]),
  );
  return `## Budgets\n\n${body}`;
}

export interface UsageReportOptions {
  period: UsageReportPeriod;
  /** Any moment inside the day or month to report on. */
  at: Date;
  /** The team's budget statuses (from the budgets module), shown as they are. */
  budgets: BudgetStatusDto[];
  generatedAt?: Date;
}

/** The Markdown report of one team's usage for the UTC day or month containing `at`. */
/** The team's report with its budgets' current status (what the Costs page and the API serve). */
export async function teamUsageReport(db: Db, teamId: string, options: Omit<UsageReportOptions, "budgets">): Promise<string> {
  return usageReport(db, teamId, { ...options, budgets: await budgetStatuses(db, teamId, options.at) });
}

export async function usageReport(db: Db, teamId: string, options: UsageReportOptions): Promise<string> {
  const team = await db.team.findUnique({ where: { id: teamId }, select: { name: true, slug: true } });
  if (!team) throw new NotFoundError("Team");
  const range = reportRange(options.period, options.at);
  await flushUsage();
  const [totals, providers, models, users, operations] = await Promise.all([
    totalsRow(db, teamId, range),
    summaryRows(db, teamId, range, "provider"),
    summaryRows(db, teamId, range, "model"),
    summaryRows(db, teamId, range, "user"),
    summaryRows(db, teamId, range, "operation"),
  ]);
  const period = periodName(options.period, range.from);
  const totalsTable = table(
    ["Calls", "Cost (USD)", "Input tokens", "Output tokens", "Cache hit rate", "Errors", "Avg latency", "p95 latency"],
    ["r", "r", "r", "r", "r", "r", "r", "r"],
    [[int(totals.calls), usd(totals.costUsd), int(totals.inputTokens), int(totals.outputTokens), pct(totals.cacheHitRate * 100), int(totals.errors), ms(totals.avgLatencyMs), ms(totals.p95LatencyMs)]],
  );
  return [
    `# Usage report: ${cell(team.name)}, ${period} (${options.period})`,
    `Team \`${team.slug}\`, from ${range.from.toISOString()} to ${range.to.toISOString()} (UTC).`,
    `## Totals\n\n${totalsTable}`,
    breakdown("By provider", "Provider", providers),
    breakdown("By model", "Model", models),
    breakdown("Top users", "User", users, TOP),
    breakdown("Top operations", "Operation", operations, TOP),
    budgetSection(options.budgets),
    `_Generated at ${(options.generatedAt ?? new Date()).toISOString()}._`,
  ].join("\n\n") + "\n";
}
