// The engine's reads and writes. Every state change of a run or step goes through here,
// inside the transaction that holds the run's row lock, so two nodes finishing sibling
// steps at once still take turns deciding what comes next.
import { randomBytes } from "node:crypto";
import type { Db } from "../db/client.ts";
import type { Prisma } from "../db/generated/client.ts";
import type { RunStatus, StepStatus, WorkflowDefinition } from "../shared/workflow-definition.ts";
import type { WorkflowGraph } from "./definition/index.ts";
import { analyzeWorkflow } from "./definition/index.ts";
import { emptyProgress, mapsReadyToFinish, type Decision, type MapProgress, type RunError, type RunState, type StepPhase, type StepRow } from "./scheduler.ts";
import type { RunEventInput } from "./events.ts";
import type { StepEnd } from "./executor.ts";

/** An interactive transaction's client (same API as Db for what the engine uses). */
export type Tx = Prisma.TransactionClient;

export interface RunRow {
  id: string;
  teamId: string;
  workflowId: string;
  workflowVersionId: string;
  status: RunStatus;
  priority: number;
  input: Record<string, unknown>;
  error: RunError | null;
  costNano: bigint;
  createdById: string | null;
  apiKeyId: string | null;
  startedAt: Date | null;
  revisions: number;
  feedback: unknown;
}

export interface VersionInfo {
  definition: WorkflowDefinition;
  graph: WorkflowGraph;
}

/** Definitions are immutable per version, so each is parsed and analysed once per process. */
export class DefinitionCache {
  private readonly entries = new Map<string, VersionInfo>();
  constructor(private readonly max = 500) {}

  async get(db: Db | Tx, versionId: string): Promise<VersionInfo> {
    const hit = this.entries.get(versionId);
    if (hit) return hit;
    const row = await db.workflowVersion.findUniqueOrThrow({ where: { id: versionId }, select: { definition: true } });
    const definition = row.definition as unknown as WorkflowDefinition;
    const info = { definition, graph: analyzeWorkflow(definition) };
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(versionId, info);
    return info;
  }
}

export const newIdempotencyKey = (runId: string, key: string) => `${runId}.${key}.${randomBytes(4).toString("hex")}`;

/** Locks the run's row for the rest of the transaction and returns it. */
export async function lockRun(tx: Tx, runId: string): Promise<RunRow | null> {
  const rows = await tx.$queryRaw<RunRow[]>`
    SELECT "id", "teamId", "workflowId", "workflowVersionId", "status"::text AS "status", "priority", "input", "error", "costNano",
           "createdById", "apiKeyId", "startedAt", "revisions", "feedback"
    FROM "Run" WHERE "id" = ${runId} FOR UPDATE`;
  return rows[0] ?? null;
}

/** Everything the scheduler needs, read under the run lock. */
export async function loadRunState(tx: Tx, run: RunRow, version: VersionInfo): Promise<RunState> {
  const hasMaps = version.definition.steps.some((s) => s.kind === "map");
  const [rows, itemCounts] = await Promise.all([
    tx.stepRun.findMany({
      where: { runId: run.id, phase: { in: ["main", "compensate"] } },
      select: { id: true, key: true, stepId: true, phase: true, mapIndex: true, status: true, output: true, error: true, finishedAt: true, input: true },
    }),
    hasMaps ? tx.stepRun.groupBy({ by: ["stepId", "status"], where: { runId: run.id, phase: "item" }, _count: { _all: true } }) : [],
  ]);
  const steps = new Map<string, StepRow>();
  const mapItems = new Map<string, unknown[]>();
  for (const row of rows) {
    steps.set(row.key, { ...row, phase: row.phase as StepPhase, status: row.status as StepStatus });
    const items = (row.input as { items?: unknown } | null)?.items;
    if (row.phase === "main" && Array.isArray(items)) mapItems.set(row.stepId, items);
  }
  const maps = new Map<string, MapProgress>();
  for (const group of itemCounts) {
    const progress = maps.get(group.stepId) ?? emptyProgress();
    const n = group._count._all;
    progress.created += n;
    if (group.status === "QUEUED" || group.status === "RUNNING") progress.active += n;
    if (group.status === "RUNNING") progress.running += n;
    if (group.status === "SUCCEEDED") progress.succeeded += n;
    if (group.status === "FAILED") progress.failed += n;
    if (group.status === "CANCELLED") progress.cancelled += n;
    maps.set(group.stepId, progress);
  }
  for (const [mapId, progress] of maps) {
    if (progress.failed > 0) {
      const failed = await tx.stepRun.findFirst({ where: { runId: run.id, stepId: mapId, phase: "item", status: "FAILED" }, orderBy: { mapIndex: "asc" }, select: { error: true } });
      progress.firstError = failed?.error ?? null;
    }
  }
  for (const row of steps.values()) if (row.phase === "main" && mapItems.has(row.stepId) && !maps.has(row.stepId)) maps.set(row.stepId, emptyProgress());
  const state: RunState = {
    runId: run.id,
    status: run.status,
    error: run.error,
    input: run.input,
    definition: version.definition,
    graph: version.graph,
    steps,
    maps,
    mapItems,
    mapOutputs: new Map(),
    costNano: run.costNano,
    maxCostNano: version.definition.limits?.maxCostUsd ? BigInt(Math.round(version.definition.limits.maxCostUsd * 1e9)) : null,
    revision: run.revisions,
    feedback: run.feedback,
  };
  for (const mapId of mapsReadyToFinish(state)) {
    const outputs = await tx.stepRun.findMany({ where: { runId: run.id, stepId: mapId, phase: "item" }, orderBy: { mapIndex: "asc" }, select: { output: true } });
    state.mapOutputs.set(mapId, outputs.map((o) => o.output));
  }
  return state;
}

