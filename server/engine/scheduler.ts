// What a run should do next, decided from its rows alone. A pure function of the run's
// state, so every node reaches the same decision and tests can drive it without queues:
// which steps become ready (or are skipped by a condition), how far a map fans out,
// when a failure starts the rollback, and when the run is finished.
import type { MapItemStep, StepDefinition, WorkflowDefinition } from "../shared/workflow-definition.ts";
import type { RunStatus, StepStatus } from "../shared/workflow-definition.ts";
import type { WorkflowGraph, TemplateScope } from "./definition/index.ts";
import { resolveTemplates } from "./definition/index.ts";

export type StepPhase = "main" | "item" | "compensate";

/** A StepRun row as the scheduler needs it. */
export interface StepRow {
  id: string;
  key: string;
  stepId: string;
  phase: StepPhase;
  mapIndex: number | null;
  status: StepStatus;
  output: unknown;
  error: unknown;
  finishedAt: Date | null;
}

/** The children of one map, counted by status (their outputs are loaded only at the end). */
export interface MapProgress {
  created: number;
  /** QUEUED or RUNNING items. */
  active: number;
  running: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  /** The first failed item's error, to report on the map. */
  firstError: unknown;
}

export interface RunState {
  runId: string;
  status: RunStatus;
  /** Set once a step failed for good: the run is rolling back or about to fail. */
  error: RunError | null;
  input: Record<string, unknown>;
  definition: WorkflowDefinition;
  graph: WorkflowGraph;
  /** main and compensate rows, by key. */
  steps: Map<string, StepRow>;
  maps: Map<string, MapProgress>;
  /** The map's resolved items (from the map row's input). */
  mapItems: Map<string, unknown[]>;
  /** Outputs of finished items, by map (only when a map's items are all done). */
  mapOutputs: Map<string, unknown[]>;
  costNano: bigint;
  maxCostNano: bigint | null;
  /** Rounds the run was sent back for, and the output of the step that sent it (revise). */
  revision: number;
  feedback: unknown;
}

export interface RunError {
  message: string;
  code: string;
  stepKey?: string | null;
}

export interface NewStep {
  key: string;
  stepId: string;
  phase: StepPhase;
  mapIndex: number | null;
  kind: string;
  status: "QUEUED" | "WAITING" | "RUNNING" | "SKIPPED" | "FAILED";
  maxAttempts: number;
  input?: unknown;
  error?: RunError;
}

export interface StepUpdate {
  key: string;
  status: StepStatus;
  output?: unknown;
  error?: RunError;
}

export interface Decision {
  newSteps: NewStep[];
  updates: StepUpdate[];
  /** Steps still queued that must not start (the run is failing). */
  cancelQueued: boolean;
  /** In-flight steps must be aborted (the run is failing). */
  abortRunning: boolean;
  run: { status: RunStatus; output?: unknown; error?: RunError | null } | null;
}

const DONE: ReadonlySet<StepStatus> = new Set(["SUCCEEDED", "SKIPPED", "FAILED", "CANCELLED", "COMPENSATED"]);
const OK: ReadonlySet<StepStatus> = new Set(["SUCCEEDED", "SKIPPED"]);
export const COMPENSATE_SUFFIX = "~compensate";

export const itemKey = (mapId: string, index: number) => `${mapId}[${index}]`;
export const compensationKey = (stepId: string) => `${stepId}${COMPENSATE_SUFFIX}`;

export function attemptsOf(step: { retry?: { attempts: number } | undefined }): number {
  return step.retry?.attempts ?? 1;
}

/** What templates and conditions see of the run itself. */
export interface RunScope {
  id: string;
  revision: number;
  feedback: unknown;
}

/** The scope templates resolve against: the run input and the outputs of its main steps. */
export function scopeOf(state: Pick<RunState, "runId" | "input" | "steps" | "revision" | "feedback">): TemplateScope & { run: RunScope } {
  const steps: TemplateScope["steps"] = {};
  for (const row of state.steps.values()) {
    if (row.phase === "main") steps[row.stepId] = { output: row.status === "SUCCEEDED" ? row.output : null, status: row.status };
  }
  return { input: state.input, steps, run: { id: state.runId, revision: state.revision, feedback: state.feedback ?? null } };
}

function stepsById(definition: WorkflowDefinition): Map<string, StepDefinition> {
  return new Map(definition.steps.map((s) => [s.id, s]));
}

/** Is this step skipped by a condition that chose the other branch, or by all its inputs being skipped? */
function skipped(state: RunState, stepId: string): boolean {
  for (const gate of state.graph.gates[stepId] ?? []) {
    const condition = state.steps.get(gate.conditionId);
    if (condition?.status === "SKIPPED") return true;
    const branch = (condition?.output as { branch?: string } | null)?.branch;
    if (branch !== gate.branch) return true;
  }
  const deps = state.graph.dependencies[stepId] ?? [];
  return deps.length > 0 && deps.every((d) => state.steps.get(d)?.status === "SKIPPED");
}

