// Exact-match response cache. The key is a SHA-256 of the normalised request, kept
// under a per-team, per-model prefix so a team never reads another's answers and an
// admin can invalidate by model or by pattern. In memory (LRU bounded by bytes) by
// default; Redis when REDIS_URL is set, shared by every process.
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import type { ChatRequest, ChatResponse } from "./types.ts";

export const DEFAULT_CACHE_TTL_MS = 60 * 60 * 1000;
const PREFIX = "maestro:cache";

export interface CacheStats {
  backend: "memory" | "redis";
  hits: number;
  misses: number;
  /** Bytes of cached answers currently held (memory) or written since start (redis). */
  bytes: number;
  entries: number;
}

export interface ResponseCache {
  get(key: string): Promise<ChatResponse | null>;
  set(key: string, value: ChatResponse, ttlMs?: number): Promise<void>;
  /** Removes entries whose key matches a glob (`*` wildcard) within one team; returns how many. */
  invalidate(teamId: string, pattern?: string): Promise<number>;
  stats(): Promise<CacheStats>;
  close?(): Promise<void>;
}

/** Sorts object keys so that semantically equal requests hash equally. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

/** The cache key of a request for a team: `maestro:cache:<team>:<model>:<sha256>`. */
export function cacheKey(teamId: string, request: ChatRequest): string {
  const { signal: _signal, ...material } = request;
  const hash = createHash("sha256").update(JSON.stringify(canonical(material))).digest("hex");
  return `${PREFIX}:${teamId}:${request.model}:${hash}`;
}

/**
 * Only deterministic requests are cached unless the caller insists: with temperature
 * above zero, a repeated question is expected to get a fresh answer.
 */
export function isCacheable(request: ChatRequest, preference: boolean | undefined): boolean {
  if (preference === false) return false;
  if (preference === true) return true;
  return (request.temperature ?? 0) === 0;
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
}

function teamPattern(teamId: string, pattern = "*"): string {
  return `${PREFIX}:${teamId}:${pattern}`;
}

interface MemoryEntry {
  value: ChatResponse;
  bytes: number;
  expiresAt: number;
}

/** In-process LRU bounded by total bytes; a Map keeps insertion order, which is recency here. */
export class MemoryResponseCache implements ResponseCache {
  private readonly entries = new Map<string, MemoryEntry>();
  private heldBytes = 0;
  private hits = 0;
  private misses = 0;

  constructor(
    private readonly maxBytes = 64 * 1024 * 1024,
    private readonly now: () => number = Date.now,
  ) {}

  async get(key: string) {
    const entry = this.entries.get(key);
    if (!entry || entry.expiresAt <= this.now()) {
      if (entry) this.remove(key, entry);
      this.misses++;
      return null;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.hits++;
    return entry.value;
  }

  async set(key: string, value: ChatResponse, ttlMs = DEFAULT_CACHE_TTL_MS) {
    const bytes = Buffer.byteLength(JSON.stringify(value)) + key.length;
    if (bytes > this.maxBytes) return;
    const existing = this.entries.get(key);
    if (existing) this.remove(key, existing);
    this.entries.set(key, { value, bytes, expiresAt: this.now() + ttlMs });
    this.heldBytes += bytes;
    for (const [oldestKey, oldest] of this.entries) {
      if (this.heldBytes <= this.maxBytes) break;
      this.remove(oldestKey, oldest);
    }
  }

  async invalidate(teamId: string, pattern?: string) {
    const matcher = globToRegExp(teamPattern(teamId, pattern));
    let removed = 0;
    for (const [key, entry] of this.entries) {
      if (matcher.test(key)) {
        this.remove(key, entry);
        removed++;
      }
    }
    return removed;
  }

  async stats(): Promise<CacheStats> {
    return { backend: "memory", hits: this.hits, misses: this.misses, bytes: this.heldBytes, entries: this.entries.size };
  }

  private remove(key: string, entry: MemoryEntry) {
    this.entries.delete(key);
    this.heldBytes -= entry.bytes;
  }
}

/** Redis-backed cache shared by all processes; values expire through Redis's own TTL. */
export class RedisResponseCache implements ResponseCache {
  private hits = 0;
  private misses = 0;
  private writtenBytes = 0;

  constructor(private readonly redis: Redis) {}

  async get(key: string) {
    const raw = await this.redis.get(key);
    if (raw === null) {
      this.misses++;
      return null;
    }
    this.hits++;
    return JSON.parse(raw) as ChatResponse;
  }

  async set(key: string, value: ChatResponse, ttlMs = DEFAULT_CACHE_TTL_MS) {
    const raw = JSON.stringify(value);
    this.writtenBytes += raw.length;
    await this.redis.set(key, raw, "PX", ttlMs);
  }

  async invalidate(teamId: string, pattern?: string) {
    let removed = 0;
    let cursor = "0";
    do {
      const [next, keys] = await this.redis.scan(cursor, "MATCH", teamPattern(teamId, pattern), "COUNT", 500);
      cursor = next;
      if (keys.length) removed += await this.redis.del(...keys);
    } while (cursor !== "0");
    return removed;
  }

  async stats(): Promise<CacheStats> {
    let entries = 0;
    let cursor = "0";
    do {
      const [next, keys] = await this.redis.scan(cursor, "MATCH", `${PREFIX}:*`, "COUNT", 1000);
      cursor = next;
      entries += keys.length;
    } while (cursor !== "0");
    return { backend: "redis", hits: this.hits, misses: this.misses, bytes: this.writtenBytes, entries };
  }
}
