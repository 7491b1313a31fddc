// The engine's behaviour, the same suite on both backends: in this process, and on
// BullMQ with the real Redis.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/db.ts";
import { startEngine, type EngineRuntime } from "./runtime.ts";
import { createTeam, eventually, saveWorkflow, startEffectsServer, type EffectsServer } from "./testing/harness.ts";
import type { WorkflowDefinitionInput } from "../shared/workflow-definition.ts";
import { stopGatewayServices } from "../modules/gateway/index.ts";
import { shutdownSandbox } from "./sandbox/index.ts";

// The BullMQ half needs Redis: it runs in the PostgreSQL + Redis pass (REDIS_URL set), which
// .ci/run always runs and fails when the services are missing; `npm test` on a machine with
// only Node runs the in-process half.
const REDIS_URL = process.env.REDIS_URL;
const BACKENDS = REDIS_URL ? (["in-process", "bullmq"] as const) : (["in-process"] as const);

let database: TestDatabase;
let effects: EffectsServer;

beforeAll(async () => {
  database = await createTestDatabase();
  effects = await startEffectsServer();
});

afterAll(async () => {
  await effects?.close();
  await stopGatewayServices();
  await shutdownSandbox();
  await database?.destroy();
});

describe.each(BACKENDS)("engine on the %s backend", (backend) => {
  let runtime: EngineRuntime;
  let team: { teamId: string; userId: string };
  const prefix = `maestro-test-${randomBytes(4).toString("hex")}`;

  const start = () =>
    startEngine({ backend, ...(REDIS_URL ? { redisUrl: REDIS_URL } : {}), queuePrefix: prefix, concurrency: 8, recoveryIntervalMs: 60_000, heartbeatMs: 500, lockDurationMs: 1500 });

  beforeAll(async () => {
    runtime = await start();
    team = await createTeam(database.prisma);
  });

  afterAll(async () => {
    await runtime?.stop();
  });

  async function run(definition: WorkflowDefinitionInput, input: Record<string, unknown> = {}, options: { priority?: number } = {}) {
    const workflow = await saveWorkflow(database.prisma, team.teamId, definition);
    const { runId } = await runtime.engine.startRun({ teamId: team.teamId, workflow, input, createdById: team.userId, apiKeyId: null, ...options });
    return runId;
  }

  const steps = async (runId: string) => {
    const rows = await database.prisma.stepRun.findMany({ where: { runId }, orderBy: [{ startedAt: "asc" }] });
    return new Map(rows.map((r) => [r.key, r]));
  };
  const runRow = (runId: string) => database.prisma.run.findUniqueOrThrow({ where: { id: runId } });
  const stepStatus = async (runId: string, key: string) => (await database.prisma.stepRun.findUnique({ where: { runId_key: { runId, key } } }))?.status;

  it("runs a DAG in dependency order and passes outputs along", async () => {
    const runId = await run(
      {
        name: "diamond",
        inputs: { n: { type: "number" } },
        steps: [
          { id: "a", kind: "code", code: "return input.n + 1", inputs: { n: "{{ input.n }}" } },
          { id: "b", kind: "code", code: "return input.a * 2", inputs: { a: "{{ steps.a.output }}" } },
          { id: "c", kind: "code", code: "return input.a * 3", inputs: { a: "{{ steps.a.output }}" } },
          { id: "d", kind: "code", code: "return input.b + input.c", inputs: { b: "{{ steps.b.output }}", c: "{{ steps.c.output }}" } },
        ],
      },
      { n: 1 },
    );
    expect(await runtime.engine.waitForRun(runId)).toBe("SUCCEEDED");
    const rows = await steps(runId);
    expect([...rows.values()].map((r) => [r.key, r.output])).toEqual(expect.arrayContaining([["a", 2], ["b", 4], ["c", 6], ["d", 10]]));
    const at = (key: string, field: "startedAt" | "finishedAt") => rows.get(key)![field]!.getTime();
    expect(at("b", "startedAt")).toBeGreaterThanOrEqual(at("a", "finishedAt"));
    expect(at("c", "startedAt")).toBeGreaterThanOrEqual(at("a", "finishedAt"));
    expect(at("d", "startedAt")).toBeGreaterThanOrEqual(Math.max(at("b", "finishedAt"), at("c", "finishedAt")));
    const finished = await runRow(runId);
    expect(finished.output).toBe(10);
    const events = await database.prisma.runEvent.findMany({ where: { runId }, orderBy: { id: "asc" } });
    expect(events.filter((e) => e.type === "run.status").map((e) => (e.payload as { status: string }).status)).toEqual(["QUEUED", "RUNNING", "SUCCEEDED"]);
  });

  it("fans a map out in parallel within its concurrency limit, keeping the items' order", async () => {
    effects.reset();
    const runId = await run({
      name: "fan out",
      steps: [
        { id: "list", kind: "code", code: "return [1, 2, 3, 4, 5, 6]" },
        {
          id: "fan",
          kind: "map",
          items: "{{ steps.list.output }}",
          concurrency: 2,
          step: { kind: "http", method: "GET", url: `${effects.url}/concurrency?ms=60&v={{ item }}` },
        },
      ],
    });
    expect(await runtime.engine.waitForRun(runId)).toBe("SUCCEEDED");
    expect(effects.maxConcurrent).toBeLessThanOrEqual(2);
    const output = (await runRow(runId)).output as { body: { value: string } }[];
    expect(output.map((o) => o.body.value)).toEqual(["1", "2", "3", "4", "5", "6"]);
    const items = [...(await steps(runId)).values()].filter((r) => r.phase === "item");
    expect(items).toHaveLength(6);
  });

  it("takes one branch of a condition and skips the other", async () => {
    const definition: WorkflowDefinitionInput = {
      name: "branch",
      inputs: { flag: { type: "boolean" } },
      steps: [
        { id: "check", kind: "condition", if: "input.flag === true", then: ["yes"], else: ["no"] },
        { id: "yes", kind: "code", code: "return 'took then'" },
        { id: "no", kind: "code", code: "return 'took else'" },
        { id: "join", kind: "code", needs: ["yes", "no"], code: "return [input.y, input.n]", inputs: { y: "{{ steps.yes.output }}", n: "{{ steps.no.output }}" } },
      ],
    };
    const yes = await run(definition, { flag: true });
    const no = await run(definition, { flag: false });
    expect(await runtime.engine.waitForRun(yes)).toBe("SUCCEEDED");
    expect(await runtime.engine.waitForRun(no)).toBe("SUCCEEDED");
    expect(await stepStatus(yes, "no")).toBe("SKIPPED");
    expect((await runRow(yes)).output).toEqual(["took then", null]);
    expect(await stepStatus(no, "yes")).toBe("SKIPPED");
    expect((await runRow(no)).output).toEqual([null, "took else"]);
  });

  it("retries a failing step with backoff until it succeeds, and fails when attempts run out", async () => {
    const id = randomBytes(4).toString("hex");
    const ok = await run({
      name: "flaky",
      steps: [{ id: "call", kind: "http", url: `${effects.url}/flaky?id=${id}&fail=2`, retry: { attempts: 3, backoff: "fixed", delayMs: 20 } }],
    });
    expect(await runtime.engine.waitForRun(ok)).toBe("SUCCEEDED");
    const row = (await steps(ok)).get("call")!;
    expect(row.attempt).toBe(3);
    expect(effects.hits.get(id)).toBe(3);

    const id2 = randomBytes(4).toString("hex");
    const failing = await run({
      name: "flaky too long",
      steps: [{ id: "call", kind: "http", url: `${effects.url}/flaky?id=${id2}&fail=5`, retry: { attempts: 2, backoff: "exponential", delayMs: 10 } }],
    });
    expect(await runtime.engine.waitForRun(failing)).toBe("FAILED");
    expect(effects.hits.get(id2)).toBe(2);
    expect((await runRow(failing)).error).toMatchObject({ stepKey: "call" });
  });

  it("does not retry a permanent failure", async () => {
    const runId = await run({ name: "bad request", steps: [{ id: "call", kind: "http", url: `${effects.url}/status/400`, retry: { attempts: 5, delayMs: 10 } }] });
    expect(await runtime.engine.waitForRun(runId)).toBe("FAILED");
    expect((await steps(runId)).get("call")!.attempt).toBe(1);
  });

  it("stops a step at its timeout and aborts the call", async () => {
    effects.reset();
    const runId = await run({ name: "slow", steps: [{ id: "wait", kind: "http", url: `${effects.url}/slow?ms=5000`, timeoutMs: 150 }] });
    expect(await runtime.engine.waitForRun(runId)).toBe("FAILED");
    const row = (await steps(runId)).get("wait")!;
    expect(row.error).toMatchObject({ code: "TIMEOUT" });
    await eventually(async () => effects.aborted >= 1, 5000, "the aborted request");
  });

  it("rolls back completed steps in reverse order when a later step fails", async () => {
    effects.reset();
    const runId = await run({
      name: "book a trip",
      steps: [
        {
          id: "hotel",
          kind: "http",
          method: "POST",
          url: `${effects.url}/effect?name=book-hotel`,
          compensate: { kind: "http", method: "POST", url: `${effects.url}/effect?name=cancel-hotel&ref={{ steps.hotel.output.body.ref }}` },
        },
        {
          id: "flight",
          kind: "http",
          method: "POST",
          needs: ["hotel"],
          url: `${effects.url}/effect?name=book-flight`,
          compensate: { kind: "http", method: "POST", url: `${effects.url}/effect?name=cancel-flight` },
        },
        { id: "pay", kind: "http", needs: ["flight"], url: `${effects.url}/status/402` },
      ],
    });
    expect(await runtime.engine.waitForRun(runId)).toBe("COMPENSATED");
    const names = [...effects.applied.values()].map((e) => e.name);
    expect(names).toEqual(["book-hotel", "book-flight", "cancel-flight", "cancel-hotel"]);
    const rows = await steps(runId);
    expect(rows.get("hotel")!.status).toBe("COMPENSATED");
    expect(rows.get("flight")!.status).toBe("COMPENSATED");
    expect(rows.get("pay")!.status).toBe("FAILED");
    expect((await runRow(runId)).error).toMatchObject({ stepKey: "pay" });
  });

  it("cancels a run promptly and aborts the call in flight", async () => {
    effects.reset();
    const runId = await run({ name: "long", steps: [{ id: "wait", kind: "http", url: `${effects.url}/slow?ms=20000` }, { id: "after", kind: "code", needs: ["wait"], code: "return 1" }] });
    await eventually(async () => (await stepStatus(runId, "wait")) === "RUNNING", 10_000, "the step to start");
    await runtime.engine.cancelRun(team.teamId, runId);
    expect(await runtime.engine.waitForRun(runId, 5000)).toBe("CANCELLED");
    await eventually(async () => (await stepStatus(runId, "wait")) === "CANCELLED", 5000, "the step to be cancelled");
    await eventually(async () => effects.aborted >= 1, 5000, "the aborted request");
    expect(await stepStatus(runId, "after")).toBeUndefined();
    await expect(runtime.engine.cancelRun(team.teamId, runId)).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("pauses between steps and resumes where it stopped", async () => {
    const runId = await run({
      name: "pausable",
      steps: [
        { id: "first", kind: "http", url: `${effects.url}/slow?ms=300` },
        { id: "second", kind: "code", needs: ["first"], code: "return 'done'" },
      ],
    });
    await eventually(async () => (await stepStatus(runId, "first")) === "RUNNING", 10_000, "the first step");
    await runtime.engine.pauseRun(team.teamId, runId);
    await eventually(async () => (await stepStatus(runId, "first")) === "SUCCEEDED", 10_000, "the first step to finish");
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await runRow(runId)).status).toBe("PAUSED");
    expect(await stepStatus(runId, "second")).toBeUndefined();
    await runtime.engine.resumeRun(team.teamId, runId);
    expect(await runtime.engine.waitForRun(runId)).toBe("SUCCEEDED");
    await expect(runtime.engine.resumeRun(team.teamId, runId)).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("waits for an approval from someone with the step's scope", async () => {
    const definition: WorkflowDefinitionInput = {
      name: "approve me",
      inputs: { what: { type: "string" } },
      steps: [
        { id: "ask", kind: "approval", message: "Deploy {{ input.what }}?", scope: "workflows:run" },
        { id: "deploy", kind: "code", needs: ["ask"], code: "return 'deployed'" },
      ],
    };
    const approved = await run(definition, { what: "v2" });
    await eventually(async () => (await runRow(approved)).status === "WAITING", 10_000, "the run to wait");
    const ask = (await steps(approved)).get("ask")!;
    expect(ask.input).toMatchObject({ message: "Deploy v2?" });
    await expect(runtime.engine.decideApproval(team.teamId, approved, "ask", { userId: team.userId, scopes: ["runs:read"] }, true, "")).rejects.toMatchObject({ code: "FORBIDDEN" });
    await runtime.engine.decideApproval(team.teamId, approved, "ask", { userId: team.userId, scopes: ["workflows:run"] }, true, "ship it");
    expect(await runtime.engine.waitForRun(approved)).toBe("SUCCEEDED");
    expect((await steps(approved)).get("ask")!.output).toMatchObject({ approved: true, comment: "ship it" });

    const rejected = await run(definition, { what: "v3" });
    await eventually(async () => (await runRow(rejected)).status === "WAITING", 10_000, "the run to wait");
    await runtime.engine.decideApproval(team.teamId, rejected, "ask", { userId: team.userId, scopes: ["workflows:run"] }, false, "not today");
    expect(await runtime.engine.waitForRun(rejected)).toBe("FAILED");
    expect(await stepStatus(rejected, "deploy")).toBeUndefined();
  });

  it("ignores a job delivered again after its step finished, and applies a redelivered step's effect once", async () => {
    effects.reset();
    const runId = await run({ name: "once", steps: [{ id: "pay", kind: "http", method: "POST", url: `${effects.url}/effect?name=pay&ms=150`, body: { amount: 5 } }] });
    await eventually(async () => (await stepStatus(runId, "pay")) === "RUNNING", 10_000, "the step to start");
    const row = (await steps(runId)).get("pay")!;
    // The same job again while it runs (a worker thought dead) and after it finished.
    await runtime.engine.executeStep({ stepRunId: row.id, runId, teamId: team.teamId, attempt: row.attempt, priority: 0 }, { nodeId: "other-node", deliveries: 2 });
    expect(await runtime.engine.waitForRun(runId)).toBe("SUCCEEDED");
    await runtime.backend.enqueue({ stepRunId: row.id, runId, teamId: team.teamId, attempt: row.attempt, priority: 0 });
    await eventually(async () => !(await runtime.backend.hasJob({ stepRunId: row.id, attempt: row.attempt })), 10_000, "the duplicate job to be consumed");
    expect(effects.applied.size).toBe(1);
    expect(new Set(effects.keys.filter(Boolean))).toEqual(new Set([row.idempotencyKey]));
    const events = await database.prisma.runEvent.findMany({ where: { runId, stepKey: "pay", type: "step.status" } });
    expect(events.filter((e) => (e.payload as { status: string }).status === "SUCCEEDED")).toHaveLength(1);
  });

  it("retries a failed run from a step, keeping what succeeded before it", async () => {
    const id = randomBytes(4).toString("hex");
    const runId = await run({
      name: "retry me",
      steps: [
        { id: "prepare", kind: "http", method: "POST", url: `${effects.url}/effect?name=prepare-${id}` },
        { id: "call", kind: "http", needs: ["prepare"], url: `${effects.url}/flaky?id=${id}&fail=1` },
      ],
    });
    expect(await runtime.engine.waitForRun(runId)).toBe("FAILED");
    const before = (await steps(runId)).get("prepare")!;
    await runtime.engine.retryFromStep(team.teamId, runId, "call");
    expect(await runtime.engine.waitForRun(runId)).toBe("SUCCEEDED");
    const after = await steps(runId);
    expect(after.get("prepare")!.id).toBe(before.id);
    expect(after.get("call")!.status).toBe("SUCCEEDED");
    await expect(runtime.engine.retryFromStep(team.teamId, runId, "call")).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("runs a team's runs within its concurrency limit, highest priority first", async () => {
    const limited = await createTeam(database.prisma);
    await database.prisma.engineSettings.create({ data: { teamId: limited.teamId, maxConcurrentRuns: 1 } });
    const workflow = await saveWorkflow(database.prisma, limited.teamId, { name: "one at a time", steps: [{ id: "wait", kind: "http", url: `${effects.url}/slow?ms=150` }] });
    const startOne = (priority: number) => runtime.engine.startRun({ teamId: limited.teamId, workflow, input: {}, priority, createdById: null, apiKeyId: null });
    const first = await startOne(0);
    const low = await startOne(0);
    const high = await startOne(10);
    expect((await runRow(low.runId)).status).toBe("QUEUED");
    for (const r of [first, low, high]) expect(await runtime.engine.waitForRun(r.runId)).toBe("SUCCEEDED");
    const startedAt = async (id: string) => (await runRow(id)).startedAt!.getTime();
    expect(await startedAt(high.runId)).toBeLessThan(await startedAt(low.runId));
  });

  it("continues a run after its node stopped mid-step", async () => {
    effects.reset();
    const runId = await run({
      name: "survives restarts",
      steps: [
        { id: "slow", kind: "http", method: "POST", url: `${effects.url}/effect?name=slow&ms=400` },
        { id: "after", kind: "code", needs: ["slow"], code: "return 'after'" },
      ],
    });
    await eventually(async () => (await stepStatus(runId, "slow")) === "RUNNING", 10_000, "the step to start");
    await runtime.stop({ drain: false });
    expect(await stepStatus(runId, "slow")).toBe("RUNNING");
    runtime = await start();
    await runtime.recover(0);
    expect(await runtime.engine.waitForRun(runId, 20_000)).toBe("SUCCEEDED");
    // The step ran twice (the first node died mid-call); its effect was applied once.
    expect([...effects.applied.values()].filter((e) => e.name === "slow")).toHaveLength(1);
    expect((await runRow(runId)).output).toBe("after");
  });
});
