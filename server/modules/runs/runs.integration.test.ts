// Runs through the API with the engine running in this process: workflows created and
// started through tRPC, executed for real (code in the sandbox, tools, approvals), then
// read back, cancelled, approved and retried as each role.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { withFixtures, type Persona } from "../../test/fixtures.ts";
import { unique } from "../../test/rbac.ts";
import { engine, startEngine, stopEngine } from "../../engine/index.ts";
import type { RunStatus, WorkflowDefinition, WorkflowDefinitionInput } from "../../shared/workflow-definition.ts";
import { orderSteps, runProgress } from "./dto.ts";

const f = withFixtures();

beforeAll(async () => {
  await startEngine({ backend: "in-process" });
});

afterAll(async () => {
  await stopEngine();
});

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => "OK",
    (e: unknown) => {
      if (e instanceof TRPCError) return e.code;
      throw e;
    },
  );

/** Writes to memory, fans out over a list and adds the results up. */
const pipeline: WorkflowDefinitionInput = {
  name: "Pipeline",
  inputs: { n: { type: "integer" } },
  outputs: { total: "{{ steps.total.output }}" },
  steps: [
    { id: "remember", kind: "tool", tool: "memory_set", arguments: { key: "seed", value: "{{ input.n }}" } },
    { id: "split", kind: "code", code: "return [input.n, input.n + 1, input.n + 2];", inputs: { n: "{{ input.n }}" } },
    { id: "fan", kind: "map", items: "{{ steps.split.output }}", step: { kind: "code", code: "return input.x * 10;", inputs: { x: "{{ item }}" } } },
    { id: "total", kind: "code", code: "return input.values.reduce((a, b) => a + b, 0);", inputs: { values: "{{ steps.fan.output }}" } },
  ],
};

/** Waits for a person between preparing and shipping. */
function gated(scope = "workflows:run"): WorkflowDefinitionInput {
  return {
    name: "Gated",
    steps: [
      { id: "prepare", kind: "code", code: "return 'build 7';" },
      { id: "gate", kind: "approval", message: "Ship {{ steps.prepare.output }}?", scope: scope as "workflows:run" },
      { id: "ship", kind: "code", code: "return 'shipped';", needs: ["gate"] },
    ],
  };
}

/** Fails until the run's memory says "ready" (the test sets it, as an outside fix would). */
const flaky: WorkflowDefinitionInput = {
  name: "Flaky",
  steps: [
    { id: "read", kind: "tool", tool: "memory_get", arguments: { key: "ready" } },
    { id: "check", kind: "code", code: "if (!input.ready) throw new Error('not ready yet'); return 'done';", inputs: { ready: "{{ steps.read.output.value }}" } },
  ],
};

async function createWorkflow(definition: WorkflowDefinitionInput, persona: Persona = "operator", teamId = f.team.id) {
  const caller = await f.caller(persona);
  return caller.workflows.create({ teamId, slug: unique("run-flow-"), definition });
}

async function startRun(workflow: string, input: Record<string, unknown> = {}, persona: Persona = "operator", teamId = f.team.id) {
  const caller = await f.caller(persona);
  return (await caller.runs.start({ teamId, workflow, input })).runId;
}

/** Polls the run through the API until it reaches the status (approval steps hold a run in WAITING). */
async function reach(runId: string, status: RunStatus) {
  const viewer = await f.caller("viewer");
  for (let i = 0; i < 500; i++) {
    const run = await viewer.runs.get({ teamId: f.team.id, runId });
    if (run.status === status) return run;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`Run ${runId} never reached ${status}`);
}

