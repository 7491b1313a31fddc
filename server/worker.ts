// `npm run worker`: a process that executes workflow steps and nothing else. It needs
// the shared PostgreSQL and Redis (DATABASE_URL, REDIS_URL), registers as a node with a
// heartbeat, takes step jobs from BullMQ, and drains its running steps on SIGTERM.
import { env } from "./env.ts";
import { prepareEnvironment } from "./boot.ts";
import { closeDatabase, getDatabase } from "./db/client.ts";
import { ConfigurationError } from "./errors.ts";
import { gatewayServices, stopGatewayServices } from "./modules/gateway/index.ts";
import { startEngine, stopEngine } from "./engine/index.ts";
import { startRealtimePublisher } from "./realtime/publisher.ts";
import { logger } from "./logger.ts";

export interface WorkerOptions {
  concurrency?: number;
  announce?: (line: string) => void;
  /** Called after the worker stopped because an operator drained it. */
  onDrained?: () => void;
}

export async function startWorker(options: WorkerOptions = {}) {
  const announce = options.announce ?? ((line: string) => logger.info("worker.announce", { line }));
  const e = await prepareEnvironment();
  if (!e.DATABASE_URL || !e.REDIS_URL) {
    throw new ConfigurationError(
      "A worker needs the shared database and queue: set DATABASE_URL (PostgreSQL) and REDIS_URL. In the embedded mode the web server executes every step itself.",
    );
  }
  await getDatabase();
  gatewayServices();
  const realtime = startRealtimePublisher(e.REDIS_URL);
  let closing: Promise<void> | undefined;
  const close = (drain = true) => {
    closing ??= (async () => {
      await stopEngine({ drain });
      await stopGatewayServices();
      await realtime.close();
      await closeDatabase();
    })();
    return closing;
  };
  const runtime = await startEngine({
    role: "worker",
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    onDrain: async () => {
      announce("Drained by an operator; stopping.");
      await close(true);
      options.onDrained?.();
    },
  });
  announce(`Worker ${runtime.engine.nodeId} is executing steps from ${redactedRedis(env().REDIS_URL!)} (concurrency ${options.concurrency ?? e.MAESTRO_WORKER_CONCURRENCY}, ${e.MAESTRO_LOAD_BALANCING}).`);
  return { nodeId: runtime.engine.nodeId, close };
}

function redactedRedis(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]*@/, "$1***@");
}
