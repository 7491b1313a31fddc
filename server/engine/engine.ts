// The workflow engine: starts runs, executes step jobs from whichever backend delivers
// them, decides what runs next (scheduler.ts) and keeps every change in the database,
// so any node can continue a run where another stopped.
import type { Db } from "../db/client.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../errors.ts";
import type { CallContext, GatewayRequest, GatewayResult } from "../llm/gateway-types.ts";
import type { RunStatus, WorkflowDefinition } from "../shared/workflow-definition.ts";
import { FINISHED_RUN_STATUSES } from "../shared/workflow-definition.ts";
import { applyInputDefaults } from "./definition/index.ts";
import { recordRunEvents, type RunEventInput } from "./events.ts";
import { StepExecutor, type RunnerTable, type StepEnd, type StepServices } from "./executor.ts";
import { planAdvance } from "./scheduler.ts";
import { DefinitionCache, applyDecision, loadRunState, lockRun, reviseRun, writeStepEnd, type RunRow, type Tx } from "./store.ts";
import type { Decider, ExecutionBackend, JobContext, RunInfo, StepJob } from "./types.ts";

export type { RunnerTable, StepServices } from "./executor.ts";

export interface EngineOptions {
  db: () => Promise<Db>;
  backend: ExecutionBackend;
  nodeId: string;
  runners: RunnerTable;
  gateway: (context: CallContext, request: GatewayRequest) => Promise<GatewayResult>;
  services: (db: Db, run: RunInfo, stepKey: string) => StepServices;
  /** Evaluates a condition's expression in the sandbox. */
  evaluate: (expression: string, scope: Record<string, unknown>) => Promise<unknown>;
  /** Runs of one team executing at once when the team has no setting of its own. */
  defaultMaxConcurrentRuns?: number;
}

export interface StartRunRequest {
  teamId: string;
  workflow: { id: string; versionId: string; version: number; definition: WorkflowDefinition };
  input: Record<string, unknown>;
  priority?: number;
  createdById: string | null;
  apiKeyId: string | null;
}

const ACTIVE_RUN: ReadonlySet<RunStatus> = new Set(["RUNNING", "WAITING"]);
const FINISHED: ReadonlySet<string> = new Set(FINISHED_RUN_STATUSES);

export class Engine {
  readonly nodeId: string;
  private readonly definitions = new DefinitionCache();
  /** In-flight step executions on this node, by run, so a cancel can abort them. */
  private readonly inflight = new Map<string, Set<AbortController>>();
  private readonly shutdown = new AbortController();
  private unsubscribeCancel: (() => void) | null = null;

  private readonly executor: StepExecutor;

  constructor(private readonly options: EngineOptions) {
    this.nodeId = options.nodeId;
    this.executor = new StepExecutor({
      db: options.db,
      definitions: this.definitions,
      runners: options.runners,
      gateway: options.gateway,
      services: options.services,
      evaluate: options.evaluate,
      shutdown: this.shutdown.signal,
      track: (runId, controller) => this.track(runId, controller),
      untrack: (runId, controller) => this.untrack(runId, controller),
      settle: (runId, end) => this.settle(runId, end),
      enqueue: (run, stepRunId, attempt, delayMs) => this.enqueue(run, stepRunId, attempt, delayMs),
    });
  }

  get backend(): ExecutionBackend {
    return this.options.backend;
  }

  /** Starts executing jobs on this node (concurrency 0: this node only schedules). */
  async consume(concurrency: number): Promise<void> {
    this.unsubscribeCancel ??= this.options.backend.onCancel((runId) => this.abortRun(runId));
    if (concurrency > 0) await this.options.backend.consume((job, context) => this.executeStep(job, context), { nodeId: this.nodeId, concurrency });
  }

  /** Aborts every step running on this node without recording an outcome: another node (or a restart) runs them again. */
  abandonInFlight(): void {
    if (!this.shutdown.signal.aborted) this.shutdown.abort(new Error("The node is shutting down."));
  }

