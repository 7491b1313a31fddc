"use client";
import { useRealtimeStatus } from "./use-team-events";

const LABELS = { live: "Live", connecting: "Connecting…", offline: "Offline" } as const;

export function RealtimeStatusBadge() {
  const status = useRealtimeStatus();
  return (
    <span className="live-dot" data-state={status} data-testid="realtime-status" role="status" title={status === "live" ? "Receiving events as they happen" : undefined}>
      {LABELS[status]}
    </span>
  );
}
