// Budget shapes shared by the budgets service, the usage reports and the Budgets page.
import { z } from "zod";
import { idSchema, nameSchema, teamInput } from "./schemas.ts";

export const BUDGET_SCOPES = ["team", "user", "provider", "model"] as const;
export type BudgetScope = (typeof BUDGET_SCOPES)[number];
export const BUDGET_PERIODS = ["daily", "monthly"] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

export interface BudgetStatusDto {
  id: string;
  name: string;
  scope: BudgetScope;
  /** User id, provider id or model id watched (null for the whole team). */
  scopeRef: string | null;
  /** What scopeRef stands for, for display ("ada@acme.test", "openai", "gpt-4o"). */
  scopeLabel: string;
  period: BudgetPeriod;
  enabled: boolean;
  limitUsd: number;
  spentUsd: number;
  reservedUsd: number;
  /** spent / limit × 100. */
  percent: number;
  thresholds: number[];
  /** Thresholds already crossed in this period. */
  crossed: number[];
  periodStart: string;
  periodEnd: string;
  /** Spend at the end of the period if the burn rate so far continues. */
  forecastUsd: number;
  /** "ok" | "warning" (a threshold crossed) | "exceeded" (at or over the limit) | "forecast-over" (will exceed at this rate). */
  state: "ok" | "warning" | "forecast-over" | "exceeded";
}

export interface BudgetEventDto {
  id: string;
  createdAt: string;
  budgetId: string;
  budgetName: string;
  kind: "threshold" | "refused";
  threshold: number | null;
  spentUsd: number;
  limitUsd: number;
}

const thresholdsSchema = z
  .array(z.number().int().min(1, "must be 1-100").max(100, "must be 1-100"))
  .max(10, "at most 10 thresholds")
  .transform((values) => [...new Set(values)].sort((a, b) => a - b));

/** Dollars with at most 6 decimals, up to a million per budget. */
const limitUsdSchema = z.number().positive("must be more than 0").max(1_000_000, "must be at most 1,000,000");

export const budgetCreateInput = teamInput.extend({
  name: nameSchema,
  scope: z.enum(BUDGET_SCOPES),
  scopeRef: z.string().min(1).max(128).nullish(),
  period: z.enum(BUDGET_PERIODS),
  limitUsd: limitUsdSchema,
  thresholds: thresholdsSchema.default([50, 80, 100]),
  enabled: z.boolean().default(true),
});
export type BudgetCreateInput = z.infer<typeof budgetCreateInput>;

export const budgetUpdateInput = teamInput.extend({
  budgetId: idSchema,
  name: nameSchema.optional(),
  limitUsd: limitUsdSchema.optional(),
  thresholds: thresholdsSchema.optional(),
  enabled: z.boolean().optional(),
});
export type BudgetUpdateInput = z.infer<typeof budgetUpdateInput>;

export const budgetTargetInput = teamInput.extend({ budgetId: idSchema });

export type BudgetTargetInput = z.infer<typeof budgetTargetInput>;

/** Whole-dollar amounts travel as integer nano-dollars (1e-9 USD) in the ledger. */
export const usdToNano = (usd: number): number => Math.round(usd * 1e9);
export const nanoToUsd = (nano: number | bigint): number => Number(nano) / 1e9;

/** The UTC calendar day or month containing `at`: `start` inclusive, `end` exclusive. */
export function periodBounds(period: BudgetPeriod, at: Date): { start: Date; end: Date } {
  const year = at.getUTCFullYear();
  const month = at.getUTCMonth();
  if (period === "daily") {
    const day = at.getUTCDate();
    return { start: new Date(Date.UTC(year, month, day)), end: new Date(Date.UTC(year, month, day + 1)) };
  }
  return { start: new Date(Date.UTC(year, month, 1)), end: new Date(Date.UTC(year, month + 1, 1)) };
}

// At the very start of a period a few cents would extrapolate to absurd sums, so the
// burn rate is measured over at least an hour (daily) or a day (monthly).
const MIN_ELAPSED_MS: Record<BudgetPeriod, number> = { daily: 3_600_000, monthly: 86_400_000 };

/** Spend at the end of the period if the rate so far continues. */
export function forecastSpend(period: BudgetPeriod, spent: number, at: Date): number {
  const { start, end } = periodBounds(period, at);
  const length = end.getTime() - start.getTime();
  const elapsed = Math.min(length, Math.max(MIN_ELAPSED_MS[period], at.getTime() - start.getTime()));
  return spent * (length / elapsed);
}

/** The most severe condition first: over the limit, heading over it, past a threshold. */
export function budgetState(input: { limit: number; spent: number; forecast: number; crossed: readonly number[] }): BudgetStatusDto["state"] {
  if (input.spent >= input.limit) return "exceeded";
  if (input.forecast > input.limit) return "forecast-over";
  if (input.crossed.length > 0) return "warning";
  return "ok";
}
