// The engine's contracts: what a step runner receives and returns, what a queue
// backend must do, and the errors that sort failures into retryable and permanent.
// The database rows (Run, StepRun) are the source of truth; jobs carry ids only.
import type { MapItemStep, StepDefinition, WorkflowDefinition } from "../shared/workflow-definition.ts";
import type { GatewayRequest, GatewayResult } from "../llm/gateway-types.ts";
import type { Scope } from "../shared/rbac.ts";

// ---------------------------------------------------------------- queue backends

/** One step execution to perform: a StepRun row, at one attempt. */
export interface StepJob {
  stepRunId: string;
  runId: string;
  teamId: string;
  /** The attempt this job performs (1-based); a job older than the row's attempt is stale. */
  attempt: number;
  /** Higher first (the run's priority). */
  priority: number;
  /** Not before this many milliseconds from now (retry backoff). */
  delayMs?: number;
}

export interface JobContext {
  /** The node executing the job (its WorkerNode id). */
  nodeId: string;
  /** How many times the queue has delivered this job (1 on the first delivery). */
  deliveries: number;
}

export type JobHandler = (job: StepJob, context: JobContext) => Promise<void>;

export interface ConsumeOptions {
  nodeId: string;
  /** Jobs run at once on this node. */
  concurrency: number;
}

/**
 * Where step jobs wait and who runs them: in this process (embedded default) or on
 * BullMQ/Redis across worker processes. The engine above is the same for both.
 */
export interface ExecutionBackend {
  readonly kind: "in-process" | "bullmq";
  /** Queues a job. Enqueuing the same stepRunId+attempt twice queues it once. */
  enqueue(job: StepJob): Promise<void>;
  /** Starts executing jobs on this node. A handler that throws is an infrastructure failure (retried by the queue, then dead-lettered). */
  consume(handler: JobHandler, options: ConsumeOptions): Promise<void>;
  /** Is the job for this step attempt waiting, delayed or active anywhere? The recovery sweep asks. */
  hasJob(job: Pick<StepJob, "stepRunId" | "attempt">): Promise<boolean>;
  /** Tells every node to abort in-flight work of the run (cancel, pause does not abort). */
  broadcastCancel(runId: string): Promise<void>;
  /** Called on every node when a run is cancelled anywhere. Returns an unsubscribe function. */
  onCancel(listener: (runId: string) => void): () => void;
  /** Jobs running on this node now. */
  activeCount(): number;
  /** Moves the waiting jobs of a lost node to the others (backends with per-node queues). */
  rehome?(nodeId: string): Promise<void>;
  /** Stops taking new jobs; with `drain`, waits for the running ones (graceful shutdown). */
  close(options?: { drain?: boolean }): Promise<void>;
}

/** Called when a job failed past its queue attempts: the engine records a dead letter. */
export type DeadLetterHandler = (job: StepJob, error: Error, attempts: number) => Promise<void>;

// ---------------------------------------------------------------- step runners

export interface RunInfo {
  id: string;
  teamId: string;
  workflowId: string;
  createdById: string | null;
  apiKeyId: string | null;
  definition: WorkflowDefinition;
}

export interface StepUsage {
  inputTokens: number;
  outputTokens: number;
  costNano: number;
}

/** The run's shared key/value memory; every write records who wrote it. */
export interface RunMemory {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown, writtenBy: string): Promise<void>;
  entries(): Promise<{ key: string; value: unknown; writtenBy: string }[]>;
}

export type AgentMessageKind = "task" | "plan" | "review" | "result" | "verdict" | "revision" | "tool-call" | "tool-result" | "note";

export interface AgentMessageInput {
  from: string;
  to: string;
  kind: AgentMessageKind;
  content: unknown;
  usage?: StepUsage;
}

/** Delivers and persists typed messages between a run's agents. */
export interface MessageRouter {
  send(message: AgentMessageInput): Promise<void>;
  /** Messages addressed to `to` (or all, without it), oldest first. */
  inbox(to?: string): Promise<(AgentMessageInput & { at: Date })[]>;
}

export interface ToolDescriptor {
  /** "http_fetch", "memory_set", or "server.tool" for MCP tools. */
  name: string;
  description: string;
  /** JSON Schema of the arguments. */
  inputSchema: Record<string, unknown>;
}

export interface ToolResult {
  /** Text or JSON the tool returned. */
  content: unknown;
  isError: boolean;
}

/** Tools a step may call; every call is recorded with its arguments and result. */
export interface ToolInvoker {
  list(allowed?: readonly string[]): Promise<ToolDescriptor[]>;
  call(name: string, args: Record<string, unknown>, options: { signal: AbortSignal; idempotencyKey: string }): Promise<ToolResult>;
}

/** A gateway call on the run's account (usage is recorded with runId and stepKey). */
export type StepGateway = (request: GatewayRequest, signal: AbortSignal) => Promise<GatewayResult>;

export interface StepContext<S = StepDefinition | MapItemStep> {
  run: RunInfo;
  /** The step with every template already resolved (map items: the item step, resolved for its item). */
  step: S;
  stepKey: string;
  stepId: string;
  attempt: number;
  /** Stable across attempts and redeliveries of this step execution. */
  idempotencyKey: string;
  /** Aborted on cancel, timeout or node shutdown. */
  signal: AbortSignal;
  log(level: "info" | "warn" | "error", message: string): void;
  gateway: StepGateway;
  tools: ToolInvoker;
  memory: RunMemory;
  messages: MessageRouter;
}

export interface StepOutcome {
  output: unknown;
  usage?: StepUsage;
}

export type StepRunner<S = StepDefinition | MapItemStep> = (context: StepContext<S>) => Promise<StepOutcome>;

// ---------------------------------------------------------------- failures

/** A step failure. Retryable ones are tried again per the step's retry policy. */
export class StepError extends Error {
  readonly retryable: boolean;
  readonly code: string;
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options: { retryable?: boolean; code?: string; retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "StepError";
    this.retryable = options.retryable ?? false;
    this.code = options.code ?? "STEP_FAILED";
    this.retryAfterMs = options.retryAfterMs;
  }
}

export const isStepError = (error: unknown): error is StepError => error instanceof StepError;

/** Who decides an approval step, as the engine checks it. */
export interface Decider {
  userId: string;
  scopes: readonly Scope[];
}
