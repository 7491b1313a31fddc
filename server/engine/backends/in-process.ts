// The embedded queue: step jobs wait in memory and run in this process. The engine's
// budget is well under a millisecond per step here, so dispatch is a heap pop and a
// call, batched per microtask — no timer per job, no scan of the queue.
import { logger } from "../../logger.ts";
import type { ConsumeOptions, DeadLetterHandler, ExecutionBackend, JobHandler, StepJob } from "../types.ts";

/** How the queue retries a job whose handler threw (an infrastructure failure). */
export interface QueueRetryOptions {
  /** Deliveries before the job is dead-lettered. */
  attempts: number;
  /** First backoff; doubles with every further failure. */
  backoffMs: number;
}

export const DEFAULT_QUEUE_RETRY: QueueRetryOptions = { attempts: 3, backoffMs: 500 };

/** A job's identity in every queue (BullMQ forbids ':' in custom ids). */
export const stepJobId = (job: Pick<StepJob, "stepRunId" | "attempt">): string => `${job.stepRunId}.${job.attempt}`;

/** Exponential backoff after the `failures`-th failed delivery. */
export const backoffDelayMs = (retry: QueueRetryOptions, failures: number): number => retry.backoffMs * 2 ** (failures - 1);

export const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

interface Entry {
  id: string;
  job: StepJob;
  /** Insertion order: equal priorities run first in, first out. */
  sequence: number;
  deliveries: number;
}

/** A binary min-heap on (priority descending, sequence ascending). */
class JobHeap {
  private readonly items: Entry[] = [];

  get size(): number {
    return this.items.length;
  }

  push(entry: Entry): void {
    const items = this.items;
    items.push(entry);
    let index = items.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(entry, items[parent])) break;
      items[index] = items[parent];
      index = parent;
    }
    items[index] = entry;
  }

  pop(): Entry | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || !last) return top;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && before(items[right], items[left]) ? right : left;
      if (!before(items[child], last)) break;
      items[index] = items[child];
      index = child;
    }
    items[index] = last;
    return top;
  }

  clear(): void {
    this.items.length = 0;
  }
}

const before = (a: Entry, b: Entry): boolean => a.job.priority > b.job.priority || (a.job.priority === b.job.priority && a.sequence < b.sequence);

export interface InProcessBackendOptions {
  retry?: Partial<QueueRetryOptions>;
}

export class InProcessBackend implements ExecutionBackend {
  readonly kind = "in-process" as const;
  private readonly retry: QueueRetryOptions;
  private readonly ready = new JobHeap();
  /** Every job waiting, delayed or running, by id: dedupe and hasJob in O(1). */
  private readonly known = new Map<string, Entry>();
  private readonly running = new Set<Entry>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly cancelListeners = new Set<(runId: string) => void>();
  private readonly idleWaiters: (() => void)[] = [];
  private handler: JobHandler | undefined;
  private nodeId = "";
  private concurrency = 1;
  private active = 0;
  private sequence = 0;
  private dispatchScheduled = false;
  private closed = false;

  constructor(
    private readonly onDeadLetter: DeadLetterHandler,
    options: InProcessBackendOptions = {},
  ) {
    this.retry = { ...DEFAULT_QUEUE_RETRY, ...options.retry };
  }

  async enqueue(job: StepJob): Promise<void> {
    if (this.closed) throw new Error("The execution backend is closed");
    const id = stepJobId(job);
    if (this.known.has(id)) return;
    const entry: Entry = { id, job, sequence: this.sequence++, deliveries: 0 };
    this.known.set(id, entry);
    if (job.delayMs && job.delayMs > 0) this.later(entry, job.delayMs);
    else this.makeReady(entry);
  }

  async consume(handler: JobHandler, options: ConsumeOptions): Promise<void> {
    if (this.handler) throw new Error("This backend is already consuming");
    if (this.closed) throw new Error("The execution backend is closed");
    this.handler = handler;
    this.nodeId = options.nodeId;
    this.concurrency = Math.max(1, options.concurrency);
    this.scheduleDispatch();
  }

  async hasJob(job: Pick<StepJob, "stepRunId" | "attempt">): Promise<boolean> {
    return this.known.has(stepJobId(job));
  }

  async broadcastCancel(runId: string): Promise<void> {
    for (const listener of this.cancelListeners) {
      try {
        listener(runId);
      } catch (error) {
        logger.error("engine.cancel_listener_failed", { runId, error });
      }
    }
  }

  onCancel(listener: (runId: string) => void): () => void {
    this.cancelListeners.add(listener);
    return () => void this.cancelListeners.delete(listener);
  }

  activeCount(): number {
    return this.active;
  }

  async close(options: { drain?: boolean } = {}): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.ready.clear();
    // Waiting jobs are dropped: their rows stay QUEUED and the recovery sweep re-enqueues them.
    for (const [id, entry] of this.known) if (!this.running.has(entry)) this.known.delete(id);
    if (options.drain && this.active > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private makeReady(entry: Entry): void {
    this.ready.push(entry);
    this.scheduleDispatch();
  }

  private later(entry: Entry, delayMs: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.makeReady(entry);
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  /** One dispatch per microtask: a burst of enqueues is ordered by priority before any runs. */
  private scheduleDispatch(): void {
    if (this.dispatchScheduled || !this.handler) return;
    this.dispatchScheduled = true;
    queueMicrotask(() => {
      this.dispatchScheduled = false;
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (!this.closed && this.active < this.concurrency && this.ready.size > 0) {
      const entry = this.ready.pop();
      if (entry) this.run(entry);
    }
  }

  private run(entry: Entry): void {
    const handler = this.handler;
    if (!handler) return;
    this.active += 1;
    this.running.add(entry);
    entry.deliveries += 1;
    let outcome: Promise<void>;
    try {
      outcome = handler(entry.job, { nodeId: this.nodeId, deliveries: entry.deliveries });
    } catch (error) {
      outcome = Promise.reject(error);
    }
    outcome.then(
      () => this.finish(entry),
      (error: unknown) => this.fail(entry, asError(error)),
    );
  }

  private finish(entry: Entry): void {
    this.known.delete(entry.id);
    this.release(entry);
  }

  private fail(entry: Entry, error: Error): void {
    if (entry.deliveries < this.retry.attempts) {
      logger.warn("engine.job_retry", { jobId: entry.id, deliveries: entry.deliveries, error: error.message });
      if (this.closed) this.known.delete(entry.id);
      else this.later(entry, backoffDelayMs(this.retry, entry.deliveries));
      this.release(entry);
      return;
    }
    this.known.delete(entry.id);
    // The slot stays taken until the dead letter is recorded, so a draining close waits for it.
    Promise.resolve()
      .then(() => this.onDeadLetter(entry.job, error, entry.deliveries))
      .catch((failure: unknown) => logger.error("engine.dead_letter_failed", { jobId: entry.id, error: failure }))
      .finally(() => this.release(entry));
  }

  private release(entry: Entry): void {
    this.running.delete(entry);
    this.active -= 1;
    if (this.active === 0 && this.idleWaiters.length > 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    this.dispatch();
  }
}
