// Step jobs on BullMQ/Redis, shared by any number of worker processes. Every node
// consumes the shared queue `maestro-steps`; with a routing strategy the enqueuer also
// picks an ACTIVE node and puts the job in that node's queue. A small Redis marker per
// job (where it lives) makes a step attempt queue once across all those queues.
import { Queue, WaitingError, Worker, type Job, type JobsOptions } from "bullmq";
import type { Redis } from "ioredis";
import { z } from "zod";
import { logger } from "../../logger.ts";
import { connectRedis } from "../../redis.ts";
import { NodeChooser, type LoadBalancing, type NodeLoad } from "../load-balancing.ts";
import type { NodeDirectory } from "../nodes.ts";
import type { ConsumeOptions, DeadLetterHandler, ExecutionBackend, JobHandler, StepJob } from "../types.ts";
import { DEFAULT_QUEUE_RETRY, asError, stepJobId, type QueueRetryOptions } from "./in-process.ts";

export const STEP_QUEUE = "maestro-steps";
export const DEFAULT_PREFIX = "maestro";
/** A node's own queue (':' is reserved in BullMQ names). */
export const nodeQueueName = (nodeId: string): string => `${STEP_QUEUE}-node-${nodeId.replaceAll(":", "_")}`;

const JOB_NAME = "step";
const FAILED_RETENTION_SECONDS = 7 * 24 * 3600;
/** Markers outlive any job still waiting; a stale one is recognised and replaced. */
const MARKER_TTL_MS = FAILED_RETENTION_SECONDS * 1000;
/** BullMQ runs priority 1 first, up to 2^21; ours runs higher first. */
const BULL_PRIORITY_MAX = 2 ** 21;
const BULL_PRIORITY_ZERO = 2 ** 20;
export const toBullPriority = (priority: number): number => Math.min(BULL_PRIORITY_MAX, Math.max(1, BULL_PRIORITY_ZERO - Math.round(priority)));

/** The payload a queue job carries: ids only (the rows hold the rest). */
const storedStepJob = z.object({
  stepRunId: z.string().min(1),
  runId: z.string().min(1),
  teamId: z.string().min(1),
  attempt: z.number().int().positive(),
  priority: z.number(),
});
type StoredStepJob = z.infer<typeof storedStepJob>;

// A job is live in a queue while its hash exists without `finishedOn` (waiting, delayed,
// active); completed jobs are removed, failed ones kept for a week with `finishedOn`.
const JOB_STATE_LUA = `
local function jobState(queue, id)
  local key = ARGV[1] .. queue .. ':' .. id
  if redis.call('EXISTS', key) == 0 then return 0 end
  if redis.call('HEXISTS', key, 'finishedOn') == 1 then return 2 end
  return 1
end`;

/**
 * KEYS: marker, node-load hash. ARGV: key prefix, job id, target queue, marker ttl, node to count ('' for none).
 * Returns 0 (already queued somewhere), 1 (claimed) or 2 (claimed; a finished copy in the target must go first).
 */
const CLAIM_LUA = `${JOB_STATE_LUA}
local marked = redis.call('GET', KEYS[1])
if marked and jobState(marked, ARGV[2]) == 1 then return 0 end
local inTarget = jobState(ARGV[3], ARGV[2])
redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
if inTarget == 1 then return 0 end
if ARGV[5] ~= '' then redis.call('HINCRBY', KEYS[2], ARGV[5], 1) end
if inTarget == 2 then return 2 end
return 1`;

/** KEYS: marker. ARGV: key prefix, job id, queues to look in. Returns 1 when the job is live. */
const HAS_JOB_LUA = `${JOB_STATE_LUA}
local marked = redis.call('GET', KEYS[1])
if marked and jobState(marked, ARGV[2]) == 1 then return 1 end
for i = 3, #ARGV do
  if jobState(ARGV[i], ARGV[2]) == 1 then return 1 end
end
return 0`;

