// The process's engine, wired to configuration: the backend (in-process, or BullMQ with
// REDIS_URL), this node's registration and heartbeat, the step runners, the gateway and
// the periodic recovery sweep. The web server and every worker start one; the tRPC
// procedures (which Next loads as a second copy of this module) find it by its key.
import { db } from "../db/client.ts";
import { ConfigurationError } from "../errors.ts";
import { env } from "../env.ts";
import { logger } from "../logger.ts";
import { peekProcessSingleton, setProcessSingleton } from "../singleton.ts";
import { gatewayServices } from "../modules/gateway/index.ts";
import { createBackend, type BackendConfig } from "./backends/index.ts";
import { Engine, type RunnerTable } from "./engine.ts";
import { recordDeadLetter } from "./dead-letters.ts";
import { NodeRegistry, newNodeId, type NodeRole } from "./nodes.ts";
import { recover } from "./recovery.ts";
import { createStepRunners } from "./runners/index.ts";
import { createAgentRunner } from "./agents/index.ts";
import { evaluateExpression, shutdownSandbox } from "./sandbox/index.ts";
import { createAllowlist } from "./tools/allowlist.ts";
import { createToolInvoker, type McpToolSource } from "./tools/invoker.ts";
import { mcpManager, stopMcpManager } from "./mcp/index.ts";
import { createRunMemory } from "./memory.ts";
import { createMessageRouter } from "./messages.ts";
import type { ExecutionBackend } from "./types.ts";

const KEY = "engine";

export interface EngineRuntime {
  engine: Engine;
  registry: NodeRegistry;
  backend: ExecutionBackend;
  /** Runs one recovery sweep now (tests, start-up). */
  recover(graceMs?: number): ReturnType<typeof recover>;
  stop(options?: { drain?: boolean }): Promise<void>;
}

export interface StartEngineOptions {
  role?: NodeRole;
  /** Override the configured backend (tests run the same suite on both). */
  backend?: "in-process" | "bullmq";
  /** BullMQ key prefix (tests isolate themselves with their own). */
  queuePrefix?: string;
  /** Override REDIS_URL (tests run the BullMQ half with or without it in the environment). */
  redisUrl?: string;
  concurrency?: number;
  recoveryIntervalMs?: number;
  heartbeatMs?: number;
  lockDurationMs?: number;
  mcp?: McpToolSource;
  /** Replace step runners (the engine benchmark measures scheduling with no-op steps). */
  runners?: Partial<RunnerTable>;
  /** Called when the node is told to drain (workers exit after draining). */
  onDrain?: () => void | Promise<void>;
}

