// One contract, both backends: the embedded queue and BullMQ on a real Redis. The BullMQ
// half runs in the PostgreSQL + Redis pass (REDIS_URL set), which .ci/run always runs and
// fails when Redis is missing; on a machine with only Node, the embedded half runs.
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { deleteRedisKeys } from "../testing/redis.ts";
import type { DeadLetterHandler, ExecutionBackend, JobContext, StepJob } from "../types.ts";
import { createBackend } from "./index.ts";

const REDIS_URL = process.env.REDIS_URL ?? "";
const FILE_PREFIX = `maestro-test-contract-${randomBytes(4).toString("hex")}`;
const FAST_RETRY = { attempts: 3, backoffMs: 10 };
const WAIT = { timeout: 15_000, interval: 10 };

let namespaces = 0;
const opened: ExecutionBackend[] = [];
const cleanups: (() => void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  await Promise.all(opened.splice(0).map((backend) => backend.close({ drain: false })));
});

afterAll(async () => {
  if (REDIS_URL) await deleteRedisKeys(REDIS_URL, FILE_PREFIX);
});

interface Kind {
  name: "in-process" | "bullmq";
  /** Opens a backend on a fresh namespace; `peer` opens another node on the same one (BullMQ only). */
  open(onDeadLetter?: DeadLetterHandler): { backend: ExecutionBackend; peer: () => ExecutionBackend };
}

const ignoreDeadLetter: DeadLetterHandler = async () => undefined;

function track<T extends ExecutionBackend>(backend: T): T {
  opened.push(backend);
  return backend;
}

const kinds: Kind[] = [
  {
    name: "in-process",
    open: (onDeadLetter = ignoreDeadLetter) => {
      const backend = track(createBackend({ kind: "in-process", retry: FAST_RETRY }, onDeadLetter));
      return { backend, peer: () => backend };
    },
  },
  {
    name: "bullmq",
    open: (onDeadLetter = ignoreDeadLetter) => {
      const prefix = `${FILE_PREFIX}-${++namespaces}`;
      const make = () => track(createBackend({ kind: "bullmq", redisUrl: REDIS_URL, prefix, retry: FAST_RETRY }, onDeadLetter));
      return { backend: make(), peer: make };
    },
  },
];

function stepJob(overrides: Partial<StepJob> = {}): StepJob {
  return { stepRunId: `step-${randomBytes(5).toString("hex")}`, runId: "run-1", teamId: "team-1", attempt: 1, priority: 0, ...overrides };
}