describe("runs: start and read back", () => {
  it("runs a workflow of code and tool steps and reports steps, events, memory and the list", async () => {
    const workflow = await createWorkflow(pipeline);
    const runId = await startRun(workflow.slug, { n: 1 });
    expect(await engine().waitForRun(runId)).toBe("SUCCEEDED");

    const viewer = await f.caller("viewer");
    const run = await viewer.runs.get({ teamId: f.team.id, runId });
    expect(run).toMatchObject({
      id: runId,
      workflowId: workflow.id,
      workflowSlug: workflow.slug,
      workflowName: "Pipeline",
      version: 1,
      status: "SUCCEEDED",
      input: { n: 1 },
      output: { total: 60 },
      error: null,
      createdBy: "operator@acme.test",
      costUsd: 0,
    });
    expect(run.steps.map((s) => s.key)).toEqual(["remember", "split", "fan", "fan[0]", "fan[1]", "fan[2]", "total"]);
    expect(run.steps.every((s) => s.status === "SUCCEEDED")).toBe(true);
    expect(run.steps.find((s) => s.key === "total")?.output).toBe(60);
    expect(run.progress).toEqual({ done: 7, total: 7 });
    expect(run.definition.steps.map((s) => s.id)).toEqual(["remember", "split", "fan", "total"]);

    const events = await viewer.runs.events({ teamId: f.team.id, runId });
    expect(events[0]).toMatchObject({ runId, type: "run.status", payload: { status: "QUEUED" } });
    expect(events.at(-1)).toMatchObject({ type: "run.status", payload: { status: "SUCCEEDED" } });
    const ids = events.map((e) => BigInt(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : 1)));
    const later = await viewer.runs.events({ teamId: f.team.id, runId, after: events[1]!.id });
    expect(later.map((e) => e.id)).toEqual(events.slice(2).map((e) => e.id));
    expect(await viewer.runs.events({ teamId: f.team.id, runId, limit: 2 })).toHaveLength(2);

    expect(await viewer.runs.memory({ teamId: f.team.id, runId })).toEqual([expect.objectContaining({ key: "seed", value: 1, writtenBy: "remember" })]);
    expect(await viewer.runs.messages({ teamId: f.team.id, runId })).toEqual([]);

    const second = await startRun(workflow.id, { n: 2 });
    expect(await engine().waitForRun(second)).toBe("SUCCEEDED");
    const listed = await viewer.runs.list({ teamId: f.team.id, workflowId: workflow.id });
    expect(listed.items.map((r) => r.id)).toEqual([second, runId]);
    expect(listed.items[0]).toMatchObject({ status: "SUCCEEDED", workflowName: "Pipeline", progress: { done: 7, total: 7 } });
    const paged = await viewer.runs.list({ teamId: f.team.id, workflowId: workflow.id, limit: 1 });
    expect(paged.items.map((r) => r.id)).toEqual([second]);
    const next = await viewer.runs.list({ teamId: f.team.id, workflowId: workflow.id, limit: 1, cursor: paged.nextCursor! });
    expect(next).toEqual({ items: [expect.objectContaining({ id: runId })], nextCursor: null });
    expect((await viewer.runs.list({ teamId: f.team.id, workflowId: workflow.id, status: ["FAILED"] })).items).toEqual([]);
    expect((await viewer.runs.list({ teamId: f.team.id, workflowId: workflow.id, since: new Date(Date.now() + 60_000).toISOString() })).items).toEqual([]);
  });

  it("refuses bad input, unknown and archived workflows, and viewers", async () => {
    const workflow = await createWorkflow(pipeline);
    const operator = await f.caller("operator");
    expect(await codeOf(operator.runs.start({ teamId: f.team.id, workflow: workflow.slug, input: {} }))).toBe("BAD_REQUEST");
    expect(await codeOf(operator.runs.start({ teamId: f.team.id, workflow: workflow.slug, input: { n: 1 }, version: 5 }))).toBe("NOT_FOUND");
    expect(await codeOf(operator.runs.start({ teamId: f.team.id, workflow: "no-such-flow" }))).toBe("NOT_FOUND");
    const viewer = await f.caller("viewer");
    expect(await codeOf(viewer.runs.start({ teamId: f.team.id, workflow: workflow.slug, input: { n: 1 } }))).toBe("FORBIDDEN");
    await operator.workflows.archive({ teamId: f.team.id, workflowId: workflow.id });
    expect(await codeOf(operator.runs.start({ teamId: f.team.id, workflow: workflow.slug, input: { n: 1 } }))).toBe("CONFLICT");
    expect(await f.db.run.count({ where: { workflowId: workflow.id } })).toBe(0);
  });
});