function failureOf(state: RunState): RunError | null {
  for (const row of state.steps.values()) {
    if (row.phase === "main" && row.status === "FAILED") {
      const error = (row.error ?? {}) as Partial<RunError>;
      return { message: `Step "${row.stepId}" failed: ${error.message ?? "unknown error"}`, code: error.code ?? "STEP_FAILED", stepKey: row.key };
    }
  }
  return null;
}

function runOutput(state: RunState, scope: TemplateScope): unknown {
  const declared = state.definition.outputs;
  if (Object.keys(declared).length > 0) return resolveTemplates(declared, scope);
  const leaves = state.graph.leaves.filter((id) => state.steps.get(id)?.status === "SUCCEEDED");
  if (leaves.length === 1) return state.steps.get(leaves[0]!)!.output;
  return Object.fromEntries(leaves.map((id) => [id, state.steps.get(id)!.output]));
}

/** Rolls back in reverse order of completion, one compensation at a time. */
function planRollback(state: RunState, error: RunError, definition: Map<string, StepDefinition>): Decision {
  const decision: Decision = { newSteps: [], updates: [], cancelQueued: false, abortRunning: false, run: null };
  const candidates = [...state.steps.values()]
    .filter((row) => row.phase === "main" && row.status === "SUCCEEDED" && hasCompensation(definition.get(row.stepId)))
    .sort((a, b) => (b.finishedAt?.getTime() ?? 0) - (a.finishedAt?.getTime() ?? 0));
  for (const row of candidates) {
    const compensation = state.steps.get(compensationKey(row.stepId));
    if (!compensation) {
      const spec = (definition.get(row.stepId) as { compensate: MapItemStep }).compensate;
      decision.newSteps.push({ key: compensationKey(row.stepId), stepId: row.stepId, phase: "compensate", mapIndex: null, kind: spec.kind, status: "QUEUED", maxAttempts: 3 });
      return decision;
    }
    if (!DONE.has(compensation.status)) return decision; // one at a time
    if (compensation.status !== "SUCCEEDED") {
      const cause = (compensation.error as { message?: string } | null)?.message ?? compensation.status.toLowerCase();
      decision.run = { status: "FAILED", error: { ...error, message: `${error.message}. Rolling back "${row.stepId}" failed too: ${cause}` } };
      return decision;
    }
  }
  decision.updates.push(...candidates.map((row) => ({ key: row.key, status: "COMPENSATED" as const })));
  decision.run = { status: candidates.length > 0 ? "COMPENSATED" : "FAILED", error };
  return decision;
}

function hasCompensation(step: StepDefinition | undefined): boolean {
  return Boolean(step && "compensate" in step && step.compensate);
}

export function planAdvance(state: RunState): Decision {
  const decision: Decision = { newSteps: [], updates: [], cancelQueued: false, abortRunning: false, run: null };
  if (state.status !== "RUNNING" && state.status !== "WAITING") return decision;
  const definition = stepsById(state.definition);
  const rows = [...state.steps.values()].filter((r) => r.phase === "main");

  const error = state.error ?? failureOf(state);
  if (error) return planFailure(state, error, rows, definition);

  if (state.maxCostNano !== null && state.costNano >= state.maxCostNano) {
    const budgetError: RunError = { message: `The run reached its cost limit of $${Number(state.maxCostNano) / 1e9}.`, code: "BUDGET_EXCEEDED" };
    return planFailure(state, budgetError, rows, definition);
  }

  const scope = scopeOf(state);
  for (const stepId of state.graph.order) {
    const step = definition.get(stepId)!;
    const row = state.steps.get(stepId);
    if (row && row.status === "RUNNING" && step.kind === "map") {
      planMap(state, step, row, decision);
      continue;
    }
    if (row) continue;
    const deps = state.graph.dependencies[stepId] ?? [];
    if (!deps.every((d) => OK.has(state.steps.get(d)?.status ?? "PENDING"))) continue;
    if ((state.graph.gates[stepId] ?? []).some((g) => state.steps.get(g.conditionId)?.status !== "SUCCEEDED" && state.steps.get(g.conditionId)?.status !== "SKIPPED")) continue;
    const base = { key: stepId, stepId, phase: "main" as const, mapIndex: null, kind: step.kind, maxAttempts: attemptsOf(step) };
    if (skipped(state, stepId)) {
      decision.newSteps.push({ ...base, status: "SKIPPED" });
      state.steps.set(stepId, newRow(base, "SKIPPED"));
      continue;
    }
    if (step.kind === "approval") {
      decision.newSteps.push({ ...base, status: "WAITING", input: resolveTemplates({ message: step.message, scope: step.scope }, scope) });
    } else if (step.kind === "map") {
      const items = resolveTemplates(step.items, scope);
      if (!Array.isArray(items)) {
        const failure: RunError = { message: `"items" must be a list, but it resolved to ${describe(items)}.`, code: "TYPE_MISMATCH", stepKey: stepId };
        decision.newSteps.push({ ...base, status: "FAILED", error: failure });
        decision.run = { status: "RUNNING", error: { ...failure, message: `Step "${stepId}" failed: ${failure.message}` } };
        return decision;
      }
      decision.newSteps.push({ ...base, status: "RUNNING", input: { items } });
      state.mapItems.set(stepId, items);
      state.maps.set(stepId, emptyProgress());
      planMap(state, step, newRow(base, "RUNNING"), decision);
    } else {
      decision.newSteps.push({ ...base, status: "QUEUED" });
    }
  }

  const all = state.graph.order.map((id) => decision.updates.find((u) => u.key === id)?.status ?? state.steps.get(id)?.status);
  if (all.every((s) => s !== undefined && OK.has(s))) {
    decision.run = { status: "SUCCEEDED", output: runOutput(state, scopeOf(state)) };
  } else {
    const running = decision.newSteps.some((s) => s.status === "QUEUED" || s.status === "RUNNING") || rows.some((r) => r.status === "QUEUED" || r.status === "RUNNING");
    const waiting = decision.newSteps.some((s) => s.status === "WAITING") || rows.some((r) => r.status === "WAITING");
    const status: RunStatus = !running && waiting ? "WAITING" : "RUNNING";
    if (status !== state.status) decision.run = { status };
  }
  return decision;
}

