"use client";
// Keeps a run's page current: each "run:event" for the run changes the cached run at once
// (states), lands in the timeline, and schedules one refetch of both, for what events do
// not carry (outputs, logs, costs) and for what an overlapping fetch may have overwritten. What happened before the page listened (between the
// server's render and now) or while the socket was down is fetched again.
import { useEffect, useRef } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/providers/trpc";
import { useTeam } from "@/components/shell/shell-context";
import { useRealtimeStatus, useTeamEvent } from "@/components/realtime/use-team-events";
import { EVENTS_LIMIT } from "./constants";
import { applyRunEvent, mergeEvents } from "./run-model";

const REFETCH_AFTER_MS = 400;

export function useRunLive(runId: string) {
  const trpc = useTRPC();
  const team = useTeam();
  const queryClient = useQueryClient();
  const status = useRealtimeStatus();
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const target = { teamId: team.id, runId };
  const runKey = trpc.runs.get.queryKey(target);
  const eventsKey = trpc.runs.events.queryKey({ ...target, limit: EVENTS_LIMIT });

  const refetchSoon = () => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      void queryClient.invalidateQueries({ queryKey: runKey });
      // A fetch of the timeline that started before an event would drop it when it lands: fetch again after.
      void queryClient.invalidateQueries({ queryKey: eventsKey });
    }, REFETCH_AFTER_MS);
  };

  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );

  useTeamEvent("run:event", (event) => {
    if (event.runId !== runId) return;
    queryClient.setQueryData(runKey, (old) => (old ? applyRunEvent(old, event) : old));
    queryClient.setQueryData(eventsKey, (old) => mergeEvents(old, [event]));
    if (event.type === "agent.message") void queryClient.invalidateQueries({ queryKey: trpc.runs.messages.queryKey(target) });
    if (event.type === "memory") void queryClient.invalidateQueries({ queryKey: trpc.runs.memory.queryKey(target) });
    refetchSoon();
  });

  // Listening starts after the server rendered the page: a short run may have moved on (or
  // finished) in between, and those events will not come again.
  useEffect(() => {
    const target = { teamId: team.id, runId };
    void queryClient.invalidateQueries({ queryKey: trpc.runs.get.queryKey(target) });
    void queryClient.invalidateQueries({ queryKey: trpc.runs.events.queryKey({ ...target, limit: EVENTS_LIMIT }) });
  }, [queryClient, trpc, team.id, runId]);

  // Back online: what happened meanwhile is only in the database.
  const previous = useRef(status);
  useEffect(() => {
    if (previous.current !== "live" && status === "live") {
      void queryClient.invalidateQueries({ queryKey: trpc.runs.pathKey() });
    }
    previous.current = status;
  }, [status, queryClient, trpc]);

  return { live: status === "live" };
}
