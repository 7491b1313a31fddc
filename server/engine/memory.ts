// The run's shared key/value memory on the RunMemory table. Agents and steps of one run
// read and write it; every write records who made it, as a row field and a run event.
import type { Db } from "../db/client.ts";
import { recordRunEvent } from "./events.ts";
import { StepError, type RunMemory } from "./types.ts";

export const MEMORY_MAX_VALUE_BYTES = 256 * 1024;
export const MEMORY_MAX_KEY_CHARS = 200;

export interface RunRef {
  id: string;
  teamId: string;
}

function assertKey(key: string) {
  if (typeof key !== "string" || key.length < 1 || key.length > MEMORY_MAX_KEY_CHARS) {
    throw new StepError(`A memory key must be 1 to ${MEMORY_MAX_KEY_CHARS} characters long.`, { code: "MEMORY_KEY_INVALID" });
  }
}

/** The value as stored JSON text; undefined is stored as null. */
function serialize(key: string, value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value ?? null);
  } catch (error) {
    throw new StepError(`The value for memory key "${key}" cannot be stored as JSON: ${(error as Error).message}`, { code: "MEMORY_VALUE_INVALID" });
  }
  const bytes = Buffer.byteLength(text ?? "null");
  if (bytes > MEMORY_MAX_VALUE_BYTES) {
    throw new StepError(`The value for memory key "${key}" is ${bytes} bytes; the limit is ${MEMORY_MAX_VALUE_BYTES} bytes.`, { code: "MEMORY_VALUE_TOO_LARGE" });
  }
  return text ?? "null";
}

export function createRunMemory(db: Db, run: RunRef): RunMemory {
  return {
    async get(key) {
      assertKey(key);
      const row = await db.runMemory.findFirst({ where: { runId: run.id, key, run: { teamId: run.teamId } }, select: { value: true } });
      return row ? row.value : undefined;
    },

    async set(key, value, writtenBy) {
      assertKey(key);
      const json = serialize(key, value);
      // One statement: the upsert only happens for a run of this team (tenant floor), and
      // writing JSON text through jsonb keeps a JSON null distinct from "no row".
      const written = await db.$queryRaw<{ key: string }[]>`
        INSERT INTO "RunMemory" ("runId", "key", "value", "writtenBy", "updatedAt")
        SELECT "id", ${key}, ${json}::jsonb, ${writtenBy}, now() AT TIME ZONE 'UTC' FROM "Run" WHERE "id" = ${run.id} AND "teamId" = ${run.teamId}
        ON CONFLICT ("runId", "key") DO UPDATE SET "value" = EXCLUDED."value", "writtenBy" = EXCLUDED."writtenBy", "updatedAt" = EXCLUDED."updatedAt"
        RETURNING "key"`;
      if (written.length === 0) throw new StepError(`Run ${run.id} was not found, so its memory cannot be written.`, { code: "RUN_NOT_FOUND" });
      await recordRunEvent(db, { runId: run.id, teamId: run.teamId, type: "memory", payload: { key, writtenBy } });
    },

    async entries() {
      const rows = await db.runMemory.findMany({
        where: { runId: run.id, run: { teamId: run.teamId } },
        orderBy: { key: "asc" },
        select: { key: true, value: true, writtenBy: true },
      });
      return rows.map((row) => ({ key: row.key, value: row.value, writtenBy: row.writtenBy }));
    },
  };
}