export interface BullmqBackendOptions {
  redisUrl: string;
  /** Key prefix of every queue and engine key; tests isolate with their own. */
  prefix?: string;
  strategy?: LoadBalancing;
  /** Lists ACTIVE nodes for the routing strategies; without it every job goes to the shared queue. */
  registry?: NodeDirectory;
  retry?: Partial<QueueRetryOptions>;
  /** How long a worker's lock on an active job lasts; a crashed worker's job is redelivered after it. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  maxStalledCount?: number;
  /** How long the node list is reused between enqueues. */
  nodeListCacheMs?: number;
}

/** Node-wide concurrency shared by the node's workers (own queue and shared queue). */
class Slots {
  private readonly waiters: ((granted: boolean) => void)[] = [];
  private closed = false;

  constructor(private free: number) {}

  acquire(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (this.free > 0) {
      this.free -= 1;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next(true);
    else this.free += 1;
  }

  /** Refuses every waiter and future request. */
  close(): void {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter(false);
  }
}

export class BullmqBackend implements ExecutionBackend {
  readonly kind = "bullmq" as const;
  readonly prefix: string;
  private readonly redisUrl: string;
  private readonly retry: QueueRetryOptions;
  private readonly chooser: NodeChooser;
  private readonly registry: NodeDirectory | undefined;
  private readonly workerSettings: { lockDuration: number; stalledInterval: number; maxStalledCount: number };
  private readonly nodeListCacheMs: number;
  /** Commands and every Queue object share this connection; workers open their own. */
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  private readonly subscribed: Promise<void>;
  private readonly queues = new Map<string, Queue<StoredStepJob>>();
  private readonly workers: Worker<StoredStepJob>[] = [];
  private readonly cancelListeners = new Set<(runId: string) => void>();
  private readonly deadLettering = new Set<Promise<void>>();
  /** Assignments chosen but not yet counted in Redis, so a burst of enqueues spreads out. */
  private readonly pendingAssignments = new Map<string, number>();
  private nodeList: { expiresAt: number; nodes: Promise<NodeLoad[]> } | undefined;
  private slots: Slots | undefined;
  private handler: JobHandler | undefined;
  private nodeId = "";
  private active = 0;
  private closing: Promise<void> | undefined;

  constructor(
    options: BullmqBackendOptions,
    private readonly onDeadLetter: DeadLetterHandler,
  ) {
    this.redisUrl = options.redisUrl;
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    this.retry = { ...DEFAULT_QUEUE_RETRY, ...options.retry };
    this.chooser = new NodeChooser(options.strategy ?? "competing");
    this.registry = options.registry;
    this.workerSettings = {
      lockDuration: options.lockDurationMs ?? 30_000,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      maxStalledCount: options.maxStalledCount ?? 2,
    };
    this.nodeListCacheMs = options.nodeListCacheMs ?? 1000;
    this.redis = connectRedis(this.redisUrl, "engine-queue");
    this.subscriber = connectRedis(this.redisUrl, "engine-cancel");
    this.subscriber.on("message", (channel: string, runId: string) => {
      if (channel === this.cancelChannel) this.notifyCancel(runId);
    });
    this.subscribed = this.subscriber.subscribe(this.cancelChannel).then(() => undefined);
    this.subscribed.catch((error: unknown) => logger.error("engine.cancel_subscribe_failed", { error }));
  }

  get strategy(): LoadBalancing {
    return this.chooser.strategy;
  }

  private get cancelChannel(): string {
    return `${this.prefix}:engine:cancel`;
  }

  private get loadKey(): string {
    return `${this.prefix}:engine:node-load`;
  }

  private markerKey(jobId: string): string {
    return `${this.prefix}:engine:job:${jobId}`;
  }

  async enqueue(job: StepJob): Promise<void> {
    if (this.closing) throw new Error("The execution backend is closed");
    const nodeId = await this.chooseNode();
    try {
      await this.place(job, nodeId, job.delayMs ?? 0, false);
    } finally {
      this.holdAssignment(nodeId, -1);
    }
  }

