// Crashes with real processes: a worker killed in the middle of a step on a shared
// PostgreSQL + Redis, and the embedded web process killed and started again on the same
// data dir. The first needs PostgreSQL and Redis: it runs in the pass where DATABASE_URL
// and REDIS_URL are set, which .ci/run always runs (and fails when the services are missing).
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stopGatewayServices } from "../modules/gateway/index.ts";
import { createPostgresDatabase, type PostgresTestDatabase } from "../test/db.ts";
import { startEngine, type EngineRuntime } from "./runtime.ts";
import { shutdownSandbox } from "./sandbox/index.ts";
import { createTeam, eventually, saveWorkflow, startEffectsServer, type EffectsServer } from "./testing/harness.ts";
import { NodeProcess } from "./testing/node-process.ts";
import { deleteRedisKeys } from "./testing/redis.ts";

const POSTGRES_URL = process.env.DATABASE_URL ?? "";
const REDIS_URL = process.env.REDIS_URL ?? "";
const ITEMS = 12;

const children: NodeProcess[] = [];
const start = (args: string[], env: NodeJS.ProcessEnv) => {
  const child = new NodeProcess(args, env);
  children.push(child);
  return child;
};

/** The environment without what selects the shared services; each test adds its own. */
function baseEnv(): NodeJS.ProcessEnv {
  const { DATABASE_URL: _database, REDIS_URL: _redis, MAESTRO_QUEUE_PREFIX: _prefix, ...rest } = process.env;
  return { ...rest, MAESTRO_LOG_LEVEL: "warn" };
}

let effects: EffectsServer;

beforeAll(async () => {
  effects = await startEffectsServer();
});

afterAll(async () => {
  await Promise.all(children.map((child) => child.kill()));
  await effects?.close();
  await stopGatewayServices();
  await shutdownSandbox();
});

describe.runIf(POSTGRES_URL && REDIS_URL)("a worker killed in the middle of a step", () => {
  const prefix = `maestro-crash-${randomBytes(4).toString("hex")}`;
  let database: PostgresTestDatabase | undefined;
  let runtime: EngineRuntime | undefined;

  afterAll(async () => {
    await Promise.all(children.map((child) => child.kill()));
    await runtime?.stop();
    await database?.destroy();
    await deleteRedisKeys(REDIS_URL, prefix);
  });

  it("is taken over by the other worker: every item succeeds once and each effect is applied once", { timeout: 90_000 }, async () => {
    database = await createPostgresDatabase(POSTGRES_URL, "maestro_crash");
    const { prisma, url } = database;
    const team = await createTeam(prisma);
    const workflow = await saveWorkflow(prisma, team.teamId, {
      name: "charge every item",
      inputs: { items: { type: "array" } },
      steps: [
        {
          id: "fan",
          kind: "map",
          items: "{{ input.items }}",
          concurrency: 4,
          step: { kind: "http", method: "POST", url: `${effects.url}/effect?name=item-{{ index }}&ms=1000` },
        },
        {
          id: "sum",
          kind: "code",
          code: "return { count: input.results.length, total: input.results.reduce((n, r) => n + Number(r.body.name.slice(5)), 0), names: input.results.map((r) => r.body.name) }",
          inputs: { results: "{{ steps.fan.output }}" },
        },
      ],
    });

    const workerEnv = {
      ...baseEnv(),
      DATABASE_URL: url,
      REDIS_URL,
      MAESTRO_QUEUE_PREFIX: prefix,
      MAESTRO_QUEUE_LOCK_MS: "2000",
      MAESTRO_NODE_HEARTBEAT_MS: "500",
      MAESTRO_RECOVERY_INTERVAL_MS: "1000",
      MAESTRO_WORKER_CONCURRENCY: "2",
      MAESTRO_SECRET: "crash-test-secret-0123456789abcdef0123456789",
    };
    const workerA = start(["bin/maestro.mjs", "worker"], workerEnv);
    const workerB = start(["bin/maestro.mjs", "worker"], workerEnv);
    const nodes = await eventually(
      async () => {
        for (const worker of [workerA, workerB]) if (!worker.running) throw new Error(`A worker exited:\n${worker.lines.join("\n")}`);
        // Registered, and (the announcement comes after) taking jobs.
        if (![workerA, workerB].every((worker) => worker.lines.some((line) => line.includes("is executing steps")))) return null;
        const rows = await prisma.workerNode.findMany({ where: { role: "worker", status: "ACTIVE", pid: { in: [workerA.pid, workerB.pid] } } });
        return rows.length === 2 ? rows : null;
      },
      45_000,
      "both workers to register",
    );
    const nodeA = nodes.find((n) => n.pid === workerA.pid)!.id;
    const nodeB = nodes.find((n) => n.pid === workerB.pid)!.id;

    // This process only schedules; the workers execute.
    runtime = await startEngine({ backend: "bullmq", redisUrl: REDIS_URL, queuePrefix: prefix, concurrency: 0, recoveryIntervalMs: 1000, heartbeatMs: 500, lockDurationMs: 2000 });
    const items = Array.from({ length: ITEMS }, (_, i) => i);
    const { runId } = await runtime.engine.startRun({ teamId: team.teamId, workflow, input: { items }, createdById: team.userId, apiKeyId: null });

    // Killed while an item it runs has only just started its call (each takes a second).
    await eventually(
      async () => {
        const rows = await prisma.stepRun.findMany({ where: { runId, status: "RUNNING", nodeId: nodeA }, select: { startedAt: true } });
        return rows.some((r) => r.startedAt && Date.now() - r.startedAt.getTime() < 500);
      },
      30_000,
      "a step running on worker A",
    );
    await workerA.kill("SIGKILL");
    const interrupted = await prisma.stepRun.findMany({ where: { runId, status: "RUNNING", nodeId: nodeA }, select: { key: true } });
    expect(interrupted.length).toBeGreaterThan(0);

    expect(await runtime.engine.waitForRun(runId, 60_000)).toBe("SUCCEEDED");
    expect(workerB.running).toBe(true);

    const steps = await prisma.stepRun.findMany({ where: { runId } });
    const itemRows = steps.filter((s) => s.phase === "item");
    expect(itemRows).toHaveLength(ITEMS);
    expect(itemRows.every((s) => s.status === "SUCCEEDED")).toBe(true);
    for (const { key } of interrupted) expect(steps.find((s) => s.key === key)).toMatchObject({ status: "SUCCEEDED", nodeId: nodeB });

    // One SUCCEEDED event per step: nothing finished twice.
    const events = await prisma.runEvent.findMany({ where: { runId, type: "step.status" }, select: { stepKey: true, payload: true } });
    const succeeded = new Map<string, number>();
    for (const event of events) {
      if ((event.payload as { status?: string }).status === "SUCCEEDED") succeeded.set(event.stepKey!, (succeeded.get(event.stepKey!) ?? 0) + 1);
    }
    for (const step of steps) expect(succeeded.get(step.key), step.key).toBe(1);

    // Each item's effect applied once, under that item's own idempotency key.
    expect(effects.applied.size).toBe(ITEMS);
    for (const row of itemRows) expect(effects.applied.get(row.idempotencyKey)?.name).toBe(`item-${row.mapIndex}`);

    const run = await prisma.run.findUniqueOrThrow({ where: { id: runId } });
    expect(run.output).toEqual({ count: ITEMS, total: (ITEMS * (ITEMS - 1)) / 2, names: items.map((i) => `item-${i}`) });
    await eventually(async () => (await prisma.workerNode.findUnique({ where: { id: nodeA } }))?.status === "LOST", 15_000, "worker A to be marked lost");
    expect((await prisma.workerNode.findUniqueOrThrow({ where: { id: nodeB } })).status).toBe("ACTIVE");
  });
});

