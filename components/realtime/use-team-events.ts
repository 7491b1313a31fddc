"use client";
import { useEffect, useEffectEvent } from "react";
import type { ServerEventName, ServerEventPayload } from "@/server/shared/realtime-events";
import { useRealtime } from "./realtime-provider";

type Listener = (payload: unknown) => void;

/**
 * Calls `handler` for every `event` the server pushes. With `teamId`, payloads that
 * belong to another team (the socket is in all of the person's team rooms) are skipped.
 */
export function useTeamEvent<E extends ServerEventName>(
  event: E,
  handler: (payload: ServerEventPayload<E>) => void,
  options: { teamId?: string } = {},
) {
  const { socket } = useRealtime();
  const { teamId } = options;
  const onEvent = useEffectEvent((payload: ServerEventPayload<E>) => {
    const payloadTeam = (payload as { teamId?: unknown }).teamId;
    if (teamId && typeof payloadTeam === "string" && payloadTeam !== teamId) return;
    handler(payload);
  });

  useEffect(() => {
    if (!socket) return;
    const listener: Listener = (payload) => onEvent(payload as ServerEventPayload<E>);
    // socket.io's typed `on` cannot follow a generic event name; the map above is the contract.
    const untyped = socket as unknown as { on: (e: string, l: Listener) => void; off: (e: string, l: Listener) => void };
    untyped.on(event, listener);
    return () => untyped.off(event, listener);
  }, [socket, event]);
}

export function useRealtimeStatus() {
  return useRealtime().status;
}