  /** Adds the job to the node's queue (or the shared one); `moving` skips the duplicate check. */
  private async place(job: StoredStepJob, nodeId: string | null, delayMs: number, moving: boolean): Promise<void> {
    const id = stepJobId(job);
    const queueName = nodeId ? nodeQueueName(nodeId) : STEP_QUEUE;
    const markerTtl = MARKER_TTL_MS + delayMs;
    let claim: number;
    if (moving) {
      const batch = this.redis.multi().set(this.markerKey(id), queueName, "PX", markerTtl);
      if (nodeId) batch.hincrby(this.loadKey, nodeId, 1);
      await batch.exec();
      claim = 1;
    } else {
      claim = Number(await this.redis.eval(CLAIM_LUA, 2, this.markerKey(id), this.loadKey, `${this.prefix}:`, id, queueName, markerTtl, nodeId ?? ""));
    }
    if (claim === 0) return;
    const queue = this.queue(queueName);
    if (claim === 2) await queue.remove(id);
    await queue.add(JOB_NAME, toStored(job), this.jobOptions(id, job.priority, delayMs));
  }

  private jobOptions(jobId: string, priority: number, delayMs: number): JobsOptions {
    return {
      jobId,
      priority: toBullPriority(priority),
      delay: delayMs > 0 ? delayMs : undefined,
      attempts: this.retry.attempts,
      backoff: { type: "exponential", delay: this.retry.backoffMs },
      removeOnComplete: true,
      removeOnFail: { age: FAILED_RETENTION_SECONDS },
    };
  }

  private queue(name: string): Queue<StoredStepJob> {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue<StoredStepJob>(name, { connection: this.redis, prefix: this.prefix });
      queue.on("error", (error) => logger.warn("engine.queue_error", { queue: name, error: error.message }));
      this.queues.set(name, queue);
    }
    return queue;
  }

  // ------------------------------------------------------------------ routing

  /**
   * The node to queue the next job for, or null for the shared queue. The choice is
   * held (counted locally) until the caller releases it with holdAssignment(id, -1).
   */
  private async chooseNode(excluded?: string): Promise<string | null> {
    if (!this.chooser.routes) return null;
    let nodes = await this.activeNodes();
    if (excluded) nodes = nodes.filter((node) => node.id !== excluded);
    if (nodes.length === 0) return null;
    if (this.chooser.strategy === "least-connections") {
      const counts = await this.redis.hgetall(this.loadKey);
      nodes = nodes.map((node) => ({ ...node, load: Number(counts[node.id] ?? 0) + (this.pendingAssignments.get(node.id) ?? 0) }));
    }
    const chosen = this.chooser.choose(nodes);
    this.holdAssignment(chosen, 1);
    return chosen;
  }

  private holdAssignment(nodeId: string | null, change: number): void {
    if (!nodeId) return;
    const held = (this.pendingAssignments.get(nodeId) ?? 0) + change;
    if (held > 0) this.pendingAssignments.set(nodeId, held);
    else this.pendingAssignments.delete(nodeId);
  }

  /** ACTIVE nodes, reused for a moment so enqueue stays cheap. */
  private async activeNodes(): Promise<NodeLoad[]> {
    if (!this.registry) return [];
    const now = Date.now();
    if (!this.nodeList || this.nodeList.expiresAt <= now) {
      this.nodeList = { expiresAt: now + this.nodeListCacheMs, nodes: this.registry.activeNodes() };
    }
    try {
      return await this.nodeList.nodes;
    } catch (error) {
      this.nodeList = undefined;
      logger.warn("engine.node_list_failed", { error });
      return [];
    }
  }

  /**
   * Hands a lost node's queue over: its waiting, delayed and orphaned active jobs go to
   * another node (per strategy) or the shared queue, then the dead queue is removed.
   * A node swept while in fact alive (a long pause) may then see its active jobs run
   * elsewhere too: being LOST is taken as being dead.
   */
  async rehome(lostNodeId: string): Promise<void> {
    await this.rehomeNode(lostNodeId);
  }

