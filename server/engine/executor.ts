// Runs one step attempt delivered by a backend: reads the step with its run, resolves
// its templates, claims it, runs it with its timeout and the run's cancellation, and
// hands the outcome to the engine, which records it and decides what follows in one
// transaction. Stale and duplicate deliveries do nothing.
import type { Db } from "../db/client.ts";
import type { CallContext, GatewayRequest, GatewayResult } from "../llm/gateway-types.ts";
import { logger } from "../logger.ts";
import type { MapItemStep, StepDefinition, StepStatus, WorkflowDefinition } from "../shared/workflow-definition.ts";
import { resolveStepTemplates } from "./definition/index.ts";
import { emitRunEvents, recordRunEvents, type RunEventInput } from "./events.ts";
import { backoffDelay, classifyFailure } from "./failures.ts";
import { scopeOf, type RunError } from "./scheduler.ts";
import type { DefinitionCache } from "./store.ts";
import type { JobContext, MessageRouter, RunInfo, RunMemory, StepJob, StepOutcome, StepRunner, ToolInvoker } from "./types.ts";
import { StepError } from "./types.ts";

export interface StepServices {
  tools: ToolInvoker;
  memory: RunMemory;
  messages: MessageRouter;
}

export type RunnerTable = Partial<Record<"agent" | "llm" | "tool" | "code" | "http", StepRunner<never>>>;

export type ExecutableStep = StepDefinition | MapItemStep;

type LogLine = { at: string; level: string; message: string };

/** How a step attempt ended, for the engine to record. */
export interface StepEnd {
  step: { id: string; key: string; attempt: number; phase: string };
  status: "SUCCEEDED" | "FAILED" | "CANCELLED";
  output?: unknown;
  error?: RunError;
  usage?: StepOutcome["usage"];
  logs?: LogLine[];
  /** The step asked to send the run back (its `revise` held). */
  revise?: { from: string; max: number; feedback: unknown };
}

export interface ExecutorDeps {
  db: () => Promise<Db>;
  definitions: DefinitionCache;
  runners: RunnerTable;
  gateway: (context: CallContext, request: GatewayRequest) => Promise<GatewayResult>;
  services: (db: Db, run: RunInfo, stepKey: string) => StepServices;
  evaluate: (expression: string, scope: Record<string, unknown>) => Promise<unknown>;
  /** Aborted when this node shuts down without draining. */
  shutdown: AbortSignal;
  track(runId: string, controller: AbortController): void;
  untrack(runId: string, controller: AbortController): void;
  /** Records the end and decides what the run does next (one transaction); false when another delivery got there first. */
  settle(runId: string, end: StepEnd | null): Promise<boolean>;
  enqueue(run: { id: string; teamId: string; priority: number }, stepRunId: string, attempt: number, delayMs?: number): Promise<void>;
}

/** A step row and what the executor needs of its run, read in one statement. */
interface StepWithRun {
  id: string;
  key: string;
  stepId: string;
  phase: string;
  mapIndex: number | null;
  status: string;
  attempt: number;
  maxAttempts: number;
  idempotencyKey: string;
  runId: string;
  teamId: string;
  workflowId: string;
  workflowVersionId: string;
  runStatus: string;
  input: Record<string, unknown>;
  createdById: string | null;
  apiKeyId: string | null;
  priority: number;
  runError: unknown;
  revisions: number;
  feedback: unknown;
  /** The run's main steps, for the template scope (a map's items come with it). */
  mains: { key: string; stepId: string; status: string; output: unknown; items: unknown[] | null }[];
}

const STEP_FINISHED: ReadonlySet<string> = new Set(["SUCCEEDED", "FAILED", "CANCELLED", "SKIPPED", "COMPENSATED", "WAITING"]);
const ACTIVE_RUN: ReadonlySet<string> = new Set(["RUNNING", "WAITING"]);
/** Fields of a step that are structure, not what the step received (left out of its recorded input). */
const STRUCTURAL_FIELDS = new Set(["id", "kind", "name", "description", "needs", "timeoutMs", "retry", "output", "position", "compensate", "revise", "code", "then", "else", "step", "items", "concurrency"]);
const MAX_LOG_LINES = 200;

export class StepExecutor {
  constructor(private readonly deps: ExecutorDeps) {}

