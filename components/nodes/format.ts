// Short forms for the Nodes page: "3 s ago", "2 h 5 min", "35%".

/** Elapsed time in the largest fitting unit, rounded down: "3 s", "4 min", "2 h 5 min", "3 d 4 h". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/** How long ago a heartbeat was: "just now" under a second, else "3 s ago". */
export function formatAgo(ms: number): string {
  return ms < 1000 ? "just now" : `${formatDuration(ms)} ago`;
}

/** A share of one core as a percentage; over 100% when worker threads are busy too. */
export function formatCpu(share: number): string {
  const percent = Math.max(0, share * 100);
  return `${percent < 10 ? percent.toFixed(1) : Math.round(percent)}%`;
}
