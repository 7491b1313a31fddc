// Reads of the usage ledger: aggregates are computed by PostgreSQL (GROUP BY), never by
// loading rows into JS. Costs are summed as integer nano-dollars and travel back as
// text, so neither bigint nor numeric (Decimal) driver types, nor float rounding,
// get in the way; they become dollars only at the edge.
import type { Db } from "../../db/client.ts";
import { can, type Scope } from "../../shared/rbac.ts";
import { Prisma } from "../../db/generated/client.ts";
import { NotFoundError, ValidationError } from "../../errors.ts";
import { nanoToUsd } from "../../llm/catalog.ts";
import {
  USAGE_CSV_MAX_ROWS,
  USAGE_MAX_RANGE_DAYS,
  type UsageBucket,
  type UsageGroupBy,
  type UsageOutcome,
  type UsageProviderModelRowDto,
  type UsageRange,
  type UsageRecordDto,
  type UsageRecordPageDto,
  type UsageSplitBy,
  type UsageSummaryRowDto,
  type UsageTeamRowDto,
  type UsageTimeseriesDto,
  type UsageTotalsDto,
} from "../../shared/usage.ts";
import { flushUsage } from "./recorder.ts";

const NANO = 1_000_000_000n;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Exact decimal dollars of a nano-dollar amount ("1.000000001"). */
export function formatNanoUsd(nano: bigint): string {
  const sign = nano < 0n ? "-" : "";
  const abs = nano < 0n ? -nano : nano;
  return `${sign}${abs / NANO}.${(abs % NANO).toString().padStart(9, "0")}`;
}

/** The nearest number to the exact dollar amount, at any size (sums may pass 2^53 nano). */
export function nanoSumToUsd(nano: bigint): number {
  return Number(formatNanoUsd(nano));
}

/** Drivers return float8 as number, bigint as bigint, numeric as Decimal or string; all become numbers here. */
function num(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  const n = Number(String(value));
  return Number.isFinite(n) ? n : 0;
}

function nano(value: unknown): bigint {
  if (value === null || value === undefined) return 0n;
  if (typeof value === "bigint") return value;
  const text = String(value);
  return /^-?\d+$/.test(text) ? BigInt(text) : BigInt(Math.round(Number(text)));
}

/** Timestamps are stored as UTC `timestamp(3)`; comparing with a zone-less literal keeps the session time zone out of it. */
const utcLiteral = (d: Date) => Prisma.sql`${d.toISOString().replace("T", " ").replace("Z", "")}::timestamp`;

function inRange(teamId: string, range: UsageRange) {
  return Prisma.sql`u."teamId" = ${teamId} AND u."createdAt" >= ${utcLiteral(range.from)} AND u."createdAt" < ${utcLiteral(range.to)}`;
}

const METRICS = Prisma.sql`
  COUNT(*)::float8 AS "calls",
  (COUNT(*) FILTER (WHERE u."outcome" = 'error'))::float8 AS "errors",
  (COUNT(*) FILTER (WHERE u."cacheHit"))::float8 AS "cacheHits",
  COALESCE(SUM(u."inputTokens"), 0)::float8 AS "inputTokens",
  COALESCE(SUM(u."outputTokens"), 0)::float8 AS "outputTokens",
  COALESCE(SUM(u."cachedInputTokens"), 0)::float8 AS "cachedInputTokens",
  COALESCE(SUM(u."costNano"), 0)::text AS "costNano",
  COALESCE(AVG(u."latencyMs"), 0)::float8 AS "avgLatencyMs"`;

interface RawMetrics {
  calls: unknown;
  errors: unknown;
  cacheHits: unknown;
  inputTokens: unknown;
  outputTokens: unknown;
  cachedInputTokens: unknown;
  costNano: unknown;
  avgLatencyMs: unknown;
}

function metrics(row: RawMetrics) {
  return {
    calls: num(row.calls),
    errors: num(row.errors),
    cacheHits: num(row.cacheHits),
    inputTokens: num(row.inputTokens),
    outputTokens: num(row.outputTokens),
    cachedInputTokens: num(row.cachedInputTokens),
    costUsd: nanoSumToUsd(nano(row.costNano)),
    avgLatencyMs: Math.round(num(row.avgLatencyMs) * 10) / 10,
  };
}

interface Dimension {
  /** The grouped expression. */
  key: Prisma.Sql;
  /** An aggregate giving the display name; the key itself when absent. */
  label?: Prisma.Sql;
  join?: Prisma.Sql;
  chronological?: boolean;
}