  /** rehome(), answering how many jobs moved. */
  async rehomeNode(lostNodeId: string): Promise<number> {
    const deadName = nodeQueueName(lostNodeId);
    const dead = this.queue(deadName);
    this.nodeList = undefined;
    const now = Date.now();
    const delayed = await dead.getJobs(["delayed"]);
    const ready = await dead.getJobs(["active", "waiting", "prioritized"]);
    const moves = [
      ...delayed.map((bullJob) => ({ bullJob, delayMs: Math.max(0, bullJob.timestamp + bullJob.delay - now) })),
      ...ready.map((bullJob) => ({ bullJob, delayMs: 0 })),
    ];
    let moved = 0;
    for (const { bullJob, delayMs } of moves) {
      const parsed = storedStepJob.safeParse(bullJob.data);
      if (!parsed.success) continue;
      const nodeId = await this.chooseNode(lostNodeId);
      try {
        await this.place(parsed.data, nodeId, delayMs, true);
      } finally {
        this.holdAssignment(nodeId, -1);
      }
      moved += 1;
    }
    await dead.obliterate({ force: true });
    await dead.close();
    this.queues.delete(deadName);
    await this.redis.hdel(this.loadKey, lostNodeId);
    if (moved > 0) logger.warn("engine.node_rehomed", { nodeId: lostNodeId, jobs: moved });
    return moved;
  }

  // ------------------------------------------------------------------ consuming

  async consume(handler: JobHandler, options: ConsumeOptions): Promise<void> {
    if (this.handler) throw new Error("This backend is already consuming");
    if (this.closing) throw new Error("The execution backend is closed");
    this.handler = handler;
    this.nodeId = options.nodeId;
    const concurrency = Math.max(1, options.concurrency);
    this.slots = new Slots(concurrency);
    const names = this.chooser.routes ? [nodeQueueName(options.nodeId), STEP_QUEUE] : [STEP_QUEUE];
    for (const name of names) {
      const worker = new Worker<StoredStepJob>(name, (job, token) => this.process(job, token), {
        connection: { url: this.redisUrl, maxRetriesPerRequest: null },
        prefix: this.prefix,
        concurrency,
        ...this.workerSettings,
      });
      worker.on("error", (error) => logger.warn("engine.worker_error", { queue: name, error: error.message }));
      // `failed` follows BullMQ's own bookkeeping, so the job is already out of the way
      // when the engine hears of it (and may queue the step attempt again).
      worker.on("failed", (bullJob, error) => {
        if (bullJob?.finishedOn) this.deadLetter(bullJob, error);
      });
      this.workers.push(worker);
    }
    // A consuming node hears every cancel broadcast after this returns.
    await Promise.all([this.subscribed, ...this.workers.map((worker) => worker.waitUntilReady())]);
  }

  private async process(bullJob: Job<StoredStepJob>, token: string | undefined): Promise<void> {
    const handler = this.handler;
    const slots = this.slots;
    if (!handler || !slots) throw new Error("The backend is not consuming");
    const job = storedStepJob.parse(bullJob.data);
    if (!(await slots.acquire())) {
      // Shutting down before the job started: hand it back without spending an attempt.
      await bullJob.moveToWait(token);
      throw new WaitingError();
    }
    // Node-queue jobs were counted when they were assigned; shared ones count while they run here.
    const countedNow = bullJob.queueName === STEP_QUEUE && this.chooser.routes;
    try {
      if (countedNow) await this.bestEffort(this.redis.hincrby(this.loadKey, this.nodeId, 1));
      this.active += 1;
      try {
        await handler(job, { nodeId: this.nodeId, deliveries: bullJob.attemptsStarted });
      } finally {
        this.active -= 1;
      }
      await this.settle(bullJob, countedNow, "completed");
    } catch (thrown) {
      const error = asError(thrown);
      const attempts = bullJob.attemptsMade + 1;
      const final = attempts >= (bullJob.opts.attempts ?? 1);
      await this.settle(bullJob, countedNow, final ? "failed" : "retrying");
      if (!final) logger.warn("engine.job_retry", { jobId: bullJob.id, attempts, error: error.message });
      throw error;
    } finally {
      slots.release();
    }
  }