  async close(options: { drain?: boolean } = {}): Promise<void> {
    if (!options.drain) this.abandonInFlight();
    await this.options.backend.close(options);
    this.unsubscribeCancel?.();
  }

  // ------------------------------------------------------------------ public API

  async startRun(request: StartRunRequest): Promise<{ runId: string }> {
    const { value, issues } = applyInputDefaults(request.workflow.definition, request.input);
    if (issues.length > 0) throw new ValidationError(issues.length === 1 ? issues[0]! : `${issues[0]} (and ${issues.length - 1} more)`, { issues });
    const db = await this.options.db();
    const run = await db.run.create({
      data: {
        teamId: request.teamId,
        workflowId: request.workflow.id,
        workflowVersionId: request.workflow.versionId,
        version: request.workflow.version,
        input: value as object,
        priority: request.priority ?? 0,
        createdById: request.createdById,
        apiKeyId: request.apiKeyId,
      },
      select: { id: true },
    });
    await recordRunEvents(db, [{ runId: run.id, teamId: request.teamId, type: "run.status", payload: { status: "QUEUED" } }]);
    await this.admit(request.teamId);
    return { runId: run.id };
  }

  async cancelRun(teamId: string, runId: string): Promise<void> {
    const db = await this.options.db();
    const events: RunEventInput[] = [];
    await db.$transaction(async (tx) => {
      const run = await this.ownedRun(tx, teamId, runId);
      if (FINISHED.has(run.status)) throw new ConflictError(`The run has already finished (${run.status.toLowerCase()}).`);
      const now = new Date();
      const cancelled = await tx.stepRun.updateManyAndReturn({
        where: { runId, status: { in: ["PENDING", "QUEUED", "WAITING"] } },
        data: { status: "CANCELLED", finishedAt: now },
        select: { key: true },
      });
      await tx.run.update({
        where: { id: runId },
        data: { status: "CANCELLED", cancelRequestedAt: now, finishedAt: now, error: { message: "Cancelled.", code: "CANCELLED" } },
      });
      events.push(...cancelled.map((s) => runEvent(run, "step.status", s.key, { status: "CANCELLED" })));
      events.push(runEvent(run, "run.status", null, { status: "CANCELLED" }));
    });
    await this.options.backend.broadcastCancel(runId);
    await recordRunEvents(db, events);
    await this.admit(teamId);
  }

  async pauseRun(teamId: string, runId: string): Promise<void> {
    await this.setStatus(teamId, runId, ["RUNNING", "WAITING", "QUEUED"], "PAUSED", "Only a queued, running or waiting run can be paused.");
  }

  async resumeRun(teamId: string, runId: string): Promise<void> {
    const run = await this.setStatus(teamId, runId, ["PAUSED"], "RUNNING", "Only a paused run can be resumed.");
    const db = await this.options.db();
    if (!run.startedAt) await db.run.update({ where: { id: runId }, data: { startedAt: new Date() } });
    // Jobs that arrived while paused were set aside; queue their steps again.
    const queued = await db.stepRun.findMany({ where: { runId, status: "QUEUED" }, select: { id: true, attempt: true } });
    await Promise.all(queued.map((s) => this.enqueue(run, s.id, s.attempt)));
    await this.advance(runId);
  }

