// A worker process for the engine benchmark: what `maestro worker` runs (database,
// realtime publisher, engine on BullMQ), except that code steps do nothing, so only
// the engine is measured. Configured like a worker, through DATABASE_URL, REDIS_URL,
// MAESTRO_QUEUE_PREFIX and MAESTRO_WORKER_CONCURRENCY. Prints {"ready":...} once it
// takes jobs; stops on SIGTERM.
import { closeDatabase, getDatabase } from "../server/db/client.ts";
import { env } from "../server/env.ts";
import { startEngine, stopEngine } from "../server/engine/index.ts";
import { startRealtimePublisher } from "../server/realtime/publisher.ts";

const e = env();
if (!e.DATABASE_URL || !e.REDIS_URL) throw new Error("The engine benchmark worker needs DATABASE_URL and REDIS_URL.");
await getDatabase();
const realtime = startRealtimePublisher(e.REDIS_URL);
const runtime = await startEngine({
  role: "worker",
  backend: "bullmq",
  recoveryIntervalMs: 60_000,
  runners: { code: async () => ({ output: null }) },
});
process.stdout.write(JSON.stringify({ ready: true, nodeId: runtime.engine.nodeId }) + "\n");

process.once("SIGTERM", () => {
  void (async () => {
    await stopEngine({ drain: false });
    await realtime.close();
    await closeDatabase();
    process.exit(0);
  })();
});
