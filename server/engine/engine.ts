// The workflow engine: starts runs, executes step jobs from whichever backend delivers
// them, decides what runs next (scheduler.ts) and keeps every change in the database,
// so any node can continue a run where another stopped.
import type { Db } from "../db/client.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../errors.ts";
import type { CallContext, GatewayRequest, GatewayResult } from "../llm/gateway-types.ts";
import { logger } from "../logger.ts";
import type { MapItemStep, RunStatus, StepDefinition, StepKind, WorkflowDefinition } from "../shared/workflow-definition.ts";
import { FINISHED_RUN_STATUSES } from "../shared/workflow-definition.ts";
import { applyInputDefaults, resolveStepTemplates } from "./definition/index.ts";
import { recordRunEvents, type RunEventInput } from "./events.ts";
import { backoffDelay, classifyFailure } from "./failures.ts";
import { planAdvance, scopeOf, type RunError } from "./scheduler.ts";
import { DefinitionCache, applyDecision, loadRunState, lockRun, type RunRow, type Tx } from "./store.ts";
import type { Decider, ExecutionBackend, JobContext, MessageRouter, RunInfo, RunMemory, StepJob, StepOutcome, StepRunner, ToolInvoker } from "./types.ts";
import { StepError } from "./types.ts";

export interface StepServices {
  tools: ToolInvoker;
  memory: RunMemory;
  messages: MessageRouter;
}

export type RunnerTable = Partial<Record<Exclude<StepKind, "condition" | "map" | "approval">, StepRunner<never>>>;

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
const STEP_FINISHED: ReadonlySet<string> = new Set(["SUCCEEDED", "FAILED", "CANCELLED", "SKIPPED", "COMPENSATED"]);
/** Fields of a step that are structure, not what the step received (left out of its recorded input). */
const STRUCTURAL_FIELDS = new Set(["id", "kind", "name", "description", "needs", "timeoutMs", "retry", "output", "position", "compensate", "revise", "code", "if", "then", "else", "step", "items", "concurrency"]);

type ExecutableStep = StepDefinition | MapItemStep;

export class Engine {
  readonly nodeId: string;
  private readonly definitions = new DefinitionCache();
  /** In-flight step executions on this node, by run, so a cancel can abort them. */
  private readonly inflight = new Map<string, Set<AbortController>>();
  private readonly shutdown = new AbortController();
  private unsubscribeCancel: (() => void) | null = null;

