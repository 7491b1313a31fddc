// The socket.io event map, shared by the server and the browser client.
import type { AuditEntryDto } from "./dto.ts";
import type { BudgetEventDto } from "./budgets.ts";
import type { RunEventDto } from "./runs.ts";

export interface ServerToClientEvents {
  /** A new audit entry in one of the caller's teams (live activity). */
  "audit:created": (entry: AuditEntryDto) => void;
  /** A budget crossed a soft threshold or refused a call (notifications deliver these later). */
  "budget:event": (event: BudgetEventDto & { teamId: string }) => void;
  /** A run changed: status, step state, agent message, log line, usage (run detail pages, runs list). */
  "run:event": (event: RunEventDto) => void;
  /** Sent once after connecting: the team rooms this socket joined. */
  "session:ready": (info: { teamIds: string[] }) => void;
}

export interface ClientToServerEvents {
  ping: (reply: (answer: { at: string }) => void) => void;
}

export type ServerEventName = keyof ServerToClientEvents;
export type ServerEventPayload<E extends ServerEventName> = Parameters<ServerToClientEvents[E]>[0];

export const teamRoom = (teamId: string) => `team:${teamId}`;
