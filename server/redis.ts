import { Redis } from "ioredis";
import { env } from "./env.ts";
import { processSingleton } from "./singleton.ts";
import { logger } from "./logger.ts";

/** Opens a Redis connection that fails fast instead of queueing commands forever. */
export function connectRedis(url: string, name: string): Redis {
  const client = new Redis(url, {
    connectionName: `maestro:${name}`,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  client.on("error", (error) => logger.warn("redis.error", { name, error: error.message }));
  return client;
}

/** The process-wide Redis command connection, or null in the embedded mode. */
export function sharedRedis(): Redis | null {
  const url = env().REDIS_URL;
  return url ? processSingleton("redis", () => connectRedis(url, "shared")) : null;
}
