import type { Database } from "../../db/client.ts";
import type { HealthDto } from "../../shared/dto.ts";

const startedAt = Date.now();

export interface HealthProbe {
  /** Opening may itself fail (a bad data dir); that counts as unreachable too. */
  database: () => Promise<Database>;
  /** Which database is configured, reported even when it cannot be reached. */
  dbKind: Database["kind"];
  version: string;
  redis?: { ping(): Promise<string> } | null;
  /** How long a backend may take to answer before it counts as unreachable. */
  timeoutMs?: number;
}

async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** What each backend in use is, and whether it answers. The database is essential; Redis degrades. */
export async function checkHealth(probe: HealthProbe): Promise<HealthDto> {
  const timeoutMs = probe.timeoutMs ?? 2000;
  const dbReachable = await within(
    timeoutMs,
    probe.database().then((d) => d.prisma.$queryRaw`SELECT 1`),
  ).then(
    () => true,
    () => false,
  );
  const redisReachable = probe.redis
    ? await within(timeoutMs, probe.redis.ping()).then(
        () => true,
        () => false,
      )
    : null;
  const scaled = Boolean(probe.redis);
  return {
    status: !dbReachable ? "down" : redisReachable === false ? "degraded" : "ok",
    version: probe.version,
    db: probe.dbKind,
    dbReachable,
    queue: scaled ? "bullmq" : "in-process",
    cache: scaled ? "redis" : "memory",
    realtime: scaled ? "redis" : "single-node",
    redisReachable,
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
  };
}