export async function startEngine(options: StartEngineOptions = {}): Promise<EngineRuntime> {
  const existing = peekProcessSingleton<EngineRuntime>(KEY);
  if (existing) return existing;
  const e = env();
  const database = await db();
  const role = options.role ?? "web";
  const nodeId = newNodeId(role);
  const redisUrl = options.redisUrl ?? e.REDIS_URL;
  const kind = options.backend ?? (redisUrl ? "bullmq" : "in-process");
  if (kind === "bullmq" && !redisUrl) throw new ConfigurationError("The BullMQ backend needs REDIS_URL.");
  const concurrency = options.concurrency ?? e.MAESTRO_WORKER_CONCURRENCY;

  // The registry reports the backend's load, and the BullMQ backend routes by the registry's nodes.
  const late: { backend?: ExecutionBackend } = {};
  const registry = new NodeRegistry({
    db: database,
    heartbeatMs: options.heartbeatMs ?? e.MAESTRO_NODE_HEARTBEAT_MS,
    activeCount: () => late.backend?.activeCount() ?? 0,
    onDrain: async () => {
      await runtime.stop({ drain: true });
      await options.onDrain?.();
    },
  });
  const config: BackendConfig =
    kind === "bullmq"
      ? {
          kind: "bullmq",
          redisUrl: redisUrl!,
          strategy: e.MAESTRO_LOAD_BALANCING,
          registry,
          lockDurationMs: options.lockDurationMs ?? e.MAESTRO_QUEUE_LOCK_MS,
          // A dead worker's jobs are looked for as often as a lock can expire.
          stalledIntervalMs: options.lockDurationMs ?? e.MAESTRO_QUEUE_LOCK_MS,
          prefix: options.queuePrefix ?? e.MAESTRO_QUEUE_PREFIX,
        }
      : { kind: "in-process" };
  const backend = createBackend(config, (job, error, attempts) => recordDeadLetter(database, engine, job, error, attempts, config));
  late.backend = backend;

  const mcp = options.mcp ?? mcpManager();
  const allowlist = createAllowlist(e.MAESTRO_HTTP_ALLOWLIST.split(",").map((p) => p.trim()).filter(Boolean));
  const sandboxLimits = { timeoutMs: e.MAESTRO_SANDBOX_TIMEOUT_MS, memoryMb: e.MAESTRO_SANDBOX_MEMORY_MB };
  const runners = {
    ...createStepRunners({ allowlist, code: { defaultTimeoutMs: sandboxLimits.timeoutMs, defaultMemoryMb: sandboxLimits.memoryMb } }),
    agent: createAgentRunner({ db }),
  };
  const engine: Engine = new Engine({
    db,
    backend,
    nodeId,
    runners: { ...runners, ...options.runners },
    gateway: (context, request) => gatewayServices().gateway.chat(context, request),
    services: (dbClient, run, stepKey) => {
      const memory = createRunMemory(dbClient, { id: run.id, teamId: run.teamId });
      return {
        memory,
        messages: createMessageRouter(dbClient, { id: run.id, teamId: run.teamId }, stepKey),
        tools: createToolInvoker({ db: dbClient, run: { id: run.id, teamId: run.teamId }, stepKey, memory, allowlist, actor: stepKey, mcp }),
      };
    },
    evaluate: (expression, scope) => evaluateExpression(expression, scope, sandboxLimits),
    defaultMaxConcurrentRuns: e.MAESTRO_MAX_CONCURRENT_RUNS,
  });

  const sweep = (graceMs: number) =>
    recover(
      {
        db,
        backend,
        advance: (runId) => engine.advance(runId),
        admit: (teamId) => engine.admit(teamId),
        expireRun: (teamId, runId, timeoutMs) => engine.expireRun(teamId, runId, timeoutMs),
        sweepLostNodes: () => registry.sweepLost(),
        ...(backend.rehome ? { rehome: (id: string) => backend.rehome!(id) } : {}),
      },
      { graceMs },
    );

  await registry.register({ id: nodeId, role, capacity: concurrency });
  registry.start();
  await engine.consume(concurrency);
  const interval = options.recoveryIntervalMs ?? e.MAESTRO_RECOVERY_INTERVAL_MS;
  let sweeping: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    sweeping ??= sweep(2 * interval).catch((error: unknown) => logger.warn("engine.recovery_failed", { error })).finally(() => (sweeping = null));
  }, interval);
  timer.unref();

  let stopping: Promise<void> | undefined;
  const runtime: EngineRuntime = {
    engine,
    registry,
    backend,
    recover: (graceMs = 0) => sweep(graceMs),
    stop(stopOptions = {}) {
      if (!stopOptions.drain) engine.abandonInFlight(); // also cuts short a drain under way
      stopping ??= (async () => {
        clearInterval(timer);
        await sweeping;
        await engine.close(stopOptions);
        await registry.stop();
        if (peekProcessSingleton<EngineRuntime>(KEY) === runtime) setProcessSingleton(KEY, undefined);
      })();
      return stopping;
    },
  };
  setProcessSingleton(KEY, runtime);
  // Whatever an earlier process left queued or running continues now, not at the first sweep.
  await sweep(kind === "in-process" ? 0 : 2 * interval).catch((error: unknown) => logger.warn("engine.recovery_failed", { error }));
  logger.info("engine.started", { nodeId, backend: kind, concurrency });
  return runtime;
}

/** The running engine of this process. */
export function engine(): Engine {
  const runtime = peekProcessSingleton<EngineRuntime>(KEY);
  if (!runtime) throw new ConfigurationError("The workflow engine is not running in this process.");
  return runtime.engine;
}

export function engineRuntime(): EngineRuntime | undefined {
  return peekProcessSingleton<EngineRuntime>(KEY);
}

/** Stops the engine, then what its steps used: MCP server processes and sandbox threads. */
export async function stopEngine(options: { drain?: boolean } = {}): Promise<void> {
  await peekProcessSingleton<EngineRuntime>(KEY)?.stop(options);
  await stopMcpManager();
  await shutdownSandbox();
}
