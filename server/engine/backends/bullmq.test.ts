// What only the BullMQ backend does: route jobs to nodes' own queues, and hand a lost
// node's queue over. Two consumers with distinct node ids share one Redis, as two
// worker processes would; the nodes are registered in a real database. Runs in the
// PostgreSQL + Redis pass (REDIS_URL set), which .ci/run always runs.
import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/db.ts";
import type { LoadBalancing } from "../load-balancing.ts";
import { NodeRegistry } from "../nodes.ts";
import { deleteRedisKeys } from "../testing/redis.ts";
import type { StepJob } from "../types.ts";
import { BullmqBackend, STEP_QUEUE, nodeQueueName } from "./bullmq.ts";

const REDIS_URL = process.env.REDIS_URL ?? "";
const FILE_PREFIX = `maestro-test-bullmq-${randomBytes(4).toString("hex")}`;
const WAIT = { timeout: 15_000, interval: 10 };

let database: TestDatabase;
let namespaces = 0;
const backends: BullmqBackend[] = [];
const registries: NodeRegistry[] = [];
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  await Promise.all(backends.splice(0).map((backend) => backend.close({ drain: false })));
  // Stopped nodes are no longer candidates for the next test's routing.
  for (const registry of registries.splice(0)) await registry.stop();
});

afterAll(async () => {
  await database.destroy();
  if (REDIS_URL) await deleteRedisKeys(REDIS_URL, FILE_PREFIX);
});

/** Registers nodes named in sorted order (`a` before `b`), each with its own registry. */
async function registerNodes(count: number): Promise<{ ids: string[]; registries: NodeRegistry[] }> {
  const tag = randomBytes(3).toString("hex");
  const ids = Array.from({ length: count }, (_, i) => `node-${String.fromCharCode(97 + i)}-${tag}`);
  const created = ids.map(() => new NodeRegistry({ db: database.prisma }));
  registries.push(...created);
  for (const [i, id] of ids.entries()) await created[i].register({ id, role: "worker", capacity: 2 });
  return { ids, registries: created };
}

function open(prefix: string, strategy: LoadBalancing, nodeListCacheMs = 0): BullmqBackend {
  const registry = new NodeRegistry({ db: database.prisma });
  const backend = new BullmqBackend({ redisUrl: REDIS_URL, prefix, strategy, registry, nodeListCacheMs, retry: { backoffMs: 10 } }, async () => undefined);
  backends.push(backend);
  return backend;
}

const namespace = () => `${FILE_PREFIX}-${++namespaces}`;

function stepJob(overrides: Partial<StepJob> = {}): StepJob {
  return { stepRunId: `step-${randomBytes(5).toString("hex")}`, runId: "run-1", teamId: "team-1", attempt: 1, priority: 0, ...overrides };
}