// Joins repeat the team condition: a label never comes from another tenant's row.
const DIMENSIONS: Record<UsageGroupBy, Dimension> = {
  provider: {
    key: Prisma.sql`COALESCE(u."providerId", u."providerName", '')`,
    label: Prisma.sql`COALESCE(MAX(p."name"), MAX(u."providerName"), MAX(u."providerId"), '(no provider)')`,
    join: Prisma.sql`LEFT JOIN "LlmProvider" p ON p."id" = u."providerId" AND p."teamId" = u."teamId"`,
  },
  model: { key: Prisma.sql`u."model"` },
  operation: { key: Prisma.sql`u."operation"` },
  user: {
    key: Prisma.sql`COALESCE(u."userId", '')`,
    label: Prisma.sql`COALESCE(MAX(us."email"), MAX(u."userId"), '(no user)')`,
    join: Prisma.sql`LEFT JOIN "User" us ON us."id" = u."userId"`,
  },
  apiKey: {
    key: Prisma.sql`COALESCE(u."apiKeyId", '')`,
    label: Prisma.sql`COALESCE(MAX(k."name"), MAX(u."apiKeyId"), '(no API key)')`,
    join: Prisma.sql`LEFT JOIN "ApiKey" k ON k."id" = u."apiKeyId" AND k."teamId" = u."teamId"`,
  },
  day: { key: Prisma.sql`to_char(date_trunc('day', u."createdAt"), 'YYYY-MM-DD')`, chronological: true },
  month: { key: Prisma.sql`to_char(date_trunc('month', u."createdAt"), 'YYYY-MM')`, chronological: true },
};

/** usageSummary without the flush, for callers that flushed once already. */
export async function summaryRows(db: Db, teamId: string, range: UsageRange, groupBy: UsageGroupBy): Promise<UsageSummaryRowDto[]> {
  const dim = DIMENSIONS[groupBy];
  const rows = await db.$queryRaw<(RawMetrics & { key: string; label: string | null })[]>`
    SELECT ${dim.key} AS "key", ${dim.label ?? Prisma.sql`NULL::text`} AS "label", ${METRICS}
    FROM "UsageRecord" u ${dim.join ?? Prisma.empty}
    WHERE ${inRange(teamId, range)}
    GROUP BY 1
    ORDER BY ${dim.chronological ? Prisma.sql`1 ASC` : Prisma.sql`SUM(u."costNano") DESC, 1 ASC`}`;
  return rows.map((r) => ({ key: r.key, label: r.label ?? r.key, ...metrics(r) }));
}

/** Spend and calls grouped by one dimension; largest cost first, or oldest first for day/month. */
export async function usageSummary(db: Db, teamId: string, input: UsageRange & { groupBy: UsageGroupBy }): Promise<UsageSummaryRowDto[]> {
  await flushUsage();
  return summaryRows(db, teamId, input, input.groupBy);
}

/** Bucket starts (UTC) covering [from, to). */
export function bucketStarts(range: UsageRange, bucket: UsageBucket): number[] {
  const step = bucket === "hour" ? HOUR_MS : DAY_MS;
  const starts: number[] = [];
  for (let t = Math.floor(range.from.getTime() / step) * step; t < range.to.getTime(); t += step) starts.push(t);
  return starts;
}