  async execute(job: StepJob, context: JobContext): Promise<void> {
    const db = await this.deps.db();
    const row = await readStep(db, job.stepRunId);
    if (!row || row.attempt !== job.attempt || STEP_FINISHED.has(row.status) || row.phase === "revised") return;
    const run = { id: row.runId, teamId: row.teamId, priority: row.priority };
    if (row.runStatus === "PAUSED" || row.runStatus === "QUEUED") return; // resume queues it again
    if (!ACTIVE_RUN.has(row.runStatus) || (row.runError && row.phase !== "compensate")) {
      await this.deps.settle(run.id, { step: row, status: "CANCELLED" });
      return;
    }
    const { definition } = await this.deps.definitions.get(db, row.workflowVersionId);
    const spec = stepSpec(definition, row.stepId, row.phase);
    const scope = scopeFor(row);
    const resolved = spec.kind === "condition" ? spec : resolveStepTemplates(spec, scope);
    if (!(await claim(db, row, context.nodeId, stepInput(resolved)))) return;

    const controller = new AbortController();
    const signals = [controller.signal, this.deps.shutdown];
    const timeoutMs = timeoutOf(definition, spec, row);
    if (timeoutMs) signals.push(AbortSignal.timeout(timeoutMs));
    const signal = AbortSignal.any(signals);
    this.deps.track(run.id, controller);
    const logs: LogLine[] = [];
    let outcome: StepOutcome | null = null;
    let failure: unknown = null;
    try {
      if (resolved.kind === "condition") {
        const value = await this.deps.evaluate(resolved.if, { ...scope });
        outcome = { output: { result: Boolean(value), branch: value ? "then" : "else" } };
      } else {
        const info: RunInfo = { id: run.id, teamId: run.teamId, workflowId: row.workflowId, createdById: row.createdById, apiKeyId: row.apiKeyId, definition };
        outcome = await this.runStep(db, info, row, resolved, signal, logs);
      }
    } catch (error) {
      failure = error;
    } finally {
      this.deps.untrack(run.id, controller);
    }
    if (this.deps.shutdown.aborted) return; // another node (or a restart) runs it again; nothing is written
    if (outcome) {
      const revise = row.phase === "main" && "revise" in spec && spec.revise ? await this.sendsBack(spec.revise, scope, row, outcome.output) : undefined;
      await this.deps.settle(run.id, { step: row, status: "SUCCEEDED", output: outcome.output, usage: outcome.usage, logs, ...(revise ? { revise } : {}) });
      return;
    }
    await this.handleFailure(db, row, definition, failure, { cancelled: controller.signal.aborted, timedOut: signal.aborted && !controller.signal.aborted && !this.deps.shutdown.aborted, logs });
  }

  private async runStep(db: Db, info: RunInfo, row: StepWithRun, step: ExecutableStep, signal: AbortSignal, logs: LogLine[]): Promise<StepOutcome> {
    const runner = this.deps.runners[step.kind as keyof RunnerTable] as StepRunner<ExecutableStep> | undefined;
    if (!runner) throw new StepError(`Steps of kind "${step.kind}" cannot run on this node.`, { code: "UNSUPPORTED_STEP" });
    const routing = info.definition.routing;
    return runner({
      run: info,
      step,
      stepKey: row.key,
      stepId: row.stepId,
      attempt: row.attempt,
      idempotencyKey: row.idempotencyKey,
      signal,
      log: (level, message) => {
        if (logs.length < MAX_LOG_LINES) logs.push({ at: new Date().toISOString(), level, message: message.slice(0, 2000) });
      },
      gateway: (request, callSignal) =>
        this.deps.gateway(
          { teamId: info.teamId, userId: info.createdById, apiKeyId: info.apiKeyId, runId: info.id, stepId: row.key, operation: "workflow.step", signal: callSignal },
          {
            ...request,
            ...(request.model === undefined && routing?.model ? { model: routing.model } : {}),
            ...(request.strategy === undefined && routing?.strategy ? { strategy: routing.strategy } : {}),
            ...(request.fallback === undefined && routing?.fallback ? { fallback: routing.fallback } : {}),
          },
        ),
      ...this.deps.services(db, info, row.key),
    });
  }

  /** Does the step's `revise` hold for this output? A condition that fails to evaluate does not send the run back. */
  private async sendsBack(revise: { from: string; if: string; max: number }, scope: ReturnType<typeof scopeOf>, row: StepWithRun, output: unknown) {
    const steps = { ...scope.steps, [row.stepId]: { output, status: "SUCCEEDED" } };
    const holds = await this.deps.evaluate(revise.if, { ...scope, steps }).catch((error: unknown) => {
      logger.warn("engine.revise.condition_failed", { runId: row.runId, step: row.key, error });
      return false;
    });
    return holds ? { from: revise.from, max: revise.max, feedback: output } : undefined;
  }

  private async handleFailure(db: Db, row: StepWithRun, definition: WorkflowDefinition, error: unknown, how: { cancelled: boolean; timedOut: boolean; logs: LogLine[] }) {
    const run = { id: row.runId, teamId: row.teamId, priority: row.priority };
    if (how.cancelled) {
      await this.deps.settle(run.id, { step: row, status: "CANCELLED", logs: how.logs });
      return;
    }
    const failure = classifyFailure(error, how.timedOut);
    if (!(error instanceof StepError)) logger.warn("engine.step.error", { runId: run.id, step: row.key, error });
    if (failure.retryable && row.attempt < row.maxAttempts) {
      const delayMs = failure.retryAfterMs ?? backoffDelay(definition.steps.find((s) => s.id === row.stepId)?.retry, row.attempt);
      const next = row.attempt + 1;
      const moved = await db.stepRun.updateMany({
        where: { id: row.id, attempt: row.attempt, status: "RUNNING" },
        data: { status: "QUEUED", attempt: next, error: failure.error as object, availableAt: new Date(Date.now() + delayMs), queuedAt: new Date(), logs: how.logs },
      });
      if (moved.count === 0) return;
      await recordRunEvents(db, [{ runId: run.id, teamId: run.teamId, type: "step.status", stepKey: row.key, payload: { status: "QUEUED", attempt: next, retryInMs: delayMs, error: failure.error } }]);
      await this.deps.enqueue(run, row.id, next, delayMs);
      return;
    }
    await this.deps.settle(run.id, { step: row, status: "FAILED", error: failure.error, logs: how.logs });
  }
}

