// The run's history and live feed: every state change, agent message and log line is
// written as a RunEvent row (queryable afterwards) and sent to the team's sockets.
import type { Db } from "../db/client.ts";
import { emitToTeam } from "../realtime/emit.ts";
import type { RunEventDto, RunEventType } from "../shared/runs.ts";

export interface RunEventInput {
  runId: string;
  teamId: string;
  type: RunEventType;
  stepKey?: string | null;
  payload: Record<string, unknown>;
}

/** Writes the events in one statement, then emits them in order. */
export async function recordRunEvents(db: Db, events: readonly RunEventInput[]): Promise<void> {
  if (events.length === 0) return;
  const rows = await db.$queryRaw<{ id: bigint; createdAt: Date }[]>`
    INSERT INTO "RunEvent" ("runId", "teamId", "type", "stepKey", "payload")
    SELECT * FROM unnest(
      ${events.map((e) => e.runId)}::text[], ${events.map((e) => e.teamId)}::text[], ${events.map((e) => e.type)}::text[],
      ${events.map((e) => e.stepKey ?? null)}::text[], ${events.map((e) => JSON.stringify(e.payload))}::jsonb[])
    RETURNING "id", "createdAt"`;
  emitRunEvents(events, rows);
}

/** Sends written events to the team's sockets; `rows` are their ids and times, in the same order. */
export function emitRunEvents(events: readonly RunEventInput[], rows: readonly { id: bigint; createdAt: Date }[]): void {
  events.forEach((event, i) => {
    const row = rows[i];
    if (!row) return;
    const dto: RunEventDto = {
      id: row.id.toString(),
      runId: event.runId,
      type: event.type,
      stepKey: event.stepKey ?? null,
      payload: event.payload,
      at: row.createdAt.toISOString(),
    };
    emitToTeam(event.teamId, "run:event", dto);
  });
}

export const recordRunEvent = (db: Db, event: RunEventInput) => recordRunEvents(db, [event]);