/** Cost and calls per hour or day, split into stacked series, every bucket present (zeros where nothing ran). */
export async function usageTimeseries(
  db: Db,
  teamId: string,
  input: UsageRange & { bucket: UsageBucket; splitBy: UsageSplitBy },
): Promise<UsageTimeseriesDto> {
  await flushUsage();
  const starts = bucketStarts(input, input.bucket);
  const index = new Map(starts.map((t, i) => [t, i]));
  const dim = input.splitBy === "none" ? null : DIMENSIONS[input.splitBy];
  const unit = Prisma.raw(input.bucket === "hour" ? "'hour'" : "'day'");
  const rows = await db.$queryRaw<{ bucket: unknown; name: string | null; calls: unknown; costNano: unknown }[]>`
    SELECT (EXTRACT(EPOCH FROM date_trunc(${unit}, u."createdAt")) * 1000)::float8 AS "bucket",
      ${dim ? (dim.label ?? dim.key) : Prisma.sql`NULL::text`} AS "name",
      COUNT(*)::float8 AS "calls",
      COALESCE(SUM(u."costNano"), 0)::text AS "costNano"
    FROM "UsageRecord" u ${dim?.join ?? Prisma.empty}
    WHERE ${inRange(teamId, input)}
    GROUP BY ${dim ? Prisma.sql`1, ${dim.key}` : Prisma.sql`1`}`;

  // Series are keyed by display name, so a renamed-then-recreated provider shows once.
  const series = new Map<string, { name: string; costNano: bigint[]; calls: number[]; total: bigint }>();
  for (const row of rows) {
    const i = index.get(num(row.bucket));
    if (i === undefined) continue;
    const name = dim ? row.name || "(none)" : "Total";
    let s = series.get(name);
    if (!s) series.set(name, (s = { name, costNano: starts.map(() => 0n), calls: starts.map(() => 0), total: 0n }));
    const cost = nano(row.costNano);
    s.costNano[i]! += cost;
    s.calls[i]! += num(row.calls);
    s.total += cost;
  }
  if (!dim && !series.size) series.set("Total", { name: "Total", costNano: starts.map(() => 0n), calls: starts.map(() => 0), total: 0n });
  return {
    buckets: starts.map((t) => new Date(t).toISOString()),
    series: [...series.values()]
      .sort((a, b) => (a.total === b.total ? a.name.localeCompare(b.name) : a.total > b.total ? -1 : 1))
      .map((s) => ({ name: s.name, costUsd: s.costNano.map(nanoSumToUsd), calls: s.calls })),
  };
}

/** usageTotals without the flush. */
export async function totalsRow(db: Db, teamId: string, range: UsageRange): Promise<UsageTotalsDto> {
  const [row] = await db.$queryRaw<(RawMetrics & { p95LatencyMs: unknown })[]>`
    SELECT ${METRICS},
      COALESCE(percentile_cont(0.95) WITHIN GROUP (ORDER BY u."latencyMs"), 0)::float8 AS "p95LatencyMs"
    FROM "UsageRecord" u
    WHERE ${inRange(teamId, range)}`;
  const m = metrics(row!);
  return {
    calls: m.calls,
    costUsd: m.costUsd,
    inputTokens: m.inputTokens,
    outputTokens: m.outputTokens,
    cacheHits: m.cacheHits,
    cacheHitRate: m.calls ? m.cacheHits / m.calls : 0,
    errors: m.errors,
    avgLatencyMs: m.avgLatencyMs,
    p95LatencyMs: Math.round(num(row!.p95LatencyMs) * 10) / 10,
  };
}

/** The team's headline numbers over the range. */
export async function usageTotals(db: Db, teamId: string, range: UsageRange): Promise<UsageTotalsDto> {
  await flushUsage();
  return totalsRow(db, teamId, range);
}

/** Spend per team for the given teams (the caller's), every team listed even without usage; largest cost first. */
/** Cost per team across the caller's teams where they may read usage (an API key: its own team only). */
export function usageByTeamFor(db: Db, memberships: readonly { teamId: string; scopes: readonly Scope[] }[], range: UsageRange): Promise<UsageTeamRowDto[]> {
  return usageByTeam(db, memberships.filter((m) => can(m.scopes, "usage:read")).map((m) => m.teamId), range);
}

export async function usageByTeam(db: Db, teamIds: readonly string[], range: UsageRange): Promise<UsageTeamRowDto[]> {
  if (!teamIds.length) return [];
  await flushUsage();
  const rows = await db.$queryRaw<{ teamId: string; teamSlug: string; teamName: string; calls: unknown; inputTokens: unknown; outputTokens: unknown; costNano: unknown }[]>`
    SELECT t."id" AS "teamId", t."slug" AS "teamSlug", t."name" AS "teamName",
      COUNT(u."id")::float8 AS "calls",
      COALESCE(SUM(u."inputTokens"), 0)::float8 AS "inputTokens",
      COALESCE(SUM(u."outputTokens"), 0)::float8 AS "outputTokens",
      COALESCE(SUM(u."costNano"), 0)::text AS "costNano"
    FROM "Team" t
    LEFT JOIN "UsageRecord" u ON u."teamId" = t."id" AND u."createdAt" >= ${utcLiteral(range.from)} AND u."createdAt" < ${utcLiteral(range.to)}
    WHERE t."id" IN (${Prisma.join([...teamIds])})
    GROUP BY t."id", t."slug", t."name"
    ORDER BY COALESCE(SUM(u."costNano"), 0) DESC, t."name" ASC`;
  return rows.map((r) => ({
    teamId: r.teamId,
    teamSlug: r.teamSlug,
    teamName: r.teamName,
    calls: num(r.calls),
    inputTokens: num(r.inputTokens),
    outputTokens: num(r.outputTokens),
    costUsd: nanoSumToUsd(nano(r.costNano)),
  }));
}

