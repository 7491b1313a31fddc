// Number formats for money, tokens and durations, shared by the gateway pages and their charts.

/** Dollars with as many decimals as small amounts need: $12.34, $0.0042, $0.000013. */
export function formatUsd(value: number, opts: { decimals?: number } = {}) {
  if (opts.decimals !== undefined) return `$${value.toFixed(opts.decimals)}`;
  const abs = Math.abs(value);
  const decimals = abs === 0 ? 2 : abs >= 100 ? 2 : abs >= 1 ? 2 : abs >= 0.01 ? 4 : 6;
  return `$${value.toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals })}`;
}

/** Catalog prices: USD per million tokens, without trailing zeros ("$2.5", "$0.075"). */
export function formatPricePerMillion(value: number) {
  return `$${value.toLocaleString("en-US", { maximumFractionDigits: 3 })}`;
}

export function formatInt(value: number) {
  return Math.round(value).toLocaleString("en-US");
}

/** 1234 → "1.2k", 2_500_000 → "2.5M". */
export function formatCompact(value: number) {
  return value.toLocaleString("en-US", { notation: "compact", maximumFractionDigits: 1 });
}

export function formatMs(value: number | null | undefined) {
  if (value === null || value === undefined) return "—";
  if (value >= 10_000) return `${(value / 1000).toFixed(1)} s`;
  return `${Math.round(value).toLocaleString("en-US")} ms`;
}

/** 0..1 → "42.0%". */
export function formatRatio(value: number) {
  return `${(value * 100).toFixed(1)}%`;
}

export function formatBytes(value: number) {
  if (value < 1024) return `${value} B`;
  const units = ["KiB", "MiB", "GiB"];
  let n = value / 1024;
  let unit = 0;
  while (n >= 1024 && unit < units.length - 1) {
    n /= 1024;
    unit++;
  }
  return `${n.toFixed(n >= 10 ? 0 : 1)} ${units[unit]}`;
}