const json = (value: unknown) => (value === undefined ? undefined : (value as Prisma.InputJsonValue));
const jsonOrNull = (value: unknown) => (value === null || value === undefined ? null : (value as Prisma.InputJsonValue));

export interface AppliedDecision {
  /** Step rows that were queued and need a job. */
  queued: { id: string; key: string; attempt: number }[];
  events: RunEventInput[];
  runStatus: RunStatus;
  finished: boolean;
}

const FINISHED_RUN: ReadonlySet<RunStatus> = new Set(["SUCCEEDED", "FAILED", "CANCELLED", "COMPENSATED"]);

/** Writes the scheduler's decision; returns the jobs to enqueue and the events to publish after commit. */
export async function applyDecision(tx: Tx, run: RunRow, decision: Decision): Promise<AppliedDecision> {
  const now = new Date();
  const events: RunEventInput[] = [];
  const queued: AppliedDecision["queued"] = [];
  const event = (type: RunEventInput["type"], stepKey: string | null, payload: Record<string, unknown>) => events.push({ runId: run.id, teamId: run.teamId, type, stepKey, payload });

  if (decision.newSteps.length > 0) {
    const data = decision.newSteps.map((s) => {
      const finished = s.status === "SKIPPED" || s.status === "FAILED";
      return {
        id: undefined as string | undefined,
        runId: run.id,
        key: s.key,
        stepId: s.stepId,
        phase: s.phase,
        mapIndex: s.mapIndex,
        kind: s.kind,
        status: s.status,
        attempt: s.status === "QUEUED" ? 1 : 0,
        maxAttempts: s.maxAttempts,
        input: json(s.input),
        error: json(s.error),
        idempotencyKey: newIdempotencyKey(run.id, s.key),
        queuedAt: s.status === "QUEUED" ? now : null,
        startedAt: s.status === "RUNNING" || s.status === "WAITING" ? now : null,
        finishedAt: finished ? now : null,
      };
    });
    const created = await tx.stepRun.createManyAndReturn({ data: data.map(({ id: _id, ...row }) => row), select: { id: true, key: true, status: true, attempt: true } });
    for (const row of created) {
      if (row.status === "QUEUED") queued.push({ id: row.id, key: row.key, attempt: row.attempt });
      const spec = decision.newSteps.find((s) => s.key === row.key)!;
      event("step.status", row.key, { status: row.status, kind: spec.kind, stepId: spec.stepId, attempt: row.attempt, ...(spec.error ? { error: spec.error } : {}) });
    }
  }
  for (const update of decision.updates) {
    await tx.stepRun.update({
      where: { runId_key: { runId: run.id, key: update.key } },
      data: {
        status: update.status,
        ...(update.output !== undefined ? { output: jsonOrNull(update.output) ?? undefined } : {}),
        ...(update.error ? { error: json(update.error) } : {}),
        finishedAt: now,
      },
    });
    event("step.status", update.key, { status: update.status, ...(update.error ? { error: update.error } : {}) });
  }
  if (decision.cancelQueued) {
    const cancelled = await tx.stepRun.updateManyAndReturn({
      where: { runId: run.id, status: { in: ["QUEUED", "PENDING"] }, phase: { not: "compensate" } },
      data: { status: "CANCELLED", finishedAt: now },
      select: { key: true },
    });
    for (const row of cancelled) event("step.status", row.key, { status: "CANCELLED" });
  }
  let runStatus = run.status;
  let finished = false;
  if (decision.run) {
    runStatus = decision.run.status;
    finished = FINISHED_RUN.has(runStatus);
    await tx.run.update({
      where: { id: run.id },
      data: {
        status: runStatus,
        ...(decision.run.output !== undefined ? { output: jsonOrNull(decision.run.output) ?? undefined } : {}),
        ...(decision.run.error !== undefined ? { error: decision.run.error === null ? undefined : json(decision.run.error) } : {}),
        ...(finished ? { finishedAt: now } : {}),
      },
    });
    if (runStatus !== run.status || decision.run.error) {
      event("run.status", null, { status: runStatus, ...(decision.run.error ? { error: decision.run.error } : {}) });
    }
  }
  return { queued, events, runStatus, finished };
}

