// Date formatting that is stable between the server render and hydration: the server
// (and the first client render) prints UTC; the browser then switches to local time.
const UTC = new Intl.DateTimeFormat("en-GB", {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  timeZone: "UTC",
});

let local: Intl.DateTimeFormat | undefined;

export function formatUtc(iso: string) {
  return `${UTC.format(new Date(iso))} UTC`;
}

export function formatLocal(iso: string) {
  local ??= new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
  return local.format(new Date(iso));
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 31_536_000],
  ["month", 2_592_000],
  ["week", 604_800],
  ["day", 86_400],
  ["hour", 3_600],
  ["minute", 60],
];

let relative: Intl.RelativeTimeFormat | undefined;

export function formatRelative(iso: string, now = Date.now()) {
  relative ??= new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return Math.abs(seconds) < 10 ? "just now" : relative.format(seconds, "second");
}