/** A promise the test resolves when it chooses; released automatically after each test. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = () => undefined as void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  cleanups.push(open);
  return { opened, open };
}

interface Delivery {
  job: StepJob;
  context: JobContext;
}

describe.each(kinds.filter((k) => k.name === "in-process" || REDIS_URL))("$name execution backend", (kind) => {
  it("hands queued jobs to the handler with the node and delivery count", async () => {
    const { backend } = kind.open();
    const received: Delivery[] = [];
    const job = stepJob({ priority: 7 });
    await backend.enqueue(job);
    await backend.consume(async (delivered, context) => void received.push({ job: delivered, context }), { nodeId: "node-a", concurrency: 2 });
    await vi.waitFor(() => expect(received).toHaveLength(1), WAIT);
    expect(received[0].job).toMatchObject({ stepRunId: job.stepRunId, runId: "run-1", teamId: "team-1", attempt: 1, priority: 7 });
    expect(received[0].context).toEqual({ nodeId: "node-a", deliveries: 1 });
  });

  it("queues the same step attempt once while it waits", async () => {
    const { backend } = kind.open();
    const seen: string[] = [];
    const job = stepJob({ priority: 5 });
    const sentinel = stepJob({ priority: 1 });
    await backend.enqueue(job);
    await backend.enqueue({ ...job });
    await backend.enqueue({ ...job, attempt: 2 });
    await backend.enqueue(sentinel);
    await backend.consume(async (delivered) => void seen.push(`${delivered.stepRunId}.${delivered.attempt}`), { nodeId: "n", concurrency: 1 });
    await vi.waitFor(() => expect(seen).toContain(`${sentinel.stepRunId}.1`), WAIT);
    // The sentinel has the lowest priority: any duplicate would have run before it.
    expect(seen).toEqual([`${job.stepRunId}.1`, `${job.stepRunId}.2`, `${sentinel.stepRunId}.1`]);
  });

  it("queues the same step attempt once while it runs, and again once it is done", async () => {
    const { backend } = kind.open();
    const seen: string[] = [];
    const release = gate();
    const job = stepJob();
    await backend.consume(
      async (delivered) => {
        seen.push(delivered.stepRunId);
        if (delivered.stepRunId === job.stepRunId && seen.length === 1) await release.opened;
      },
      { nodeId: "n", concurrency: 1 },
    );
    await backend.enqueue(job);
    await vi.waitFor(() => expect(seen).toEqual([job.stepRunId]), WAIT);
    await backend.enqueue(job);
    const sentinel = stepJob();
    await backend.enqueue(sentinel);
    release.open();
    await vi.waitFor(() => expect(seen).toContain(sentinel.stepRunId), WAIT);
    expect(seen).toEqual([job.stepRunId, sentinel.stepRunId]);
    await vi.waitFor(async () => expect(await backend.hasJob(job)).toBe(false), WAIT);
    await backend.enqueue(job);
    await vi.waitFor(() => expect(seen).toEqual([job.stepRunId, sentinel.stepRunId, job.stepRunId]), WAIT);
  });

  it("holds a delayed job back while later jobs run", async () => {
    const { backend } = kind.open();
    const seen: string[] = [];
    const delayed = stepJob({ priority: 9, delayMs: 400 });
    const immediate = stepJob({ priority: 0 });
    await backend.enqueue(delayed);
    await backend.enqueue(immediate);
    expect(await backend.hasJob(delayed)).toBe(true);
    await backend.consume(async (delivered) => void seen.push(delivered.stepRunId), { nodeId: "n", concurrency: 1 });
    await vi.waitFor(() => expect(seen).toHaveLength(2), WAIT);
    expect(seen).toEqual([immediate.stepRunId, delayed.stepRunId]);
  });

  it("runs waiting jobs by priority, higher first, first in first out among equals", async () => {
    const { backend } = kind.open();
    const seen: string[] = [];
    const release = gate();
    const blocker = stepJob({ priority: 0 });
    await backend.consume(
      async (delivered) => {
        seen.push(delivered.stepRunId);
        if (delivered.stepRunId === blocker.stepRunId) await release.opened;
      },
      { nodeId: "n", concurrency: 1 },
    );
    await backend.enqueue(blocker);
    await vi.waitFor(() => expect(seen).toEqual([blocker.stepRunId]), WAIT);
    const low = stepJob({ priority: 1 });
    const firstHigh = stepJob({ priority: 5 });
    const middle = stepJob({ priority: 3 });
    const secondHigh = stepJob({ priority: 5 });
    const negative = stepJob({ priority: -2 });
    for (const job of [low, firstHigh, negative, middle, secondHigh]) await backend.enqueue(job);
    release.open();
    await vi.waitFor(() => expect(seen).toHaveLength(6), WAIT);
    expect(seen.slice(1)).toEqual([firstHigh, secondHigh, middle, low, negative].map((job) => job.stepRunId));
  });

  it("never runs more jobs at once than the concurrency", async () => {
    const { backend } = kind.open();
    let running = 0;
    let peak = 0;
    let peakReported = 0;
    let done = 0;
    await backend.consume(
      async () => {
        running += 1;
        peak = Math.max(peak, running);
        peakReported = Math.max(peakReported, backend.activeCount());
        await new Promise((resolve) => setTimeout(resolve, 30));
        running -= 1;
        done += 1;
      },
      { nodeId: "n", concurrency: 2 },
    );
    for (let i = 0; i < 6; i += 1) await backend.enqueue(stepJob());
    await vi.waitFor(() => expect(done).toBe(6), WAIT);
    expect(peak).toBe(2);
    expect(peakReported).toBe(2);
    expect(backend.activeCount()).toBe(0);
  });

  it("knows a job while it waits and runs, and forgets it once it completed", async () => {
    const { backend } = kind.open();
    const release = gate();
    const job = stepJob();
    const other = stepJob({ attempt: 2 });
    let activeSeen: boolean | undefined;
    await backend.enqueue(job);
    expect(await backend.hasJob(job)).toBe(true);
    expect(await backend.hasJob({ stepRunId: job.stepRunId, attempt: 2 })).toBe(false);
    expect(await backend.hasJob(other)).toBe(false);
    await backend.consume(
      async (delivered) => {
        activeSeen = await backend.hasJob(delivered);
        await release.opened;
      },
      { nodeId: "n", concurrency: 1 },
    );
    await vi.waitFor(() => expect(activeSeen).toBe(true), WAIT);
    expect(backend.activeCount()).toBe(1);
    release.open();
    await vi.waitFor(async () => expect(await backend.hasJob(job)).toBe(false), WAIT);
  });

  it("retries a throwing handler with backoff, then dead-letters the job with the attempt count", async () => {
    const deadLetters: { job: StepJob; error: Error; attempts: number }[] = [];
    const { backend } = kind.open(async (job, error, attempts) => void deadLetters.push({ job, error, attempts }));
    const deliveries: number[] = [];
    const job = stepJob();
    await backend.consume(
      async (_job, context) => {
        deliveries.push(context.deliveries);
        throw new Error(`database unreachable (${context.deliveries})`);
      },
      { nodeId: "n", concurrency: 1 },
    );
    await backend.enqueue(job);
    await vi.waitFor(() => expect(deadLetters).toHaveLength(1), WAIT);
    expect(deliveries).toEqual([1, 2, 3]);
    expect(deadLetters[0].job).toMatchObject({ stepRunId: job.stepRunId, attempt: 1 });
    expect(deadLetters[0].error.message).toBe("database unreachable (3)");
    expect(deadLetters[0].attempts).toBe(3);
    await vi.waitFor(async () => expect(await backend.hasJob(job)).toBe(false), WAIT);
  });

  it("queues a dead-lettered step attempt again when it is retried", async () => {
    const deadLetters: StepJob[] = [];
    const { backend } = kind.open(async (job) => void deadLetters.push(job));
    let failing = true;
    const completed: string[] = [];
    await backend.consume(
      async (delivered) => {
        if (failing) throw new Error("worker crashed");
        completed.push(delivered.stepRunId);
      },
      { nodeId: "n", concurrency: 1 },
    );
    const job = stepJob();
    await backend.enqueue(job);
    await vi.waitFor(() => expect(deadLetters).toHaveLength(1), WAIT);
    failing = false;
    await backend.enqueue(job);
    await vi.waitFor(() => expect(completed).toEqual([job.stepRunId]), WAIT);
  });

  it("broadcasts a cancel to every node's listeners", async () => {
    const { backend, peer } = kind.open();
    const nodes = kind.name === "bullmq" ? [backend, peer()] : [backend];
    const heard = nodes.map(() => [] as string[]);
    const alsoHeard: string[] = [];
    const unsubscribe = nodes.map((node, i) => node.onCancel((runId) => heard[i].push(runId)));
    backend.onCancel((runId) => alsoHeard.push(runId));
    await Promise.all(nodes.map((node, i) => node.consume(async () => undefined, { nodeId: `node-${i}`, concurrency: 1 })));
    await nodes[nodes.length - 1].broadcastCancel("run-7");
    await vi.waitFor(() => heard.forEach((runIds) => expect(runIds).toEqual(["run-7"])), WAIT);
    unsubscribe[0]();
    await backend.broadcastCancel("run-8");
    await vi.waitFor(() => expect(alsoHeard).toEqual(["run-7", "run-8"]), WAIT);
    // Listeners of one node are called in order for each message: the unsubscribed one heard nothing more.
    expect(heard[0]).toEqual(["run-7"]);
  });

  it("with drain, close waits for the running job", async () => {
    const { backend } = kind.open();
    let started = false;
    let finished = false;
    await backend.consume(
      async () => {
        started = true;
        await new Promise((resolve) => setTimeout(resolve, 100));
        finished = true;
      },
      { nodeId: "n", concurrency: 1 },
    );
    await backend.enqueue(stepJob());
    await vi.waitFor(() => expect(started).toBe(true), WAIT);
    await backend.close({ drain: true });
    expect(finished).toBe(true);
    expect(backend.activeCount()).toBe(0);
  });

  it("without drain, close returns while a job still runs, and takes no more jobs", async () => {
    const { backend } = kind.open();
    const release = gate();
    let started = 0;
    let finished = false;
    await backend.consume(
      async () => {
        started += 1;
        await release.opened;
        finished = true;
      },
      { nodeId: "n", concurrency: 1 },
    );
    await backend.enqueue(stepJob());
    await vi.waitFor(() => expect(started).toBe(1), WAIT);
    await backend.close({ drain: false });
    expect(finished).toBe(false);
    await expect(backend.enqueue(stepJob())).rejects.toThrow(/closed/);
    release.open();
    await vi.waitFor(() => expect(finished).toBe(true), WAIT);
    expect(started).toBe(1);
  });
});