const ACTIVE: ReadonlySet<RunStatus> = new Set(["RUNNING", "WAITING"]);

/**
 * Writes a step's end state once, under the run lock: a duplicate delivery that finishes
 * second changes nothing (false). A failure of a step whose run was cancelled or is already
 * failing counts as cancelled. The run's totals (and the row in hand) take the step's usage.
 */
export async function writeStepEnd(tx: Tx, run: RunRow, end: StepEnd, events: RunEventInput[]): Promise<boolean> {
  const superseded = run.status === "CANCELLED" || (run.error !== null && end.step.phase !== "compensate");
  const status = end.status === "FAILED" && superseded ? "CANCELLED" : end.status;
  const usage = end.usage ?? { inputTokens: 0, outputTokens: 0, costNano: 0 };
  const updated = await tx.stepRun.updateMany({
    where: { id: end.step.id, attempt: end.step.attempt, status: { in: ["QUEUED", "RUNNING", "PENDING"] } },
    data: {
      status,
      finishedAt: new Date(),
      ...(end.output !== undefined && end.output !== null ? { output: end.output as Prisma.InputJsonValue } : {}),
      ...(end.error && status === "FAILED" ? { error: end.error as object } : {}),
      ...(end.logs ? { logs: end.logs as object[] } : {}),
      ...(usage.inputTokens || usage.outputTokens || usage.costNano
        ? { inputTokens: { increment: usage.inputTokens }, outputTokens: { increment: usage.outputTokens }, costNano: { increment: BigInt(usage.costNano) } }
        : {}),
    },
  });
  if (updated.count === 0) return false;
  if (usage.inputTokens || usage.outputTokens || usage.costNano) {
    await tx.run.update({
      where: { id: run.id },
      data: { inputTokens: { increment: usage.inputTokens }, outputTokens: { increment: usage.outputTokens }, costNano: { increment: BigInt(usage.costNano) } },
    });
    run.costNano += BigInt(usage.costNano);
  }
  const payload: Record<string, unknown> = { status, attempt: end.step.attempt };
  if (end.error && status === "FAILED") payload.error = end.error;
  if (usage.costNano || usage.inputTokens) payload.usage = usage;
  events.push({ runId: run.id, teamId: run.teamId, type: "step.status", stepKey: end.step.key, payload });
  return true;
}

/**
 * Sends the run back to an earlier step: that step and everything after it run again,
 * with the sender's output as `run.feedback`. Earlier rounds stay visible as "revised" rows.
 */
export async function reviseRun(tx: Tx, run: RunRow, end: StepEnd, events: RunEventInput[], versionOf: (id: string) => Promise<VersionInfo>): Promise<void> {
  const revise = end.revise!;
  if (!ACTIVE.has(run.status) || run.error || run.revisions >= revise.max) return;
  const { graph } = await versionOf(run.workflowVersionId);
  const reset = new Set([revise.from]);
  for (const id of graph.order) if ((graph.dependencies[id] ?? []).some((d) => reset.has(d))) reset.add(id);
  const round = run.revisions + 1;
  await tx.$executeRaw`
    UPDATE "StepRun" SET "phase" = 'revised', "key" = "key" || '@' || ${String(round)}, "updatedAt" = now()
    WHERE "runId" = ${run.id} AND "stepId" = ANY(${[...reset]}::text[]) AND "phase" IN ('main', 'item')`;
  const feedback = revise.feedback ?? null;
  await tx.run.update({ where: { id: run.id }, data: { revisions: round, ...(feedback === null ? {} : { feedback: feedback as Prisma.InputJsonValue }) } });
  run.revisions = round;
  run.feedback = feedback;
  events.push({ runId: run.id, teamId: run.teamId, type: "run.status", stepKey: end.step.key, payload: { status: run.status, revision: round, from: revise.from } });
}
