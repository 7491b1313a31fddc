// A plain BullMQ worker for the engine benchmark's baseline: completes empty jobs of
// the queue named on the command line, with the connection settings and concurrency the
// engine's workers use (REDIS_URL, MAESTRO_QUEUE_PREFIX, MAESTRO_WORKER_CONCURRENCY).
// Prints {"ready":true} once it takes jobs; stops on SIGTERM.
import { Worker } from "bullmq";
import { env } from "../server/env.ts";

const queueName = process.argv[2];
const e = env();
if (!queueName || !e.REDIS_URL) throw new Error("usage: REDIS_URL=... bullmq-worker.ts <queue name>");
const worker = new Worker(queueName, async () => undefined, {
  connection: { url: e.REDIS_URL, maxRetriesPerRequest: null },
  prefix: e.MAESTRO_QUEUE_PREFIX,
  concurrency: e.MAESTRO_WORKER_CONCURRENCY,
});
worker.on("error", (error) => process.stderr.write(`${error.message}\n`));
await worker.waitUntilReady();
process.stdout.write(JSON.stringify({ ready: true }) + "\n");

process.once("SIGTERM", () => {
  void worker.close(true).finally(() => process.exit(0));
});