  /** Hands a job that failed past its attempts to the engine; close() waits for it. */
  private deadLetter(bullJob: Job<StoredStepJob>, error: Error): void {
    const parsed = storedStepJob.safeParse(bullJob.data);
    if (!parsed.success) return;
    const recording = Promise.resolve()
      .then(() => this.onDeadLetter(parsed.data, error, bullJob.attemptsMade))
      .catch((failure: unknown) => logger.error("engine.dead_letter_failed", { jobId: bullJob.id, error: failure }))
      .finally(() => this.deadLettering.delete(recording));
    this.deadLettering.add(recording);
  }

  /** Releases the job's marker (when done) and its share of the node's load. */
  private async settle(bullJob: Job<StoredStepJob>, countedNow: boolean, outcome: "completed" | "failed" | "retrying"): Promise<void> {
    const leavesNodeQueue = bullJob.queueName !== STEP_QUEUE && outcome !== "retrying";
    const batch = this.redis.multi();
    if (outcome === "completed" && bullJob.id) batch.del(this.markerKey(bullJob.id));
    if (countedNow || leavesNodeQueue) batch.hincrby(this.loadKey, this.nodeId, -1);
    if (batch.length > 0) await this.bestEffort(batch.exec());
  }

  /** Bookkeeping must never fail a step; after a forced close the connection is gone. */
  private async bestEffort(operation: Promise<unknown>): Promise<void> {
    try {
      await operation;
    } catch (error) {
      if (!this.closing) logger.warn("engine.queue_bookkeeping_failed", { error: asError(error).message });
    }
  }

  async hasJob(job: Pick<StepJob, "stepRunId" | "attempt">): Promise<boolean> {
    const id = stepJobId(job);
    const queues = new Set([STEP_QUEUE]);
    if (this.handler && this.chooser.routes) queues.add(nodeQueueName(this.nodeId));
    for (const node of await this.activeNodes()) queues.add(nodeQueueName(node.id));
    const live = await this.redis.eval(HAS_JOB_LUA, 1, this.markerKey(id), `${this.prefix}:`, id, ...queues);
    return Number(live) === 1;
  }

  // ------------------------------------------------------------------ cancel

  async broadcastCancel(runId: string): Promise<void> {
    await this.redis.publish(this.cancelChannel, runId);
  }

  onCancel(listener: (runId: string) => void): () => void {
    this.cancelListeners.add(listener);
    return () => void this.cancelListeners.delete(listener);
  }

  private notifyCancel(runId: string): void {
    for (const listener of this.cancelListeners) {
      try {
        listener(runId);
      } catch (error) {
        logger.error("engine.cancel_listener_failed", { runId, error });
      }
    }
  }

  // ------------------------------------------------------------------ lifecycle

  activeCount(): number {
    return this.active;
  }

  close(options: { drain?: boolean } = {}): Promise<void> {
    this.closing ??= this.shutDown(options.drain ?? false);
    return this.closing;
  }

  private async shutDown(drain: boolean): Promise<void> {
    this.slots?.close();
    // With drain, close() waits for the active jobs; without, they are left to the stalled-job check.
    await Promise.all(this.workers.map((worker) => worker.close(!drain)));
    await Promise.all(this.deadLettering);
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
    this.queues.clear();
    await Promise.all([quit(this.subscriber), quit(this.redis)]);
  }
}

function toStored(job: StoredStepJob): StoredStepJob {
  return { stepRunId: job.stepRunId, runId: job.runId, teamId: job.teamId, attempt: job.attempt, priority: job.priority };
}

async function quit(redis: Redis): Promise<void> {
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