  /** Runs the step again, with everything after it; earlier results are kept. */
  async retryFromStep(teamId: string, runId: string, stepKey: string): Promise<void> {
    const db = await this.options.db();
    await db.$transaction(async (tx) => {
      const run = await this.ownedRun(tx, teamId, runId);
      if (!["FAILED", "CANCELLED", "COMPENSATED"].includes(run.status)) {
        throw new ConflictError(`Only a failed, cancelled or rolled-back run can be retried; this one is ${run.status.toLowerCase()}.`);
      }
      const { definition, graph } = await this.definitions.get(tx, run.workflowVersionId);
      const stepId = stepKey.replace(/\[\d+\]$|~compensate$/, "");
      if (!definition.steps.some((s) => s.id === stepId)) throw new NotFoundError(`Step "${stepKey}"`);
      const reset = new Set([stepId]);
      for (const id of graph.order) if ((graph.dependencies[id] ?? []).some((d) => reset.has(d))) reset.add(id);
      const rows = await tx.stepRun.findMany({ where: { runId }, select: { stepId: true, status: true, phase: true } });
      // Anything that did not succeed runs again too, and so does a step whose effect was rolled back.
      for (const row of rows) if (row.phase === "main" && row.status !== "SUCCEEDED" && row.status !== "SKIPPED") reset.add(row.stepId);
      for (const id of graph.order) if ((graph.dependencies[id] ?? []).some((d) => reset.has(d))) reset.add(id);
      await tx.stepRun.deleteMany({ where: { runId, OR: [{ stepId: { in: [...reset] } }, { phase: "compensate" }] } });
      await tx.$executeRaw`UPDATE "Run" SET "status" = 'QUEUED', "error" = NULL, "output" = NULL, "finishedAt" = NULL, "cancelRequestedAt" = NULL, "updatedAt" = now() WHERE "id" = ${runId}`;
    });
    await recordRunEvents(db, [{ runId, teamId, type: "run.status", payload: { status: "QUEUED", retryFrom: stepKey } }]);
    await this.admit(teamId);
  }

  async decideApproval(teamId: string, runId: string, stepKey: string, decider: Decider, approved: boolean, comment: string): Promise<void> {
    const db = await this.options.db();
    const run = await this.ownedRun(db, teamId, runId);
    const step = await db.stepRun.findUnique({ where: { runId_key: { runId, key: stepKey } } });
    if (!step || step.kind !== "approval") throw new NotFoundError(`Approval step "${stepKey}"`);
    if (step.status !== "WAITING") throw new ConflictError(`Step "${stepKey}" is not waiting for a decision (it is ${step.status.toLowerCase()}).`);
    const scope = (step.input as { scope?: string } | null)?.scope ?? "workflows:run";
    if (!decider.scopes.includes(scope as Decider["scopes"][number])) {
      throw new ForbiddenError(`Deciding step "${stepKey}" needs the "${scope}" permission.`);
    }
    const now = new Date();
    const decision = { approved, by: decider.userId, comment };
    const updated = await db.stepRun.updateMany({
      where: { id: step.id, status: "WAITING" },
      data: approved
        ? { status: "SUCCEEDED", output: decision, decidedById: decider.userId, finishedAt: now }
        : { status: "FAILED", output: decision, decidedById: decider.userId, finishedAt: now, error: { message: `Rejected${comment ? `: ${comment}` : "."}`, code: "REJECTED" } },
    });
    if (updated.count === 0) throw new ConflictError(`Step "${stepKey}" was decided by someone else a moment ago.`);
    await recordRunEvents(db, [runEvent(run, "step.status", stepKey, { status: approved ? "SUCCEEDED" : "FAILED", decision })]);
    await this.advance(runId);
  }

  /** Fails a run that outlived its whole-run timeout; what it finished is rolled back. */
  async expireRun(teamId: string, runId: string, timeoutMs: number): Promise<void> {
    const db = await this.options.db();
    const error = { message: `The run took longer than its limit of ${Math.round(timeoutMs / 1000)} s.`, code: "RUN_TIMEOUT" };
    const updated = await db.run.updateMany({ where: { id: runId, teamId, status: { in: ["RUNNING", "WAITING", "PAUSED"] } }, data: { status: "RUNNING", error } });
    if (updated.count === 0) return;
    await recordRunEvents(db, [{ runId, teamId, type: "run.status", payload: { status: "RUNNING", error } }]);
    await this.options.backend.broadcastCancel(runId);
    await this.advance(runId);
  }