describe("runs: controls", () => {
  it("cancels a run waiting for approval, once, and audits it", async () => {
    const workflow = await createWorkflow(gated());
    const runId = await startRun(workflow.slug);
    await reach(runId, "WAITING");

    const viewer = await f.caller("viewer");
    expect(await codeOf(viewer.runs.cancel({ teamId: f.team.id, runId }))).toBe("FORBIDDEN");
    const operator = await f.caller("operator");
    expect(await operator.runs.cancel({ teamId: f.team.id, runId })).toEqual({ runId, status: "CANCELLED" });
    const run = await viewer.runs.get({ teamId: f.team.id, runId });
    expect(run.steps.find((s) => s.key === "gate")?.status).toBe("CANCELLED");
    expect(run.steps.some((s) => s.key === "ship" && s.status !== "CANCELLED")).toBe(false);
    expect(await codeOf(operator.runs.cancel({ teamId: f.team.id, runId }))).toBe("CONFLICT");
    expect(await f.db.auditLog.findMany({ where: { action: "run.cancel", targetId: runId } })).toEqual([
      expect.objectContaining({ actorUserId: f.users.operator.id, teamId: f.team.id, before: { status: "WAITING" }, after: { status: "CANCELLED" } }),
    ]);
  });

  it("pauses and resumes a run", async () => {
    const workflow = await createWorkflow(gated());
    const runId = await startRun(workflow.slug);
    await reach(runId, "WAITING");
    const operator = await f.caller("operator");
    expect(await operator.runs.pause({ teamId: f.team.id, runId })).toEqual({ runId, status: "PAUSED" });
    expect(await codeOf(operator.runs.pause({ teamId: f.team.id, runId }))).toBe("CONFLICT");
    await operator.runs.resume({ teamId: f.team.id, runId });
    await reach(runId, "WAITING");
    expect(await codeOf(operator.runs.resume({ teamId: f.team.id, runId }))).toBe("CONFLICT");
    await operator.runs.cancel({ teamId: f.team.id, runId });
  });

  it("lets an operator approve, and the run go on", async () => {
    const workflow = await createWorkflow(gated());
    const runId = await startRun(workflow.slug);
    await reach(runId, "WAITING");

    const viewer = await f.caller("viewer");
    const decision = { teamId: f.team.id, runId, stepKey: "gate", approved: true, comment: "Ship it." };
    expect(await codeOf(viewer.runs.approve(decision))).toBe("FORBIDDEN");
    const operator = await f.caller("operator");
    await operator.runs.approve(decision);
    expect(await engine().waitForRun(runId)).toBe("SUCCEEDED");

    const run = await viewer.runs.get({ teamId: f.team.id, runId });
    expect(run.steps.map((s) => [s.key, s.status])).toEqual([
      ["prepare", "SUCCEEDED"],
      ["gate", "SUCCEEDED"],
      ["ship", "SUCCEEDED"],
    ]);
    expect(run.steps[1]!.output).toMatchObject({ approved: true, by: f.users.operator.id, comment: "Ship it." });
    expect(await codeOf(operator.runs.approve(decision))).toBe("CONFLICT");
    expect(await f.db.auditLog.findFirstOrThrow({ where: { action: "run.approve", targetId: runId } })).toMatchObject({
      actorUserId: f.users.operator.id,
      after: { step: "gate", approved: true, comment: "Ship it." },
    });
  });

  it("checks the approval step's own scope against the decider", async () => {
    const workflow = await createWorkflow(gated("settings:admin"));
    const runId = await startRun(workflow.slug);
    await reach(runId, "WAITING");
    const decision = { teamId: f.team.id, runId, stepKey: "gate", approved: false, comment: "Not this week." };
    expect(await codeOf((await f.caller("operator")).runs.approve(decision))).toBe("FORBIDDEN");
    await (await f.caller("admin")).runs.approve(decision);
    expect(await engine().waitForRun(runId)).toBe("FAILED");
    expect(await f.db.auditLog.count({ where: { action: "run.reject", targetId: runId, actorUserId: f.users.admin.id } })).toBe(1);
  });

  it("retries a failed run from a step once the cause is fixed", async () => {
    const workflow = await createWorkflow(flaky);
    const runId = await startRun(workflow.slug);
    expect(await engine().waitForRun(runId)).toBe("FAILED");
    const operator = await f.caller("operator");
    const failed = await operator.runs.get({ teamId: f.team.id, runId });
    expect(failed.error?.message).toContain("not ready yet");
    expect(failed.steps.find((s) => s.key === "check")).toMatchObject({ status: "FAILED", error: expect.objectContaining({ message: expect.stringContaining("not ready yet") }) });

    await f.db.runMemory.create({ data: { runId, key: "ready", value: true, writtenBy: "operator" } });
    expect(await codeOf((await f.caller("viewer")).runs.retry({ teamId: f.team.id, runId, stepKey: "read" }))).toBe("FORBIDDEN");
    await operator.runs.retry({ teamId: f.team.id, runId, stepKey: "read" });
    expect(await engine().waitForRun(runId)).toBe("SUCCEEDED");
    const run = await operator.runs.get({ teamId: f.team.id, runId });
    expect(run.steps.find((s) => s.key === "check")?.output).toBe("done");
    expect(await codeOf(operator.runs.retry({ teamId: f.team.id, runId, stepKey: "read" }))).toBe("CONFLICT");
    expect(await f.db.auditLog.count({ where: { action: "run.retry", targetId: runId } })).toBe(1);
  });

  it("lists dead letters with their workflow and retries them", async () => {
    const workflow = await createWorkflow(flaky);
    const runId = await startRun(workflow.slug);
    expect(await engine().waitForRun(runId)).toBe("FAILED");
    const step = await f.db.stepRun.findFirstOrThrow({ where: { runId, key: "read" } });
    // The queue gives up on a job only after repeated crashes; write what it leaves behind.
    const letter = await f.db.deadLetter.create({
      data: { teamId: f.team.id, runId, stepRunId: step.id, stepKey: "read", queue: "steps", error: "The worker kept crashing.", attempts: 3 },
    });
    await f.db.runMemory.create({ data: { runId, key: "ready", value: true, writtenBy: "operator" } });

    const viewer = await f.caller("viewer");
    const listed = (await viewer.runs.deadLetters({ teamId: f.team.id })).find((l) => l.id === letter.id);
    expect(listed).toMatchObject({ runId, stepKey: "read", attempts: 3, workflowId: workflow.id, workflowName: "Flaky", workflowSlug: workflow.slug, runStatus: "FAILED", retriedAt: null });

    expect(await codeOf(viewer.runs.retryDeadLetter({ teamId: f.team.id, deadLetterId: letter.id }))).toBe("FORBIDDEN");
    await (await f.caller("operator")).runs.retryDeadLetter({ teamId: f.team.id, deadLetterId: letter.id });
    expect(await engine().waitForRun(runId)).toBe("SUCCEEDED");
    expect((await viewer.runs.deadLetters({ teamId: f.team.id })).find((l) => l.id === letter.id)?.retriedAt).not.toBeNull();
  });
});

