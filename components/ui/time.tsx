"use client";
import { useSyncExternalStore } from "react";
import { formatLocal, formatRelative, formatUtc } from "@/components/lib/format";

const subscribeNever = () => () => {};

/** True after hydration; the server and the first client render agree on false. */
export function useHydrated() {
  return useSyncExternalStore(
    subscribeNever,
    () => true,
    () => false,
  );
}

// One shared 30-second clock keeps every "2 minutes ago" on the page current.
const TICK_MS = 30_000;
let now = Date.now();
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;

function subscribeClock(listener: () => void) {
  listeners.add(listener);
  timer ??= setInterval(() => {
    now = Date.now();
    listeners.forEach((l) => l());
  }, TICK_MS);
  return () => {
    listeners.delete(listener);
    if (!listeners.size && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

function RelativeTime({ iso }: { iso: string }) {
  const clock = useSyncExternalStore(subscribeClock, () => now, () => 0);
  const text = clock ? formatRelative(iso, Math.max(clock, Date.now())) : formatUtc(iso);
  return (
    <time dateTime={iso} title={clock ? formatLocal(iso) : formatUtc(iso)}>
      {text}
    </time>
  );
}

export function Time({ iso, relative = false }: { iso: string | null; relative?: boolean }) {
  const hydrated = useHydrated();
  if (!iso) return <span className="faint">—</span>;
  if (relative) return <RelativeTime iso={iso} />;
  return (
    <time dateTime={iso} title={hydrated ? undefined : "UTC"}>
      {hydrated ? formatLocal(iso) : formatUtc(iso)}
    </time>
  );
}
