import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { env } from "../env.ts";
import { connectRedis } from "../redis.ts";
import { MemoryResponseCache, RedisResponseCache, cacheKey, isCacheable, type ResponseCache } from "./cache.ts";
import type { ChatRequest, ChatResponse } from "./types.ts";

const request: ChatRequest = { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], temperature: 0 };
const answer = (content: string): ChatResponse => ({
  id: "r1",
  model: "gpt-4o-mini",
  content,
  toolCalls: [],
  finishReason: "stop",
  usage: { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0 },
});

describe("cache keys", () => {
  it("are equal for the same request whatever the key order, and differ per team, model and content", () => {
    const reordered = { temperature: 0, messages: [{ content: "hi", role: "user" as const }], model: "gpt-4o-mini" };
    expect(cacheKey("t1", request)).toBe(cacheKey("t1", reordered));
    expect(cacheKey("t1", request)).not.toBe(cacheKey("t2", request));
    expect(cacheKey("t1", request)).not.toBe(cacheKey("t1", { ...request, model: "gpt-4o" }));
    expect(cacheKey("t1", request)).not.toBe(cacheKey("t1", { ...request, messages: [{ role: "user", content: "hi!" }] }));
    expect(cacheKey("t1", request)).toMatch(/^maestro:cache:t1:gpt-4o-mini:[0-9a-f]{64}$/);
  });

  it("ignore the abort signal", () => {
    expect(cacheKey("t", { ...request, signal: new AbortController().signal })).toBe(cacheKey("t", request));
  });

  it("leave non-deterministic requests uncached unless asked", () => {
    expect(isCacheable(request, undefined)).toBe(true);
    expect(isCacheable({ ...request, temperature: 0.7 }, undefined)).toBe(false);
    expect(isCacheable({ ...request, temperature: 0.7 }, true)).toBe(true);
    expect(isCacheable(request, false)).toBe(false);
  });
});

function behaves(name: string, make: () => ResponseCache) {
  describe(`${name} response cache`, () => {
    const cache = make();
    const team = `team-${randomUUID().slice(0, 8)}`;
    afterAll(async () => {
      await cache.invalidate(team);
      await cache.close?.();
    });

    it("misses, stores, then hits, counting both", async () => {
      const key = cacheKey(team, request);
      expect(await cache.get(key)).toBeNull();
      await cache.set(key, answer("cached"));
      expect(await cache.get(key)).toMatchObject({ content: "cached" });
      const stats = await cache.stats();
      expect(stats.hits).toBeGreaterThanOrEqual(1);
      expect(stats.misses).toBeGreaterThanOrEqual(1);
      expect(stats.bytes).toBeGreaterThan(0);
    });

    it("expires entries after their TTL", async () => {
      const key = cacheKey(team, { ...request, model: "short-lived" });
      await cache.set(key, answer("soon gone"), 30);
      await new Promise((r) => setTimeout(r, 80));
      expect(await cache.get(key)).toBeNull();
    });

    it("invalidates by model or pattern within one team only", async () => {
      const other = `other-${randomUUID().slice(0, 8)}`;
      await cache.set(cacheKey(team, { ...request, model: "m-a" }), answer("a"));
      await cache.set(cacheKey(team, { ...request, model: "m-b" }), answer("b"));
      await cache.set(cacheKey(other, { ...request, model: "m-a" }), answer("other"));
      expect(await cache.invalidate(team, "m-a:*")).toBe(1);
      expect(await cache.get(cacheKey(team, { ...request, model: "m-a" }))).toBeNull();
      expect(await cache.get(cacheKey(team, { ...request, model: "m-b" }))).not.toBeNull();
      expect(await cache.get(cacheKey(other, { ...request, model: "m-a" }))).not.toBeNull();
      await cache.invalidate(other);
    });
  });
}

behaves("memory", () => new MemoryResponseCache());

const redisUrl = env().REDIS_URL;
if (redisUrl) {
  behaves("redis", () => {
    const redis = connectRedis(redisUrl, "cache-test");
    const cache = new RedisResponseCache(redis);
    return Object.assign(cache, { close: async () => void redis.disconnect() });
  });
}

describe("memory cache bounds", () => {
  it("evicts the least recently used entries to stay within its byte budget", async () => {
    const cache = new MemoryResponseCache(2_000);
    const keys = Array.from({ length: 10 }, (_, i) => cacheKey("t", { ...request, messages: [{ role: "user", content: `q${i}` }] }));
    await cache.set(keys[0]!, answer("x".repeat(300)));
    await cache.set(keys[1]!, answer("x".repeat(300)));
    await cache.get(keys[0]!); // touch: keys[1] is now the oldest
    for (const key of keys.slice(2)) await cache.set(key, answer("x".repeat(300)));
    const stats = await cache.stats();
    expect(stats.bytes).toBeLessThanOrEqual(2_000);
    expect(await cache.get(keys[1]!)).toBeNull();
    expect(await cache.get(keys[9]!)).not.toBeNull();
  });
});