type UsageRow = Awaited<ReturnType<Db["usageRecord"]["findUniqueOrThrow"]>>;

/** E-mails and key names for a page of rows (the ledger keeps ids only); keys only from this team. */
async function namesFor(db: Db, teamId: string, rows: UsageRow[]) {
  const userIds = [...new Set(rows.map((r) => r.userId).filter((v): v is string => !!v))];
  const keyIds = [...new Set(rows.map((r) => r.apiKeyId).filter((v): v is string => !!v))];
  const [users, keys] = await Promise.all([
    userIds.length ? db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, email: true } }) : [],
    keyIds.length ? db.apiKey.findMany({ where: { id: { in: keyIds }, teamId }, select: { id: true, name: true } }) : [],
  ]);
  return { emails: new Map(users.map((u) => [u.id, u.email])), keyNames: new Map(keys.map((k) => [k.id, k.name])) };
}

function toRecordDto(r: UsageRow, names: Awaited<ReturnType<typeof namesFor>>): UsageRecordDto {
  return {
    id: r.id,
    createdAt: r.createdAt.toISOString(),
    userId: r.userId,
    userEmail: r.userId ? (names.emails.get(r.userId) ?? null) : null,
    apiKeyId: r.apiKeyId,
    apiKeyName: r.apiKeyId ? (names.keyNames.get(r.apiKeyId) ?? null) : null,
    runId: r.runId,
    stepId: r.stepId,
    providerId: r.providerId,
    providerName: r.providerName,
    providerKind: r.providerKind,
    model: r.model,
    operation: r.operation,
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    cachedInputTokens: r.cachedInputTokens,
    costUsd: nanoToUsd(Number(r.costNano)),
    latencyMs: r.latencyMs,
    cacheHit: r.cacheHit,
    outcome: r.outcome as UsageOutcome,
    errorKind: r.errorKind,
    errorMessage: r.errorMessage,
  };
}

export interface UsageRecordsQuery extends UsageRange {
  cursor?: string;
  limit: number;
  model?: string;
  /** A provider id or name. */
  provider?: string;
  outcome?: UsageOutcome;
}