  constructor(private readonly options: EngineOptions) {
    this.nodeId = options.nodeId;
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

  // ------------------------------------------------------------------ scheduling

  /** Starts queued runs of the team while it has room, highest priority first. */
  async admit(teamId: string): Promise<void> {
    const db = await this.options.db();
    const started = await db.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`maestro.admit.${teamId}`}))`;
      const settings = await tx.engineSettings.findUnique({ where: { teamId }, select: { maxConcurrentRuns: true } });
      const limit = settings?.maxConcurrentRuns ?? this.options.defaultMaxConcurrentRuns ?? 10;
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
    const db = await this.options.db();
    for (let round = 0; round < 4; round++) {
      const result = await db.$transaction(async (tx) => {
        const run = await lockRun(tx, runId);
        if (!run || !ACTIVE_RUN.has(run.status)) return null;
        const version = await this.definitions.get(tx, run.workflowVersionId);
        const state = await loadRunState(tx, run, version);
        const decision = planAdvance(state);
        const applied = await applyDecision(tx, run, decision);
        return { run, decision, applied, newlyFailing: Boolean(decision.run?.error) && !run.error };
      });
      if (!result) return;
      const { run, decision, applied } = result;
      await Promise.all(applied.queued.map((s) => this.enqueue(run, s.id, s.attempt)));
      if (applied.events.length > 0) await recordRunEvents(db, applied.events);
      if (decision.abortRunning) await this.options.backend.broadcastCancel(runId);
      if (applied.finished) {
        await this.admit(run.teamId);
        return;
      }
      // A failure just noticed may have cancelled everything queued: decide again at once.
      if (!result.newlyFailing) return;
    }
  }

  private enqueue(run: Pick<RunRow, "id" | "teamId" | "priority">, stepRunId: string, attempt: number, delayMs?: number) {
    return this.options.backend.enqueue({ stepRunId, runId: run.id, teamId: run.teamId, attempt, priority: run.priority, ...(delayMs ? { delayMs } : {}) });
  }

  // ------------------------------------------------------------------ execution

  /** The job handler: runs one step attempt. Stale and duplicate deliveries do nothing. */
  async executeStep(job: StepJob, context: JobContext): Promise<void> {
    const db = await this.options.db();
    const row = await db.stepRun.findUnique({
      where: { id: job.stepRunId },
      include: {
        run: { select: { id: true, teamId: true, workflowId: true, workflowVersionId: true, status: true, input: true, createdById: true, apiKeyId: true, priority: true, error: true, revisions: true, feedback: true } },
      },
    });
    if (!row || row.attempt !== job.attempt || STEP_FINISHED.has(row.status) || row.status === "WAITING" || row.phase === "revised") return;
    const run = row.run;
    if (run.status === "PAUSED" || run.status === "QUEUED") return; // resume queues it again
    if (!ACTIVE_RUN.has(run.status) || (run.error && row.phase !== "compensate")) {
      await this.finishStep(db, run, row, { status: "CANCELLED" });
      return;
    }
    const { definition } = await this.definitions.get(db, run.workflowVersionId);
    const spec = stepSpec(definition, row.stepId, row.phase);
    const scope = await this.scopeFor(db, run, row);
    const resolved = spec.kind === "condition" ? spec : resolveStepTemplates(spec, scope);

    const claimed = await db.stepRun.updateMany({
      where: { id: row.id, attempt: job.attempt, status: { in: ["QUEUED", "RUNNING"] } },
      data: { status: "RUNNING", nodeId: context.nodeId, startedAt: new Date(), input: stepInput(resolved) as object },
    });
    if (claimed.count === 0) return;
    await recordRunEvents(db, [runEvent(run, "step.status", row.key, { status: "RUNNING", attempt: row.attempt, nodeId: context.nodeId, redelivered: row.status === "RUNNING" })]);

    const controller = new AbortController();
    const signals = [controller.signal, this.shutdown.signal];
    const timeoutMs = spec.kind === "condition" ? undefined : ("timeoutMs" in spec ? spec.timeoutMs : undefined) ?? parentTimeout(definition, row.stepId, row.phase);
    if (timeoutMs) signals.push(AbortSignal.timeout(timeoutMs));
    const signal = AbortSignal.any(signals);
    this.track(run.id, controller);
    const logs: { at: string; level: string; message: string }[] = [];
    const info: RunInfo = { id: run.id, teamId: run.teamId, workflowId: run.workflowId, createdById: run.createdById, apiKeyId: run.apiKeyId, definition };
    let outcome: StepOutcome | null = null;
    let failure: unknown = null;
    try {
      if (resolved.kind === "condition") {
        const value = await this.options.evaluate(resolved.if, { ...scope, steps: scope.steps });
        outcome = { output: { result: Boolean(value), branch: value ? "then" : "else" } };
      } else {
        outcome = await this.runStep(db, info, row, resolved, signal, logs);
      }
    } catch (error) {
      failure = error;
    } finally {
      this.untrack(run.id, controller);
    }
    if (this.shutdown.signal.aborted) return; // another node picks it up; nothing is written
    if (outcome) {
      const committed = await this.finishStep(db, run, row, { status: "SUCCEEDED", output: outcome.output, usage: outcome.usage, logs });
      if (committed && row.phase === "main" && "revise" in spec && spec.revise) {
        const steps = { ...scope.steps, [row.stepId]: { output: outcome.output, status: "SUCCEEDED" } };
        const sendBack = await this.options.evaluate(spec.revise.if, { ...scope, steps }).catch((error: unknown) => {
          logger.warn("engine.revise.condition_failed", { runId: run.id, step: row.key, error });
          return false;
        });
        if (sendBack) await this.reviseRun(run.id, row.key, spec.revise, outcome.output);
      }
    } else {
      await this.handleFailure(db, run, row, failure, { cancelled: controller.signal.aborted, timedOut: signal.aborted && !controller.signal.aborted, logs });
    }
    await this.advance(run.id);
  }

  private async runStep(db: Db, info: RunInfo, row: { key: string; stepId: string; attempt: number; idempotencyKey: string }, step: ExecutableStep, signal: AbortSignal, logs: { at: string; level: string; message: string }[]): Promise<StepOutcome> {
    const runner = this.options.runners[step.kind as keyof RunnerTable] as StepRunner<ExecutableStep> | undefined;
    if (!runner) throw new StepError(`Steps of kind "${step.kind}" cannot run on this node.`, { code: "UNSUPPORTED_STEP" });
    const routing = info.definition.routing;
    const services = this.options.services(db, info, row.key);
    return runner({
      run: info,
      step,
      stepKey: row.key,
      stepId: row.stepId,
      attempt: row.attempt,
      idempotencyKey: row.idempotencyKey,
      signal,
      log: (level, message) => {
        if (logs.length < 200) logs.push({ at: new Date().toISOString(), level, message: message.slice(0, 2000) });
      },
      gateway: (request, callSignal) =>
        this.options.gateway(
          { teamId: info.teamId, userId: info.createdById, apiKeyId: info.apiKeyId, runId: info.id, stepId: row.key, operation: "workflow.step", signal: callSignal },
          {
            ...request,
            ...(request.model === undefined && routing?.model ? { model: routing.model } : {}),
            ...(request.strategy === undefined && routing?.strategy ? { strategy: routing.strategy } : {}),
            ...(request.fallback === undefined && routing?.fallback ? { fallback: routing.fallback } : {}),
          },
        ),
      ...services,
    });
  }

  private async handleFailure(
    db: Db,
    run: { id: string; teamId: string; priority: number },
    row: { id: string; key: string; attempt: number; maxAttempts: number; stepId: string; phase: string },
    error: unknown,
    how: { cancelled: boolean; timedOut: boolean; logs: { at: string; level: string; message: string }[] },
  ) {
    const current = await db.run.findUnique({ where: { id: run.id }, select: { status: true, error: true } });
    if (how.cancelled || current?.status === "CANCELLED" || (current?.error && row.phase !== "compensate")) {
      await this.finishStep(db, run, row, { status: "CANCELLED", logs: how.logs });
      return;
    }
    const failure = classifyFailure(error, how.timedOut);
    if (!(error instanceof StepError)) logger.warn("engine.step.error", { runId: run.id, step: row.key, error });
    if (failure.retryable && row.attempt < row.maxAttempts) {
      const { definition } = await this.definitions.get(db, (await db.run.findUniqueOrThrow({ where: { id: run.id }, select: { workflowVersionId: true } })).workflowVersionId);
      const delayMs = failure.retryAfterMs ?? backoffDelay(retryPolicyOf(definition, row.stepId), row.attempt);
      const next = row.attempt + 1;
      const moved = await db.stepRun.updateMany({
        where: { id: row.id, attempt: row.attempt, status: "RUNNING" },
        data: { status: "QUEUED", attempt: next, error: failure.error as object, availableAt: new Date(Date.now() + delayMs), queuedAt: new Date(), logs: how.logs },
      });
      if (moved.count === 0) return;
      await recordRunEvents(db, [runEvent(run, "step.status", row.key, { status: "QUEUED", attempt: next, retryInMs: delayMs, error: failure.error })]);
      await this.enqueue(run, row.id, next, delayMs);
      return;
    }
    await this.finishStep(db, run, row, { status: "FAILED", error: failure.error, logs: how.logs });
  }

  /**
   * Sends the run back to an earlier step: that step and everything after it run again,
   * with this step's output as `run.feedback`. Earlier rounds stay visible as "revised" rows.
   */
  private async reviseRun(runId: string, stepKey: string, revise: { from: string; max: number }, feedback: unknown) {
    const db = await this.options.db();
    const events = await db.$transaction(async (tx) => {
      const run = await lockRun(tx, runId);
      if (!run || !ACTIVE_RUN.has(run.status) || run.error || run.revisions >= revise.max) return [];
      const { graph } = await this.definitions.get(tx, run.workflowVersionId);
      const reset = new Set([revise.from]);
      for (const id of graph.order) if ((graph.dependencies[id] ?? []).some((d) => reset.has(d))) reset.add(id);
      const round = run.revisions + 1;
      await tx.$executeRaw`
        UPDATE "StepRun" SET "phase" = 'revised', "key" = "key" || '@' || ${String(round)}, "updatedAt" = now()
        WHERE "runId" = ${runId} AND "stepId" = ANY(${[...reset]}::text[]) AND "phase" IN ('main', 'item')`;
      await tx.run.update({ where: { id: runId }, data: { revisions: round, ...(feedback === null || feedback === undefined ? {} : { feedback: feedback as object }) } });
      return [runEvent(run, "run.status", stepKey, { status: run.status, revision: round, from: revise.from })];
    });
    await recordRunEvents(db, events);
  }

  /** Writes a step's end state once: a duplicate delivery that finishes second changes nothing. */
  private async finishStep(
    db: Db,
    run: { id: string; teamId: string },
    row: { id: string; key: string; attempt: number },
    end: { status: "SUCCEEDED" | "FAILED" | "CANCELLED"; output?: unknown; error?: RunError; usage?: StepOutcome["usage"]; logs?: unknown[] },
  ) {
    const usage = end.usage ?? { inputTokens: 0, outputTokens: 0, costNano: 0 };
    const committed = await db.$transaction(async (tx: Tx) => {
      const updated = await tx.stepRun.updateMany({
        where: { id: row.id, attempt: row.attempt, status: { in: ["QUEUED", "RUNNING", "PENDING"] } },
        data: {
          status: end.status,
          finishedAt: new Date(),
          ...(end.output !== undefined ? { output: end.output === null ? undefined : (end.output as object) } : {}),
          ...(end.error ? { error: end.error as object } : {}),
          ...(end.logs ? { logs: end.logs as object[] } : {}),
          inputTokens: { increment: usage.inputTokens },
          outputTokens: { increment: usage.outputTokens },
          costNano: { increment: BigInt(usage.costNano) },
        },
      });
      if (updated.count === 0) return false;
      if (usage.inputTokens || usage.outputTokens || usage.costNano) {
        await tx.run.update({
          where: { id: run.id },
          data: { inputTokens: { increment: usage.inputTokens }, outputTokens: { increment: usage.outputTokens }, costNano: { increment: BigInt(usage.costNano) } },
        });
      }
      return true;
    });
    if (!committed) return false;
    const payload: Record<string, unknown> = { status: end.status, attempt: row.attempt };
    if (end.error) payload.error = end.error;
    if (usage.costNano || usage.inputTokens) payload.usage = usage;
    await recordRunEvents(db, [runEvent(run, "step.status", row.key, payload)]);
    return true;
  }

  private async scopeFor(
    db: Db,
    run: { id: string; input: unknown; revisions: number; feedback: unknown },
    row: { phase: string; stepId: string; mapIndex: number | null },
  ) {
    const mains = await db.stepRun.findMany({ where: { runId: run.id, phase: "main" }, select: { key: true, stepId: true, status: true, output: true, input: true } });
    const steps = new Map(mains.map((m) => [m.key, { id: "", key: m.key, stepId: m.stepId, phase: "main" as const, mapIndex: null, status: m.status, output: m.output, error: null, finishedAt: null }]));
    const scope = scopeOf({ runId: run.id, input: run.input as Record<string, unknown>, steps, revision: run.revisions, feedback: run.feedback });
    if (row.phase === "item") {
      const items = (mains.find((m) => m.stepId === row.stepId)?.input as { items?: unknown[] } | null)?.items ?? [];
      return { ...scope, item: items[row.mapIndex ?? 0] ?? null, index: row.mapIndex ?? 0 };
    }
    return scope;
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

/** The definition a step row executes: the step, a map's item step, or a compensation. */
function stepSpec(definition: WorkflowDefinition, stepId: string, phase: string): ExecutableStep {
  const step = definition.steps.find((s) => s.id === stepId);
  if (!step) throw new StepError(`Step "${stepId}" is not in this workflow version.`, { code: "UNKNOWN_STEP" });
  if (phase === "item" && step.kind === "map") return step.step;
  if (phase === "compensate" && "compensate" in step && step.compensate) return step.compensate;
  return step;
}

function parentTimeout(definition: WorkflowDefinition, stepId: string, phase: string): number | undefined {
  if (phase === "main") return undefined;
  return definition.steps.find((s) => s.id === stepId)?.timeoutMs;
}

function retryPolicyOf(definition: WorkflowDefinition, stepId: string) {
  return definition.steps.find((s) => s.id === stepId)?.retry;
}

/** What the step received, for the run page: the resolved fields, without code and structure. */
function stepInput(step: ExecutableStep): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(step)) if (!STRUCTURAL_FIELDS.has(field) || field === "if") out[field] = value;
  return out;
}