function newRow(base: { key: string; stepId: string; phase: StepPhase; mapIndex: number | null }, status: StepStatus): StepRow {
  return { id: "", ...base, status, output: null, error: null, finishedAt: null };
}

/**
 * A step failed for good: nothing new starts, queued work is cancelled, running work is
 * aborted, and once all is quiet the rollback runs.
 */
function planFailure(state: RunState, error: RunError, rows: StepRow[], definition: Map<string, StepDefinition>): Decision {
  const decision: Decision = { newSteps: [], updates: [], cancelQueued: true, abortRunning: false, run: state.error ? null : { status: "RUNNING", error } };
  let active = false;
  for (const row of rows) {
    if (row.status === "QUEUED" || row.status === "PENDING" || row.status === "WAITING") {
      decision.updates.push({ key: row.key, status: "CANCELLED" });
    } else if (row.status === "RUNNING") {
      const items = state.maps.get(row.stepId);
      if (definition.get(row.stepId)?.kind === "map" && (items?.running ?? 0) === 0) decision.updates.push({ key: row.key, status: "CANCELLED" });
      else active = true;
    }
  }
  if (active) return { ...decision, abortRunning: true };
  const rollback = planRollback(state, error, definition);
  return { ...rollback, cancelQueued: true, updates: [...decision.updates, ...rollback.updates], run: rollback.run ?? decision.run };
}

/** Fans a running map out up to its concurrency, and finishes it when every item is done. */
function planMap(state: RunState, step: Extract<StepDefinition, { kind: "map" }>, row: StepRow, decision: Decision) {
  const items = state.mapItems.get(step.id) ?? [];
  const progress = state.maps.get(step.id) ?? emptyProgress();
  if (progress.failed > 0) {
    if (progress.active > 0) return; // let the running items finish; the map fails after
    const cause = (progress.firstError as { message?: string } | null)?.message ?? "an item failed";
    decision.updates.push({ key: row.key, status: "FAILED", error: { message: `An item failed: ${cause}`, code: "MAP_ITEM_FAILED", stepKey: row.key } });
    state.steps.set(row.key, { ...row, status: "FAILED", error: { message: `An item failed: ${cause}`, code: "MAP_ITEM_FAILED" } });
    return;
  }
  if (progress.succeeded === items.length) {
    const output = state.mapOutputs.get(step.id) ?? [];
    decision.updates.push({ key: row.key, status: "SUCCEEDED", output });
    state.steps.set(row.key, { ...row, status: "SUCCEEDED", output });
    return;
  }
  let created = progress.created;
  let active = progress.active;
  while (active < step.concurrency && created < items.length) {
    decision.newSteps.push({ key: itemKey(step.id, created), stepId: step.id, phase: "item", mapIndex: created, kind: step.step.kind, status: "QUEUED", maxAttempts: attemptsOf(step) });
    created += 1;
    active += 1;
  }
}

export function emptyProgress(): MapProgress {
  return { created: 0, active: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0, firstError: null };
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return "nothing (null)";
  if (typeof value === "object") return "an object";
  return `a ${typeof value} (${JSON.stringify(value).slice(0, 60)})`;
}

/** When a map's items are all done, the scheduler needs their outputs (loaded then, not before). */
export function mapsReadyToFinish(state: Pick<RunState, "maps" | "mapItems" | "steps">): string[] {
  const ready: string[] = [];
  for (const [mapId, progress] of state.maps) {
    const row = state.steps.get(mapId);
    if (row?.status === "RUNNING" && progress.succeeded === (state.mapItems.get(mapId)?.length ?? -1)) ready.push(mapId);
  }
  return ready;
}
