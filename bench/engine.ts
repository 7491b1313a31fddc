// What the workflow engine costs per step, with steps that do nothing (code steps whose
// runner is a no-op), for a 1-step and a 20-step chain:
//  - in this process on embedded PostgreSQL (PGlite in a temp data dir), as `maestro
//    start` runs by default: one run alone (overhead per step) and many runs in flight;
//  - on BullMQ with 1 and 2 worker processes (bench/engine-worker.ts) and a throwaway
//    PostgreSQL database, this process only scheduling: runs/s and steps/s;
//  - raw BullMQ on the same Redis (bench/bullmq-worker.ts: add and complete empty jobs)
//    with the same workers and concurrency, as the ceiling the engine is compared with.
// Prints JSON; run with `npm run bench:engine`. Knobs: BENCH_RUNS (runs per shape under
// load), BENCH_SAMPLES (single runs timed), BENCH_JOBS (raw jobs), BENCH_CONCURRENCY.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { installDatabase, openDatabase, type Db } from "../server/db/client.ts";
import { applyMigrations } from "../server/db/migrate.ts";
import { DEFAULT_QUEUE_RETRY } from "../server/engine/backends/index.ts";
import { toBullPriority } from "../server/engine/backends/bullmq.ts";
import { startEngine, type EngineRuntime } from "../server/engine/runtime.ts";
import { createTeam, saveWorkflow } from "../server/engine/testing/harness.ts";
import { NodeProcess } from "../server/engine/testing/node-process.ts";
import { deleteRedisKeys } from "../server/engine/testing/redis.ts";
import { REALTIME_KEY } from "../server/realtime/emit.ts";
import type { RunEventDto } from "../server/shared/runs.ts";
import { FINISHED_RUN_STATUSES, type WorkflowDefinitionInput } from "../server/shared/workflow-definition.ts";
import { setProcessSingleton } from "../server/singleton.ts";
import { createPostgresDatabase } from "../server/test/db.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 100);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 15);
const JOBS = Number(process.env.BENCH_JOBS ?? 5000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
/** startRun calls at once (an unbounded burst only measures the wait for a transaction). */
const SUBMITTERS = 8;
/** The server the throwaway database is created on. */
const POSTGRES_URL = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const SHAPES = [1, 20] as const;
type Shape = (typeof SHAPES)[number];
const NO_OP_RUNNERS = { code: async () => ({ output: null }) };
const FINISHED: ReadonlySet<string> = new Set(FINISHED_RUN_STATUSES);
/** A worker prints {"ready":true} once it takes jobs; one that has not by then is stuck. */
const READY_TIMEOUT_MS = 120_000;

const round = (n: number, digits = 3) => Number(n.toFixed(digits));
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

function chain(length: number): WorkflowDefinitionInput {
  return {
    name: `chain of ${length}`,
    steps: Array.from({ length }, (_, i) => ({ id: `s${i + 1}`, kind: "code" as const, code: "return null", ...(i > 0 ? { needs: [`s${i}`] } : {}) })),
  };
}

/** A team whose runs are never held back by the concurrent-runs limit, and one workflow per shape. */
async function seed(db: Db, runtime: EngineRuntime) {
  const team = await createTeam(db);
  await db.engineSettings.create({ data: { teamId: team.teamId, maxConcurrentRuns: 100_000 } });
  const workflows = new Map<Shape, Awaited<ReturnType<typeof saveWorkflow>>>();
  for (const steps of SHAPES) workflows.set(steps, await saveWorkflow(db, team.teamId, chain(steps)));
  return async (steps: Shape): Promise<string> => {
    const request = { teamId: team.teamId, workflow: workflows.get(steps)!, input: {}, createdById: team.userId, apiKeyId: null };
    return (await runtime.engine.startRun(request)).runId;
  };
}

interface Throughput {
  runs: number;
  seconds: number;
  runsPerSecond: number;
  stepsPerSecond: number;
}

/**
 * Starts runs the way a few busy API clients would: at most SUBMITTERS startRun calls at a
 * time (runs stay in flight after startRun returns). Calls are handed out in order.
 */
async function startMany<T>(runs: number, startOne: () => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const submitter = async () => {
    while (next < runs) {
      const index = next++;
      results[index] = await startOne();
    }
  };
  await Promise.all(Array.from({ length: Math.min(SUBMITTERS, runs) }, submitter));
  return results;
}

// ---------------------------------------------------------------------------------------
// In this process. Runs are seen finishing the way a browser sees them, through the team's
// live feed (the realtime emit), at the moment of the emit: no polling between the engine
// and the clock.
class RunFeed {
  private readonly finishedAt = new Map<string, number>();
  private readonly waiters = new Map<string, (at: number) => void>();

  install(): void {
    setProcessSingleton(REALTIME_KEY, { to: () => ({ emit: (_event: string, dto: RunEventDto) => this.observe(dto) }) });
  }

  uninstall(): void {
    setProcessSingleton(REALTIME_KEY, undefined);
  }

  private observe(dto: RunEventDto): void {
    if (dto.type !== "run.status" || !FINISHED.has(String(dto.payload.status))) return;
    const at = performance.now();
    const waiter = this.waiters.get(dto.runId);
    if (waiter) {
      this.waiters.delete(dto.runId);
      waiter(at);
    } else {
      this.finishedAt.set(dto.runId, at);
    }
  }

  /** When the run finished (performance.now() time). */
  finished(runId: string): Promise<number> {
    const at = this.finishedAt.get(runId);
    if (at !== undefined) {
      this.finishedAt.delete(runId);
      return Promise.resolve(at);
    }
    return new Promise((resolve) => this.waiters.set(runId, resolve));
  }
}

async function inProcess() {
  const dataDir = await mkdtemp(path.join(tmpdir(), "maestro-bench-engine-"));
  const database = await openDatabase({ kind: "pglite", dataDir: path.join(dataDir, "pglite") });
  const feed = new RunFeed();
  let engineRuntime: EngineRuntime | undefined;
  try {
    await applyMigrations(database.migrationTarget);
    installDatabase(database);
    feed.install();
    engineRuntime = await startEngine({ backend: "in-process", concurrency: CONCURRENCY, recoveryIntervalMs: 600_000, runners: NO_OP_RUNNERS });
    const start = await seed(database.prisma, engineRuntime);
    const once = async (steps: Shape) => {
      const started = performance.now();
      const runId = await start(steps);
      return (await feed.finished(runId)) - started;
    };
    for (let i = 0; i < 5; i++) for (const steps of SHAPES) await once(steps); // warm-up

    const singleRun: Record<string, { samples: number; medianWallMs: number; overheadPerStepMs: number }> = {};
    for (const steps of SHAPES) {
      const walls: number[] = [];
      for (let i = 0; i < SAMPLES; i++) walls.push(await once(steps));
      singleRun[`chain${steps}`] = { samples: SAMPLES, medianWallMs: round(median(walls)), overheadPerStepMs: round(median(walls) / steps) };
    }
    const underLoad: Record<string, Throughput & { overheadPerStepMs: number }> = {};
    for (const steps of SHAPES) {
      const started = performance.now();
      // Wrapped, so a submitter moves on once the run started, not once it finished.
      const finishing = await startMany(RUNS, async () => ({ at: feed.finished(await start(steps)) }));
      const ends = await Promise.all(finishing.map((f) => f.at));
      const seconds = (Math.max(...ends) - started) / 1000;
      underLoad[`chain${steps}`] = {
        runs: RUNS,
        seconds: round(seconds),
        runsPerSecond: round(RUNS / seconds, 1),
        stepsPerSecond: round((RUNS * steps) / seconds, 1),
        overheadPerStepMs: round((seconds * 1000) / (RUNS * steps)),
      };
    }
    const failed = await database.prisma.run.count({ where: { status: { not: "SUCCEEDED" } } });
    return { database: "pglite", singleRun, underLoad, runsNotSucceeded: failed };
  } finally {
    await engineRuntime?.stop();
    engineRuntime = undefined;
    feed.uninstall();
    installDatabase(undefined);
    await database.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------
// Worker processes.
const children: NodeProcess[] = [];
async function startChild(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<NodeProcess> {
  const child = new NodeProcess(["--import", "tsx", script, ...args], env);
  children.push(child);
  await child.waitFor(`${script} to be ready`, (event) => event.ready === true, READY_TIMEOUT_MS);
  return child;
}

async function until(check: () => Promise<boolean>, intervalMs: number): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, intervalMs));
}

async function onBullmq(prefix: string, workerEnv: NodeJS.ProcessEnv) {
  const database = await createPostgresDatabase(POSTGRES_URL, "maestro_bench");
  let engineRuntime: EngineRuntime | undefined;
  try {
    const { prisma: db, url } = database;
    engineRuntime = await startEngine({ backend: "bullmq", redisUrl: REDIS_URL, queuePrefix: prefix, concurrency: 0, recoveryIntervalMs: 600_000, runners: NO_OP_RUNNERS });
    const start = await seed(db, engineRuntime);
    const env = { ...workerEnv, DATABASE_URL: url };

    // Runs finish in the workers: completion is polled, the time taken from the rows.
    const measure = async (steps: Shape, runs: number): Promise<Throughput & { notSucceeded: number }> => {
      const started = new Date();
      const ids = await startMany(runs, () => start(steps));
      const finished = { status: { in: [...FINISHED_RUN_STATUSES] } };
      await until(async () => (await db.run.count({ where: { id: { in: ids }, ...finished } })) === runs, 50);
      const last = await db.run.aggregate({ where: { id: { in: ids } }, _max: { finishedAt: true } });
      const seconds = (last._max.finishedAt!.getTime() - started.getTime()) / 1000;
      const notSucceeded = await db.run.count({ where: { id: { in: ids }, status: { not: "SUCCEEDED" } } });
      return { runs, seconds: round(seconds), runsPerSecond: round(runs / seconds, 1), stepsPerSecond: round((runs * steps) / seconds, 1), notSucceeded };
    };
    const results: Record<string, Record<string, Throughput>> = {};
    for (const workers of [1, 2]) {
      while (children.length < workers) await startChild("bench/engine-worker.ts", [], env);
      for (const steps of SHAPES) await measure(steps, 20); // warm-up
      results[`workers${workers}`] = {};
      for (const steps of SHAPES) results[`workers${workers}`]![`chain${steps}`] = await measure(steps, RUNS);
    }
    return results as Record<"workers1" | "workers2", Record<"chain1" | "chain20", Throughput>>;
  } finally {
    await Promise.all(children.splice(0).map((child) => child.stop()));
    await engineRuntime?.stop();
    engineRuntime = undefined;
    await database.destroy();
  }
}

/** Empty jobs added one by one (as the engine enqueues) with the engine's job options. */
async function rawBullmq(prefix: string, workerEnv: NodeJS.ProcessEnv) {
  const queueName = "bench-raw";
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(queueName, { connection, prefix });
  const options = {
    priority: toBullPriority(0),
    attempts: DEFAULT_QUEUE_RETRY.attempts,
    backoff: { type: "exponential", delay: DEFAULT_QUEUE_RETRY.backoffMs },
    removeOnComplete: true,
    removeOnFail: { age: 7 * 24 * 3600 },
  };
  const measure = async (jobs: number) => {
    const started = performance.now();
    await Promise.all(Array.from({ length: jobs }, (_, i) => queue.add("job", { i }, options)));
    await until(async () => {
      const counts = await queue.getJobCounts("waiting", "prioritized", "active", "delayed");
      return Object.values(counts).every((n) => n === 0);
    }, 5);
    const seconds = (performance.now() - started) / 1000;
    return { jobs, seconds: round(seconds), jobsPerSecond: round(jobs / seconds, 1) };
  };
  try {
    const results: Record<string, { jobs: number; seconds: number; jobsPerSecond: number }> = {};
    for (const workers of [1, 2]) {
      while (children.length < workers) await startChild("bench/bullmq-worker.ts", [queueName], workerEnv);
      await measure(500); // warm-up
      results[`workers${workers}`] = await measure(JOBS);
    }
    return results as Record<"workers1" | "workers2", { jobs: number; seconds: number; jobsPerSecond: number }>;
  } finally {
    await Promise.all(children.splice(0).map((child) => child.stop()));
    await queue.obliterate({ force: true });
    await queue.close();
    connection.disconnect();
  }
}

// ---------------------------------------------------------------------------------------
const prefix = `maestro-bench-${randomBytes(4).toString("hex")}`;
const scratch = await mkdtemp(path.join(tmpdir(), "maestro-bench-workers-"));
const { DATABASE_URL: _database, ...inherited } = process.env;
const workerEnv: NodeJS.ProcessEnv = {
  ...inherited,
  REDIS_URL,
  MAESTRO_QUEUE_PREFIX: prefix,
  MAESTRO_WORKER_CONCURRENCY: String(CONCURRENCY),
  MAESTRO_LOG_LEVEL: "warn",
  MAESTRO_DATA_DIR: scratch,
  MAESTRO_SECRET: "bench-secret-0123456789abcdef0123456789",
};

try {
  const local = await inProcess();
  const bullmq = await onBullmq(prefix, workerEnv);
  const raw = await rawBullmq(prefix, workerEnv);

  const engineToRaw = (workers: "workers1" | "workers2") => ({
    chain1: round(bullmq[workers].chain1.stepsPerSecond / raw[workers].jobsPerSecond),
    chain20: round(bullmq[workers].chain20.stepsPerSecond / raw[workers].jobsPerSecond),
  });
  const ratios = {
    engineStepsToRawJobs: { workers1: engineToRaw("workers1"), workers2: engineToRaw("workers2") },
    scaling1To2Workers: {
      engineChain1: round(bullmq.workers2.chain1.stepsPerSecond / bullmq.workers1.chain1.stepsPerSecond),
      engineChain20: round(bullmq.workers2.chain20.stepsPerSecond / bullmq.workers1.chain20.stepsPerSecond),
      raw: round(raw.workers2.jobsPerSecond / raw.workers1.jobsPerSecond),
    },
  };
  const results = {
    concurrency: CONCURRENCY,
    inProcess: local,
    bullmq,
    rawBullmq: raw,
    ratios,
    targets: {
      inProcessSingleRunUnder1MsPerStep: local.singleRun.chain20!.overheadPerStepMs < 1,
      inProcessUnderLoadUnder1MsPerStep: local.underLoad.chain20!.overheadPerStepMs < 1,
      engineAtLeastHalfOfRawBullmq: ratios.engineStepsToRawJobs.workers1.chain20 >= 0.5 && ratios.engineStepsToRawJobs.workers2.chain20 >= 0.5,
      // Near-linear: two workers do at least 1.8 times the work of one.
      nearLinearScaling: ratios.scaling1To2Workers.engineChain20 >= 1.8,
    },
  };
  process.stdout.write(JSON.stringify(results, null, 2) + "\n");
} finally {
  await Promise.all(children.splice(0).map((child) => child.stop()));
  await deleteRedisKeys(REDIS_URL, prefix);
  await rm(scratch, { recursive: true, force: true });
}
process.exit(0);
