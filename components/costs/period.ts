// The Costs page's period: a preset (last 24 hours … 90 days) or custom UTC dates, turned
// into a fixed [from, to) range once, so query keys stay stable between renders.
export const PERIODS = ["24h", "7d", "30d", "90d", "custom"] as const;
export type PeriodName = (typeof PERIODS)[number];

export const PERIOD_LABELS: Record<PeriodName, string> = { "24h": "24 hours", "7d": "7 days", "30d": "30 days", "90d": "90 days", custom: "Custom" };

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const PRESET_MS: Record<Exclude<PeriodName, "custom">, number> = { "24h": DAY_MS, "7d": 7 * DAY_MS, "30d": 30 * DAY_MS, "90d": 90 * DAY_MS };

export interface Range {
  period: PeriodName;
  /** ISO timestamps (UTC). */
  from: string;
  to: string;
  bucket: "hour" | "day";
}

/** Hourly bars up to a week, daily beyond. */
function bucketFor(from: number, to: number): Range["bucket"] {
  return to - from <= 7 * DAY_MS ? "hour" : "day";
}

/** A preset ending now (to the next whole minute, so a refresh within the minute reuses the cache). */
export function presetRange(period: Exclude<PeriodName, "custom">, now = Date.now()): Range {
  const to = Math.ceil(now / 60_000) * 60_000;
  const from = to - PRESET_MS[period];
  return { period, from: new Date(from).toISOString(), to: new Date(to).toISOString(), bucket: bucketFor(from, to) };
}

/** Custom whole UTC days, both ends included: "2026-11-01" … "2026-11-07". */
export function customRange(fromDate: string, toDate: string): Range | string {
  const from = Date.parse(`${fromDate}T00:00:00Z`);
  const to = Date.parse(`${toDate}T00:00:00Z`) + DAY_MS;
  if (Number.isNaN(from) || Number.isNaN(to)) return "Choose both dates.";
  if (from >= to) return "The start date must be on or before the end date.";
  if (to - from > 400 * DAY_MS) return "A range may span at most 400 days.";
  return { period: "custom", from: new Date(from).toISOString(), to: new Date(to).toISOString(), bucket: bucketFor(from, to) };
}

export const isoDate = (iso: string) => iso.slice(0, 10);

/** The last day included in a range whose `to` is exclusive. */
export const lastDay = (toIso: string) => isoDate(new Date(Date.parse(toIso) - 1).toISOString());

export { HOUR_MS };
