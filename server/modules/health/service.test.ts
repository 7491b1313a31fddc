import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/db.ts";
import { openDatabase } from "../../db/client.ts";
import { connectRedis } from "../../redis.ts";
import { env } from "../../env.ts";
import { checkHealth } from "./service.ts";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.destroy();
});

describe("health", () => {
  it("describes the backends in use and answers ok when the database does", async () => {
    const redisUrl = env().REDIS_URL;
    const redis = redisUrl ? connectRedis(redisUrl, "health-test") : null;
    try {
      const health = await checkHealth({ database: async () => database, dbKind: database.kind, redis, version: "1.2.3" });
      expect(health).toMatchObject({
        status: "ok",
        version: "1.2.3",
        db: env().DATABASE_URL ? "postgresql" : "pglite",
        dbReachable: true,
        queue: redisUrl ? "bullmq" : "in-process",
        cache: redisUrl ? "redis" : "memory",
        redisReachable: redisUrl ? true : null,
      });
      expect(health.uptimeSeconds).toBeGreaterThanOrEqual(0);
    } finally {
      redis?.disconnect();
    }
  });

  it("reports down when the database cannot be reached, without hanging", async () => {
    const unreachable = await openDatabase({ kind: "postgresql", url: "postgresql://nobody@127.0.0.1:1/none" });
    try {
      const health = await checkHealth({ database: async () => unreachable, dbKind: "postgresql", version: "x", timeoutMs: 1500 });
      expect(health).toMatchObject({ status: "down", dbReachable: false, db: "postgresql" });
    } finally {
      await unreachable.close().catch(() => undefined);
    }
  });

  it("reports degraded when Redis is configured but unreachable", async () => {
    const redis = connectRedis("redis://127.0.0.1:1", "health-test-down");
    try {
      const health = await checkHealth({ database: async () => database, dbKind: database.kind, redis, version: "x", timeoutMs: 1500 });
      expect(health).toMatchObject({ status: "degraded", redisReachable: false, dbReachable: true });
    } finally {
      redis.disconnect();
    }
  });
});