describe("runs: tenant floor", () => {
  it("treats another team's run as not found, whoever asks", async () => {
    const theirs = await createWorkflow(gated(), "outsider", f.otherTeam.id);
    const runId = await startRun(theirs.slug, {}, "outsider", f.otherTeam.id);
    const admin = await f.caller("admin");
    const target = { teamId: f.team.id, runId };
    for (const call of [
      () => admin.runs.get(target),
      () => admin.runs.events(target),
      () => admin.runs.messages(target),
      () => admin.runs.memory(target),
      () => admin.runs.cancel(target),
      () => admin.runs.pause(target),
      () => admin.runs.retry({ ...target, stepKey: "prepare" }),
      () => admin.runs.approve({ ...target, stepKey: "gate", approved: true }),
    ]) {
      expect(await codeOf(call())).toBe("NOT_FOUND");
    }
    expect(await codeOf(admin.runs.start({ teamId: f.team.id, workflow: theirs.slug }))).toBe("NOT_FOUND");
    expect((await admin.runs.list({ teamId: f.team.id })).items.map((r) => r.id)).not.toContain(runId);
    // The outsider is no member of acme: the team itself is not found.
    expect(await codeOf((await f.caller("outsider")).runs.get(target))).toBe("NOT_FOUND");
    expect(await (await f.caller("outsider")).runs.cancel({ teamId: f.otherTeam.id, runId })).toMatchObject({ status: "CANCELLED" });
  });
});

