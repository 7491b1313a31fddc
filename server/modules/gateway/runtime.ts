// The process's gateway, wired to the database, Redis and the other modules: team
// configuration (cached briefly), budgets, the usage ledger and the response cache.
// One per process; the tRPC procedures, /v1 and (later) the workflow engine share it.
import { Gateway } from "../../llm/gateway.ts";
import { MemoryResponseCache, RedisResponseCache } from "../../llm/cache.ts";
import { DEFAULT_RETRY_POLICY } from "../../llm/resilience.ts";
import { createProviderClient } from "../../llm/providers/index.ts";
import { onTeamConfigChanged } from "../../llm/invalidation.ts";
import type { TeamGatewayConfig } from "../../llm/gateway-types.ts";
import { db } from "../../db/client.ts";
import { env } from "../../env.ts";
import { sharedRedis } from "../../redis.ts";
import { logger } from "../../logger.ts";
import { peekProcessSingleton, processSingleton, setProcessSingleton } from "../../singleton.ts";
import { loadTeamGatewayConfig } from "../providers/index.ts";
import { DbBudgetGuard } from "../budgets/index.ts";
import { BatchedUsageSink, registerUsageSink } from "../usage/index.ts";

/** Configuration changes made by another process are picked up within this time. */
export const TEAM_CONFIG_TTL_MS = 2_000;
const SWEEP_INTERVAL_MS = 30_000;

interface CachedConfig {
  value: Promise<TeamGatewayConfig>;
  expiresAt: number;
}

/** Loads each team's configuration once per TTL; concurrent calls share one load. */
export class TeamConfigCache {
  private readonly entries = new Map<string, CachedConfig>();
  constructor(
    private readonly load: (teamId: string) => Promise<TeamGatewayConfig>,
    private readonly ttlMs = TEAM_CONFIG_TTL_MS,
  ) {}

  get = (teamId: string): Promise<TeamGatewayConfig> => {
    const now = Date.now();
    const hit = this.entries.get(teamId);
    if (hit && hit.expiresAt > now) return hit.value;
    const value = this.load(teamId);
    this.entries.set(teamId, { value, expiresAt: now + this.ttlMs });
    value.catch(() => this.entries.delete(teamId));
    return value;
  };

  forget(teamId: string): void {
    this.entries.delete(teamId);
  }
}

export interface GatewayServices {
  gateway: Gateway;
  usage: BatchedUsageSink;
  budgets: DbBudgetGuard;
  configs: TeamConfigCache;
  stop(): Promise<void>;
}

const KEY = "gatewayServices";

function build(): GatewayServices {
  const e = env();
  const redis = sharedRedis();
  const cache = redis ? new RedisResponseCache(redis) : new MemoryResponseCache(e.MAESTRO_CACHE_MAX_MB * 1024 * 1024);
  const usage = new BatchedUsageSink(db);
  registerUsageSink(usage);
  const budgets = new DbBudgetGuard(db);
  const configs = new TeamConfigCache(async (teamId) => loadTeamGatewayConfig(await db(), teamId));
  const unsubscribe = onTeamConfigChanged((teamId) => configs.forget(teamId));
  const gateway = new Gateway({
    loadTeam: configs.get,
    cache,
    budgets,
    usage,
    createProvider: createProviderClient,
    retry: { ...DEFAULT_RETRY_POLICY, attempts: e.MAESTRO_LLM_MAX_ATTEMPTS },
  });
  const sweeper = setInterval(() => {
    budgets.sweepExpired().catch((error: unknown) => logger.warn("budgets.sweep_failed", { error }));
  }, SWEEP_INTERVAL_MS);
  sweeper.unref();
  return {
    gateway,
    usage,
    budgets,
    configs,
    async stop() {
      clearInterval(sweeper);
      unsubscribe();
      budgets.close();
      await usage.close();
    },
  };
}

export function gatewayServices(): GatewayServices {
  return processSingleton(KEY, build);
}

/** Flushes usage and stops timers; the next use builds afresh (tests, shutdown). */
export async function stopGatewayServices(): Promise<void> {
  const current = peekProcessSingleton<GatewayServices>(KEY);
  setProcessSingleton(KEY, undefined);
  await current?.stop();
}
