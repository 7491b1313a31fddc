"use client";
import { useEffect, useState } from "react";
import { useHydrated } from "@/components/ui/time";

/**
 * The current time, ticking each second while `active` (durations of runs still going);
 * null until hydrated, so the server's render and the browser's first one agree.
 */
export function useNow(active: boolean): number | null {
  const hydrated = useHydrated();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return hydrated ? Math.max(now, Date.now()) : null;
}