describe("runs: step order and progress", () => {
  const definition = { steps: [{ id: "plan" }, { id: "fan" }, { id: "pay" }, { id: "report" }] } as unknown as WorkflowDefinition;
  const row = (key: string, phase = "main", mapIndex: number | null = null, status = "SUCCEEDED") => ({
    key,
    stepId: key.replace(/\[\d+\]$|~compensate$/, ""),
    phase,
    mapIndex,
    status: status as "SUCCEEDED",
  });

  it("follows the definition, puts each map's items after it by index, and compensations last", () => {
    const shuffled = [
      row("pay~compensate", "compensate"),
      row("report", "main", null, "CANCELLED"),
      row("fan[10]", "item", 10),
      row("plan"),
      row("fan[2]", "item", 2),
      row("fan"),
      row("pay", "main", null, "COMPENSATED"),
    ];
    expect(orderSteps(shuffled, definition).map((s) => s.key)).toEqual(["plan", "fan", "fan[2]", "fan[10]", "pay", "report", "pay~compensate"]);
  });

  it("counts finished steps of the definition and the map items created, not compensations", () => {
    expect(runProgress([row("plan"), row("fan", "main", null, "RUNNING"), row("fan[0]", "item", 0), row("pay~compensate", "compensate")], definition)).toEqual({
      done: 2,
      total: 5,
    });
  });
});

describe("the team's limit on runs at once", () => {
  it("reads the default, lets an admin change it (audited), starts queued runs that now fit, and refuses bad values", async () => {
    const admin = await f.caller("admin");
    const viewer = await f.caller("viewer");
    expect(await viewer.runs.limits({ teamId: f.team.id })).toMatchObject({ isDefault: true, maxConcurrentRuns: 10 });
    await expect(admin.runs.setLimits({ teamId: f.team.id, maxConcurrentRuns: 0 })).rejects.toMatchObject({ code: "BAD_REQUEST" });

    const busy = "const until = Date.now() + 1500; while (Date.now() < until) {} return 1";
    const workflow = await admin.workflows.create({ teamId: f.team.id, slug: "one-at-a-time", definition: { name: "One at a time", steps: [{ id: "work", kind: "code", code: busy }] } });
    expect(await admin.runs.setLimits({ teamId: f.team.id, maxConcurrentRuns: 1 })).toMatchObject({ isDefault: false, maxConcurrentRuns: 1 });
    const first = await admin.runs.start({ teamId: f.team.id, workflow: workflow.id });
    const second = await admin.runs.start({ teamId: f.team.id, workflow: workflow.id });
    expect(await admin.runs.limits({ teamId: f.team.id })).toMatchObject({ running: 1, queued: 1 });

    const raised = await admin.runs.setLimits({ teamId: f.team.id, maxConcurrentRuns: null });
    expect(raised).toMatchObject({ isDefault: true, maxConcurrentRuns: 10, queued: 0 });
    const audit = await f.db.auditLog.findFirst({ where: { teamId: f.team.id, action: "runs.limits" }, orderBy: { createdAt: "desc" } });
    expect(audit).toMatchObject({ targetType: "team" });
    for (const id of [first.runId, second.runId]) expect(await engine().waitForRun(id)).toBe("SUCCEEDED");
  });
});