/** Jobs waiting, delayed or active in one queue, by state. */
async function queued(prefix: string, name: string): Promise<Record<"waiting" | "prioritized" | "delayed" | "active", number>> {
  const queue = new Queue(name, { connection: { url: REDIS_URL }, prefix });
  try {
    const counts = await queue.getJobCounts("waiting", "prioritized", "delayed", "active");
    return { waiting: counts.waiting ?? 0, prioritized: counts.prioritized ?? 0, delayed: counts.delayed ?? 0, active: counts.active ?? 0 };
  } finally {
    await queue.close();
  }
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((sum, n) => sum + n, 0);

function gate(): { opened: Promise<void>; open: () => void } {
  let open = () => undefined as void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  cleanups.push(open);
  return { opened, open };
}

describe.runIf(REDIS_URL)("BullMQ backend routing", () => {
  it("round-robin puts jobs in each ACTIVE node's own queue in turn, and that node runs them", async () => {
    const prefix = namespace();
    const {
      ids: [a, b],
    } = await registerNodes(2);
    const enqueuer = open(prefix, "round-robin");
    const jobs = [stepJob(), stepJob(), stepJob(), stepJob()];
    for (const job of jobs) await enqueuer.enqueue(job);
    expect(total(await queued(prefix, nodeQueueName(a)))).toBe(2);
    expect(total(await queued(prefix, nodeQueueName(b)))).toBe(2);
    expect(total(await queued(prefix, STEP_QUEUE))).toBe(0);
    // Next turn is node a, but jobs[1] already waits in b's queue: it stays queued once.
    await enqueuer.enqueue(jobs[1]);
    expect(total(await queued(prefix, nodeQueueName(a)))).toBe(2);
    expect(total(await queued(prefix, nodeQueueName(b)))).toBe(2);

    const ranOn = new Map<string, string>();
    for (const nodeId of [a, b]) {
      await open(prefix, "round-robin").consume(async (job, context) => void ranOn.set(job.stepRunId, context.nodeId), { nodeId, concurrency: 2 });
    }
    await vi.waitFor(() => expect(ranOn.size).toBe(4), WAIT);
    expect(jobs.map((job) => ranOn.get(job.stepRunId))).toEqual([a, b, a, b]);
  });

  it("least-connections sends each job to the node with the fewest jobs, counting a burst as it goes", async () => {
    const prefix = namespace();
    const {
      ids: [a, b],
    } = await registerNodes(2);
    // The node list is reused, so the burst below reads the counts all at once.
    const enqueuer = open(prefix, "least-connections", 60_000);
    const ranOn = new Map<string, string>();
    const releases = new Map<string, () => void>();
    for (const nodeId of [a, b]) {
      await open(prefix, "least-connections").consume(
        async (job, context) => {
          ranOn.set(job.stepRunId, context.nodeId);
          const release = gate();
          releases.set(job.stepRunId, release.open);
          await release.opened;
        },
        { nodeId, concurrency: 4 },
      );
    }
    const [first, second, third] = [stepJob(), stepJob(), stepJob()];
    await enqueuer.enqueue(first);
    await vi.waitFor(() => expect(ranOn.get(first.stepRunId)).toBe(a), WAIT);
    await enqueuer.enqueue(second);
    await vi.waitFor(() => expect(ranOn.get(second.stepRunId)).toBe(b), WAIT);
    await enqueuer.enqueue(third);
    await vi.waitFor(() => expect(ranOn.get(third.stepRunId)).toBe(a), WAIT);

    // a runs two jobs, b none once its job is done. A burst of three reads the same
    // counts, yet each choice counts the ones before it: b, b, then a on the tie.
    releases.get(second.stepRunId)?.();
    await vi.waitFor(async () => expect(await enqueuer.hasJob(second)).toBe(false), WAIT);
    const burst = [stepJob(), stepJob(), stepJob()];
    await Promise.all(burst.map((job) => enqueuer.enqueue(job)));
    await vi.waitFor(() => expect(burst.map((job) => ranOn.get(job.stepRunId))).toEqual([b, b, a]), WAIT);
  });

  it("falls back to the shared queue when no node is ACTIVE", async () => {
    const prefix = namespace();
    const enqueuer = open(prefix, "round-robin");
    const job = stepJob();
    await enqueuer.enqueue(job);
    expect(total(await queued(prefix, STEP_QUEUE))).toBe(1);
    const ranOn: string[] = [];
    await open(prefix, "round-robin").consume(async (_job, context) => void ranOn.push(context.nodeId), { nodeId: "any-node", concurrency: 1 });
    await vi.waitFor(() => expect(ranOn).toEqual(["any-node"]), WAIT);
  });

  it("rehomes a lost node's waiting and delayed jobs to a live node and removes the dead queue", async () => {
    const prefix = namespace();
    const {
      ids: [lost],
      registries: [lostRegistry],
    } = await registerNodes(1);
    const enqueuer = open(prefix, "round-robin");
    const waiting = [stepJob({ priority: 2 }), stepJob()];
    const delayed = stepJob({ delayMs: 60_000 });
    for (const job of [...waiting, delayed]) await enqueuer.enqueue(job);
    expect(await queued(prefix, nodeQueueName(lost))).toMatchObject({ delayed: 1 });
    expect(total(await queued(prefix, nodeQueueName(lost)))).toBe(3);

    const {
      ids: [live],
    } = await registerNodes(1);
    await database.prisma.workerNode.update({ where: { id: lost }, data: { lastBeatAt: new Date(Date.now() - 60_000) } });
    expect(await lostRegistry.sweepLost(10_000)).toEqual([lost]);
    expect(await enqueuer.rehomeNode(lost)).toBe(3);

    expect(total(await queued(prefix, nodeQueueName(lost)))).toBe(0);
    expect(await queued(prefix, nodeQueueName(live))).toMatchObject({ delayed: 1 });
    expect(total(await queued(prefix, nodeQueueName(live)))).toBe(3);
    for (const job of [...waiting, delayed]) expect(await enqueuer.hasJob(job)).toBe(true);
    // The moved jobs are still known where they now wait: enqueuing again adds nothing.
    await enqueuer.enqueue(waiting[0]);
    expect(total(await queued(prefix, nodeQueueName(live)))).toBe(3);

    const ran: string[] = [];
    await open(prefix, "round-robin").consume(async (job, context) => void ran.push(`${job.stepRunId}@${context.nodeId}`), { nodeId: live, concurrency: 1 });
    await vi.waitFor(() => expect(ran).toHaveLength(2), WAIT);
    expect(ran).toEqual(waiting.map((job) => `${job.stepRunId}@${live}`));
    expect(await enqueuer.hasJob(delayed)).toBe(true);
  });
});