describe("the embedded web process killed and started again", () => {
  let dataDir: string | undefined;

  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("continues the run on restart: the effect is applied once and both steps finish", { timeout: 90_000 }, async () => {
    effects.reset();
    dataDir = await mkdtemp(path.join(tmpdir(), "maestro-embedded-"));
    const env = { ...baseEnv(), MAESTRO_DATA_DIR: dataDir };
    const script = "server/engine/testing/embedded-node.ts";

    const first = start(["--import", "tsx", script, "start", effects.url], env);
    const runId = String((await first.waitFor("the run to start", (e) => e.event === "run", 45_000)).runId);
    await first.waitFor("the effect step to run", (e) => e.event === "step" && e.key === "charge" && e.status === "RUNNING");
    await first.kill("SIGKILL");

    const second = start(["--import", "tsx", script, "resume", runId], env);
    const finished = await second.waitFor("the run to finish", (e) => e.event === "finished", 60_000);
    expect(await second.exited).toBe(0);

    expect(finished.status).toBe("SUCCEEDED");
    const steps = finished.steps as { key: string; status: string; output: { body?: { ref?: string } } | null }[];
    const charge = steps.find((s) => s.key === "charge");
    const receipt = steps.find((s) => s.key === "receipt");
    expect(charge).toMatchObject({ status: "SUCCEEDED" });
    expect(receipt).toMatchObject({ status: "SUCCEEDED" });
    const ref = charge!.output!.body!.ref!;
    expect(ref).toMatch(/^charge-/);
    expect(receipt!.output).toEqual({ ref, done: true });
    expect(finished.output).toEqual({ ref, done: true });
    // Every call, before the crash and after, carried the step's one idempotency key.
    expect(new Set(effects.keys).size).toBe(1);
    expect([...effects.applied.values()].map((e) => e.name)).toEqual(["charge"]);
  });
});