  async retryDeadLetter(teamId: string, deadLetterId: string): Promise<void> {
    const db = await this.options.db();
    const letter = await db.deadLetter.findFirst({ where: { id: deadLetterId, teamId } });
    if (!letter) throw new NotFoundError("Dead letter");
    if (letter.retriedAt) throw new ConflictError("This dead letter was already retried.");
    await this.retryFromStep(teamId, letter.runId, letter.stepKey);
    await db.deadLetter.update({ where: { id: deadLetterId }, data: { retriedAt: new Date() } });
  }

  /** Resolves when the run reaches a finished status (polling: any node may finish it). */
  async waitForRun(runId: string, timeoutMs = 60_000): Promise<RunStatus> {
    const db = await this.options.db();
    const deadline = Date.now() + timeoutMs;
    let delay = 5;
    for (;;) {
      const run = await db.run.findUnique({ where: { id: runId }, select: { status: true } });
      if (!run) throw new NotFoundError("Run");
      if (FINISHED.has(run.status)) return run.status;
      if (Date.now() > deadline) return run.status;
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 200);
    }
  }

  /** The team's limit on runs executing at once, and whether it is the installation's default. */
  async concurrencyLimit(teamId: string): Promise<{ limit: number; isDefault: boolean }> {
    const db = await this.options.db();
    const settings = await db.engineSettings.findUnique({ where: { teamId }, select: { maxConcurrentRuns: true } });
    return settings ? { limit: settings.maxConcurrentRuns, isDefault: false } : { limit: this.defaultLimit, isDefault: true };
  }

  /** Sets the team's limit (null: back to the default) and starts queued runs that now fit. */
  async setConcurrencyLimit(teamId: string, limit: number | null): Promise<void> {
    const db = await this.options.db();
    if (limit === null) await db.engineSettings.deleteMany({ where: { teamId } });
    else await db.engineSettings.upsert({ where: { teamId }, create: { teamId, maxConcurrentRuns: limit }, update: { maxConcurrentRuns: limit } });
    await this.admit(teamId);
  }

  private get defaultLimit(): number {
    return this.options.defaultMaxConcurrentRuns ?? 10;
  }

  // ------------------------------------------------------------------ scheduling

  /** Starts queued runs of the team while it has room, highest priority first. */
  async admit(teamId: string): Promise<void> {
    const db = await this.options.db();
    const started = await db.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`maestro.admit.${teamId}`}))`;
      const settings = await tx.engineSettings.findUnique({ where: { teamId }, select: { maxConcurrentRuns: true } });
      const limit = settings?.maxConcurrentRuns ?? this.defaultLimit;
      const running = await tx.run.count({ where: { teamId, status: "RUNNING" } });
      if (running >= limit) return [];
      const next = await tx.run.findMany({
        where: { teamId, status: "QUEUED" },
        orderBy: [{ priority: "desc" }, { createdAt: "asc" }],
        take: limit - running,
        select: { id: true, startedAt: true },
      });
      for (const run of next) await tx.run.update({ where: { id: run.id }, data: { status: "RUNNING", startedAt: run.startedAt ?? new Date() } });
      return next.map((r) => r.id);
    });
    if (started.length > 0) await recordRunEvents(db, started.map((runId) => ({ runId, teamId, type: "run.status" as const, payload: { status: "RUNNING" } })));
    for (const runId of started) await this.advance(runId);
  }

  /** Decides and records what the run does next, then queues the steps that became ready. */
  async advance(runId: string): Promise<void> {
    await this.settle(runId, null);
  }

  /**
   * Records a step's end (when given) and decides what the run does next, under one lock
   * of the run: the step's state, the run's totals, a revision's reset and the scheduler's
   * decision commit together. False when the step had already been settled (a duplicate).
   */
  async settle(runId: string, end: StepEnd | null): Promise<boolean> {
    const db = await this.options.db();
    let committed = true;
    for (let round = 0; round < 4; round++) {
      const result = await db.$transaction(async (tx) => {
        const run = await lockRun(tx, runId);
        if (!run) return null;
        const events: RunEventInput[] = [];
        if (round === 0 && end) {
          if (!(await writeStepEnd(tx, run, end, events))) return { written: false as const };
          if (end.revise) await reviseRun(tx, run, end, events, (id) => this.definitions.get(tx, id));
        }
        if (!ACTIVE_RUN.has(run.status)) return { written: true as const, run, events };
        const version = await this.definitions.get(tx, run.workflowVersionId);
        const state = await loadRunState(tx, run, version);
        const decision = planAdvance(state);
        const applied = await applyDecision(tx, run, decision);
        events.push(...applied.events);
        return { written: true as const, run, events, decision, applied, newlyFailing: Boolean(decision.run?.error) && !run.error };
      });
      if (!result) return false;
      if (!result.written) return false;
      if (round === 0) committed = true;
      const { run, events } = result;
      await recordRunEvents(db, events);
      if (!("applied" in result) || !result.applied) return committed;
      const { decision, applied } = result;
      await Promise.all(applied.queued.map((s) => this.enqueue(run, s.id, s.attempt)));
      if (decision.abortRunning) await this.options.backend.broadcastCancel(runId);
      if (applied.finished) {
        await this.admit(run.teamId);
        return committed;
      }
      // A failure just noticed may have cancelled everything queued: decide again at once.
      if (!result.newlyFailing) return committed;
    }
    return committed;
  }

  private enqueue(run: Pick<RunRow, "id" | "teamId" | "priority">, stepRunId: string, attempt: number, delayMs?: number) {
    return this.options.backend.enqueue({ stepRunId, runId: run.id, teamId: run.teamId, attempt, priority: run.priority, ...(delayMs ? { delayMs } : {}) });
  }

  /** The job handler: runs one step attempt (see executor.ts). */
  executeStep(job: StepJob, context: JobContext): Promise<void> {
    return this.executor.execute(job, context);
  }

  // ------------------------------------------------------------------ cancellation

  private track(runId: string, controller: AbortController) {
    const set = this.inflight.get(runId) ?? new Set();
    set.add(controller);
    this.inflight.set(runId, set);
  }

  private untrack(runId: string, controller: AbortController) {
    const set = this.inflight.get(runId);
    set?.delete(controller);
    if (set?.size === 0) this.inflight.delete(runId);
  }

  private abortRun(runId: string) {
    for (const controller of this.inflight.get(runId) ?? []) controller.abort(new Error("The run was cancelled."));
  }

  // ------------------------------------------------------------------ helpers

  private async ownedRun(db: Db | Tx, teamId: string, runId: string) {
    const run = await db.run.findFirst({ where: { id: runId, teamId }, select: { id: true, teamId: true, status: true, workflowVersionId: true, priority: true, startedAt: true } });
    if (!run) throw new NotFoundError("Run");
    return run;
  }

  private async setStatus(teamId: string, runId: string, from: RunStatus[], to: RunStatus, refusal: string) {
    const db = await this.options.db();
    const run = await this.ownedRun(db, teamId, runId);
    const updated = await db.run.updateMany({ where: { id: runId, status: { in: from } }, data: { status: to } });
    if (updated.count === 0) throw new ConflictError(`${refusal} This one is ${run.status.toLowerCase()}.`);
    await recordRunEvents(db, [runEvent(run, "run.status", null, { status: to })]);
    return run;
  }
}

function runEvent(run: { id: string; teamId: string }, type: RunEventInput["type"], stepKey: string | null, payload: Record<string, unknown>): RunEventInput {
  return { runId: run.id, teamId: run.teamId, type, stepKey, payload };
}
