import type { Server } from "socket.io";
import type { ClientToServerEvents, ServerEventName, ServerEventPayload, ServerToClientEvents } from "../shared/realtime-events.ts";
import { teamRoom } from "../shared/realtime-events.ts";
import { peekProcessSingleton } from "../singleton.ts";

export type RealtimeServer = Server<ClientToServerEvents, ServerToClientEvents>;
export const REALTIME_KEY = "realtime";

/** Sends an event to every socket of a team, on this node and (with Redis) all others. */
export function emitToTeam<E extends ServerEventName>(teamId: string, event: E, payload: ServerEventPayload<E>): void {
  const io = peekProcessSingleton<RealtimeServer>(REALTIME_KEY);
  if (!io) return; // CLI and unit tests run without a realtime server.
  const args = [payload] as Parameters<ServerToClientEvents[E]>;
  io.to(teamRoom(teamId)).emit(event, ...args);
}
