// Usage ledger shapes shared by the usage service, its router and the Usage page:
// input schemas (date ranges with defaults and limits) and the DTOs they return.
import { z } from "zod";
import { idSchema, teamInput } from "./schemas.ts";

export const USAGE_GROUP_BY = ["provider", "model", "operation", "user", "apiKey", "day", "month"] as const;
export type UsageGroupBy = (typeof USAGE_GROUP_BY)[number];
export const USAGE_BUCKETS = ["hour", "day"] as const;
export type UsageBucket = (typeof USAGE_BUCKETS)[number];
export const USAGE_SPLIT_BY = ["provider", "model", "operation", "none"] as const;
export type UsageSplitBy = (typeof USAGE_SPLIT_BY)[number];
export const USAGE_OUTCOMES = ["ok", "error", "cancelled", "refused"] as const;
export type UsageOutcome = (typeof USAGE_OUTCOMES)[number];
export const USAGE_REPORT_PERIODS = ["daily", "monthly"] as const;
export type UsageReportPeriod = (typeof USAGE_REPORT_PERIODS)[number];

export const USAGE_MAX_RANGE_DAYS = 400;
export const USAGE_DEFAULT_RANGE_DAYS = 30;
/** Hourly buckets beyond this would make charts of thousands of points; use daily ones. */
export const USAGE_MAX_HOURLY_RANGE_DAYS = 62;
/** A CSV export holds at most this many rows; narrow the range for more. */
export const USAGE_CSV_MAX_ROWS = 100_000;

const DAY_MS = 86_400_000;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** A date or an ISO 8601 string ("2026-11-01", "2026-11-01T09:30:00Z"); date-only and offset-less strings are UTC. */
export const usageDateInput = z.union([z.date(), z.string().max(40)]).transform((value, ctx) => {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) ctx.addIssue({ code: "custom", message: "is not a valid date" });
    return value;
  }
  const text = value.trim().replace(" ", "T");
  const hasTime = text.includes("T");
  const date = new Date(hasTime && !/(?:Z|[+-]\d{2}:?\d{2})$/.test(text) ? `${text}Z` : text);
  if (!ISO_DATE.test(text) || Number.isNaN(date.getTime())) {
    ctx.addIssue({ code: "custom", message: "must be an ISO date such as 2026-11-01 or 2026-11-01T09:30:00Z" });
  }
  return date;
});

export interface UsageRange {
  from: Date;
  to: Date;
}

/** Fills the default range (the last 30 days up to now) and enforces from < to and the longest range. */
export function resolveUsageRange(value: { from?: Date; to?: Date }, ctx: z.RefinementCtx, now = new Date()): UsageRange {
  const to = value.to ?? now;
  const from = value.from ?? new Date(to.getTime() - USAGE_DEFAULT_RANGE_DAYS * DAY_MS);
  if (from.getTime() >= to.getTime()) {
    ctx.addIssue({ code: "custom", path: ["from"], message: "must be before the end of the range (to)" });
  } else if (to.getTime() - from.getTime() > USAGE_MAX_RANGE_DAYS * DAY_MS) {
    ctx.addIssue({ code: "custom", path: ["from"], message: `the range may span at most ${USAGE_MAX_RANGE_DAYS} days; choose a later start or an earlier end` });
  }
  return { from, to };
}

const rangeFields = { from: usageDateInput.optional(), to: usageDateInput.optional() };

/** A range of the caller's teams (not bound to one team); the whole input may be omitted. */
export const usageRangeInput = z
  // Strict: with nothing required, a misspelt field would otherwise pass unnoticed.
  .strictObject(rangeFields)
  .optional()
  .transform((v, ctx) => resolveUsageRange(v ?? {}, ctx));

const teamRange = teamInput.extend(rangeFields);

export const usageTeamRangeInput = teamRange.transform((v, ctx) => ({ ...v, ...resolveUsageRange(v, ctx) }));

export const usageSummaryInput = teamRange
  .extend({ groupBy: z.enum(USAGE_GROUP_BY).default("provider") })
  .transform((v, ctx) => ({ ...v, ...resolveUsageRange(v, ctx) }));

export const usageTimeseriesInput = teamRange
  .extend({ bucket: z.enum(USAGE_BUCKETS).default("day"), splitBy: z.enum(USAGE_SPLIT_BY).default("none") })
  .transform((v, ctx) => {
    const range = resolveUsageRange(v, ctx);
    if (v.bucket === "hour" && range.to.getTime() - range.from.getTime() > USAGE_MAX_HOURLY_RANGE_DAYS * DAY_MS) {
      ctx.addIssue({ code: "custom", path: ["bucket"], message: `hourly buckets cover at most ${USAGE_MAX_HOURLY_RANGE_DAYS} days; use daily buckets for longer ranges` });
    }
    return { ...v, ...range };
  });

export const usageRecordsInput = teamRange
  .extend({
    cursor: idSchema.optional(),
    limit: z.number().int().min(1).max(100).default(50),
    model: z.string().min(1).max(200).optional(),
    /** A provider id or name. */
    provider: z.string().min(1).max(120).optional(),
    outcome: z.enum(USAGE_OUTCOMES).optional(),
  })
  .transform((v, ctx) => ({ ...v, ...resolveUsageRange(v, ctx) }));

export const usageReportInput = teamInput
  .extend({ period: z.enum(USAGE_REPORT_PERIODS).default("monthly"), at: usageDateInput.optional() })
  .transform((v) => ({ ...v, at: v.at ?? new Date() }));

export type UsageSummaryInput = z.output<typeof usageSummaryInput>;
export type UsageTimeseriesInput = z.output<typeof usageTimeseriesInput>;
export type UsageRecordsInput = z.output<typeof usageRecordsInput>;

export interface UsageSummaryRowDto {
  /** The grouped value: provider id, model, operation, user id, API key id, "2026-11-01" or "2026-11"; "" when absent. */
  key: string;
  /** For display: provider name, user e-mail, API key name, the model/operation/date itself. */
  label: string;
  calls: number;
  /** Calls whose outcome was "error". */
  errors: number;
  cacheHits: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  costUsd: number;
  avgLatencyMs: number;
}

export interface UsageTimeseriesDto {
  /** Bucket starts as ISO timestamps (UTC), oldest first; every bucket of the range is present. */
  buckets: string[];
  /** One series per provider/model/operation (or one "Total"), largest cost first; arrays align with buckets. */
  series: { name: string; costUsd: number[]; calls: number[] }[];
}

export interface UsageTotalsDto {
  calls: number;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  cacheHits: number;
  /** cacheHits / calls, 0..1 (0 without calls). */
  cacheHitRate: number;
  errors: number;
  avgLatencyMs: number;
  p95LatencyMs: number;
}

export interface UsageTeamRowDto {
  teamId: string;
  teamSlug: string;
  teamName: string;
  calls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface UsageRecordDto {
  id: string;
  createdAt: string;
  userId: string | null;
  userEmail: string | null;
  apiKeyId: string | null;
  apiKeyName: string | null;
  runId: string | null;
  stepId: string | null;
  providerId: string | null;
  providerName: string | null;
  providerKind: string | null;
  model: string;
  operation: string;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  costUsd: number;
  latencyMs: number;
  cacheHit: boolean;
  outcome: UsageOutcome;
  errorKind: string | null;
  errorMessage: string | null;
}

export interface UsageRecordPageDto {
  items: UsageRecordDto[];
  nextCursor: string | null;
}

/** Spend of one provider/model pair (the `maestro usage` table). */
export interface UsageProviderModelRowDto {
  provider: string;
  model: string;
  calls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}