async function readStep(db: Db, stepRunId: string): Promise<StepWithRun | null> {
  const rows = await db.$queryRaw<StepWithRun[]>`
    SELECT s."id", s."key", s."stepId", s."phase", s."mapIndex", s."status"::text AS "status", s."attempt", s."maxAttempts", s."idempotencyKey",
           r."id" AS "runId", r."teamId", r."workflowId", r."workflowVersionId", r."status"::text AS "runStatus", r."input", r."createdById",
           r."apiKeyId", r."priority", r."error" AS "runError", r."revisions", r."feedback",
           (SELECT coalesce(json_agg(json_build_object('key', m."key", 'stepId', m."stepId", 'status', m."status", 'output', m."output",
                                                       'items', CASE WHEN m."kind" = 'map' THEN m."input"->'items' END)), '[]'::json)
            FROM "StepRun" m WHERE m."runId" = s."runId" AND m."phase" = 'main') AS "mains"
    FROM "StepRun" s JOIN "Run" r ON r."id" = s."runId"
    WHERE s."id" = ${stepRunId}`;
  return rows[0] ?? null;
}

/** What the step's templates see: the run's input, its main steps' outputs, and a map item's item and index. */
function scopeFor(row: StepWithRun) {
  const steps = new Map(row.mains.map((m) => [m.key, { id: "", key: m.key, stepId: m.stepId, phase: "main" as const, mapIndex: null, status: m.status as StepStatus, output: m.output, error: null, finishedAt: null }]));
  const scope = scopeOf({ runId: row.runId, input: row.input, steps, revision: row.revisions, feedback: row.feedback });
  if (row.phase !== "item") return scope;
  const items = row.mains.find((m) => m.stepId === row.stepId)?.items ?? [];
  return { ...scope, item: items[row.mapIndex ?? 0] ?? null, index: row.mapIndex ?? 0 };
}

/**
 * Takes the step for this node and records that it started, in one statement. A RUNNING
 * step may be claimed again: its node died (the queue redelivered it, or recovery did).
 */
async function claim(db: Db, row: StepWithRun, nodeId: string, input: Record<string, unknown>): Promise<boolean> {
  const event: RunEventInput = {
    runId: row.runId,
    teamId: row.teamId,
    type: "step.status",
    stepKey: row.key,
    payload: { status: "RUNNING", attempt: row.attempt, nodeId, redelivered: row.status === "RUNNING" },
  };
  const written = await db.$queryRaw<{ id: bigint; createdAt: Date }[]>`
    WITH claimed AS (
      UPDATE "StepRun" SET "status" = 'RUNNING', "nodeId" = ${nodeId}, "startedAt" = now(), "updatedAt" = now(), "input" = ${JSON.stringify(input)}::jsonb
      WHERE "id" = ${row.id} AND "attempt" = ${row.attempt} AND "status" IN ('QUEUED', 'RUNNING')
      RETURNING "id")
    INSERT INTO "RunEvent" ("runId", "teamId", "type", "stepKey", "payload")
    SELECT ${event.runId}, ${event.teamId}, ${event.type}, ${event.stepKey}, ${JSON.stringify(event.payload)}::jsonb FROM claimed
    RETURNING "id", "createdAt"`;
  emitRunEvents([event], written);
  return written.length > 0;
}

/** The definition a step row executes: the step, a map's item step, or a compensation. */
function stepSpec(definition: WorkflowDefinition, stepId: string, phase: string): ExecutableStep {
  const step = definition.steps.find((s) => s.id === stepId);
  if (!step) throw new StepError(`Step "${stepId}" is not in this workflow version.`, { code: "UNKNOWN_STEP" });
  if (phase === "item" && step.kind === "map") return step.step;
  if (phase === "compensate" && "compensate" in step && step.compensate) return step.compensate;
  return step;
}

/** A step's own timeout; map items and compensations use their step's. */
function timeoutOf(definition: WorkflowDefinition, spec: ExecutableStep, row: { stepId: string; phase: string }): number | undefined {
  if (spec.kind === "condition") return undefined;
  if ("timeoutMs" in spec && spec.timeoutMs) return spec.timeoutMs;
  return row.phase === "main" ? undefined : definition.steps.find((s) => s.id === row.stepId)?.timeoutMs;
}

/** What the step received, for the run page: the resolved fields, without code and structure. */
function stepInput(step: ExecutableStep): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(step)) if (!STRUCTURAL_FIELDS.has(field)) out[field] = value;
  return out;
}