/** The ledger's rows, newest first, a page at a time. */
export async function usageRecords(db: Db, teamId: string, input: UsageRecordsQuery): Promise<UsageRecordPageDto> {
  await flushUsage();
  const limit = Math.min(100, Math.max(1, input.limit));
  const rows = await db.usageRecord.findMany({
    where: {
      teamId,
      createdAt: { gte: input.from, lt: input.to },
      ...(input.model ? { model: input.model } : {}),
      ...(input.provider ? { OR: [{ providerId: input.provider }, { providerName: input.provider }] } : {}),
      ...(input.outcome ? { outcome: input.outcome } : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
  });
  const page = rows.slice(0, limit);
  const names = await namesFor(db, teamId, page);
  return { items: page.map((r) => toRecordDto(r, names)), nextCursor: rows.length > limit ? page[page.length - 1]!.id : null };
}

const CSV_COLUMNS = [
  "id",
  "created_at",
  "user_email",
  "api_key",
  "provider",
  "provider_kind",
  "model",
  "operation",
  "outcome",
  "input_tokens",
  "output_tokens",
  "cached_input_tokens",
  "cost_usd",
  "latency_ms",
  "cache_hit",
  "error_kind",
  "error_message",
  "run_id",
  "step_id",
] as const;

/** One RFC 4180 field: quoted when it holds a comma, quote, CR or LF; quotes doubled. */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const CSV_CHUNK = 5_000;

/** The range's rows as CSV (RFC 4180, CRLF lines, oldest first), at most USAGE_CSV_MAX_ROWS. */
export async function usageCsv(db: Db, teamId: string, range: UsageRange): Promise<string> {
  await flushUsage();
  const where = { teamId, createdAt: { gte: range.from, lt: range.to } };
  const total = await db.usageRecord.count({ where, take: USAGE_CSV_MAX_ROWS + 1 });
  if (total > USAGE_CSV_MAX_ROWS) {
    throw new ValidationError(
      `The range holds more than ${USAGE_CSV_MAX_ROWS.toLocaleString("en-US")} usage records, too many for one CSV export. Choose a narrower date range and export it in parts.`,
      { maxRows: USAGE_CSV_MAX_ROWS },
    );
  }
  const lines = [CSV_COLUMNS.join(",")];
  let cursor: string | undefined;
  for (;;) {
    const rows = await db.usageRecord.findMany({
      where,
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      take: CSV_CHUNK,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    const names = await namesFor(db, teamId, rows);
    for (const r of rows) {
      const fields = [
        r.id,
        r.createdAt.toISOString(),
        r.userId ? (names.emails.get(r.userId) ?? r.userId) : null,
        r.apiKeyId ? (names.keyNames.get(r.apiKeyId) ?? r.apiKeyId) : null,
        r.providerName,
        r.providerKind,
        r.model,
        r.operation,
        r.outcome,
        r.inputTokens,
        r.outputTokens,
        r.cachedInputTokens,
        formatNanoUsd(r.costNano),
        r.latencyMs,
        r.cacheHit,
        r.errorKind,
        r.errorMessage,
        r.runId,
        r.stepId,
      ];
      lines.push(fields.map(csvField).join(","));
    }
    if (rows.length < CSV_CHUNK) break;
    cursor = rows[rows.length - 1]!.id;
  }
  return lines.join("\r\n") + "\r\n";
}

/** Spend per provider and model pair, largest cost first (the CLI's table). */
async function providerModelRows(db: Db, teamId: string, range: UsageRange): Promise<UsageProviderModelRowDto[]> {
  const provider = DIMENSIONS.provider;
  const rows = await db.$queryRaw<(RawMetrics & { provider: string; model: string })[]>`
    SELECT ${provider.label!} AS "provider", u."model" AS "model", ${METRICS}
    FROM "UsageRecord" u ${provider.join!}
    WHERE ${inRange(teamId, range)}
    GROUP BY ${provider.key}, u."model"
    ORDER BY SUM(u."costNano") DESC, 1 ASC, 2 ASC`;
  return rows.map((r) => {
    const m = metrics(r);
    return { provider: r.provider, model: r.model, calls: m.calls, inputTokens: m.inputTokens, outputTokens: m.outputTokens, costUsd: m.costUsd };
  });
}

export async function usageByProviderModel(db: Db, teamId: string, range: UsageRange): Promise<UsageProviderModelRowDto[]> {
  await flushUsage();
  return providerModelRows(db, teamId, range);
}

/** `--since` of the CLI: "24h", "7d", "2w" back from now, or an ISO date (UTC). */
export function parseSince(since: string, now = new Date()): Date {
  const text = since.trim();
  const relative = /^(\d{1,5})([hdw])$/i.exec(text);
  let from: Date;
  if (relative) {
    const unit = { h: HOUR_MS, d: DAY_MS, w: 7 * DAY_MS }[relative[2]!.toLowerCase() as "h" | "d" | "w"];
    from = new Date(now.getTime() - Number(relative[1]) * unit);
  } else if (/^\d{4}-\d{2}-\d{2}(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) {
    from = new Date(text.includes("T") && !/(?:Z|[+-]\d{2}:?\d{2})$/.test(text) ? `${text}Z` : text);
  } else {
    throw new ValidationError(`--since "${since}" is not understood; use a duration such as 24h, 7d or 30d, or a date such as 2026-11-01.`);
  }
  if (Number.isNaN(from.getTime())) throw new ValidationError(`--since "${since}" is not a valid date.`);
  if (from.getTime() >= now.getTime()) throw new ValidationError(`--since "${since}" is in the future; choose a start in the past.`);
  if (now.getTime() - from.getTime() > USAGE_MAX_RANGE_DAYS * DAY_MS) {
    throw new ValidationError(`--since "${since}" reaches back more than ${USAGE_MAX_RANGE_DAYS} days; choose a later start.`);
  }
  return from;
}

export interface CliUsageResult {
  team: string;
  from: string;
  to: string;
  rows: UsageProviderModelRowDto[];
  total: { calls: number; inputTokens: number; outputTokens: number; costUsd: number };
}

/** `maestro usage`: a team's spend by provider and model since a point in time. */
export async function usageForCli(db: Db, input: { team: string; since: string }, now = new Date()): Promise<CliUsageResult> {
  const team = await db.team.findUnique({ where: { slug: input.team } });
  if (!team) throw new NotFoundError(`Team "${input.team}"`);
  const range = { from: parseSince(input.since, now), to: now };
  await flushUsage();
  const [rows, sum] = await Promise.all([providerModelRows(db, team.id, range), totalsRow(db, team.id, range)]);
  return {
    team: team.slug,
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    rows,
    total: { calls: sum.calls, inputTokens: sum.inputTokens, outputTokens: sum.outputTokens, costUsd: sum.costUsd },
  };
}

