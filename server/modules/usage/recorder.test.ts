// The batched usage writer: against the real database for what lands in the ledger,
// and against a stand-in client where a write must fail on cue.
import { afterEach, describe, expect, it, vi } from "vitest";
import { withFixtures } from "../../test/fixtures.ts";
import type { Db } from "../../db/client.ts";
import type { UsageEvent } from "../../llm/gateway-types.ts";
import { logger } from "../../logger.ts";
import { BatchedUsageSink, USAGE_INSERT_COLUMNS, flushUsage, registerUsageSink, registeredUsageSink } from "./recorder.ts";

const f = withFixtures();

function event(over: Partial<UsageEvent> = {}): UsageEvent {
  return {
    teamId: f.team.id,
    userId: f.users.operator.id,
    providerName: "openai",
    providerKind: "openai",
    model: "gpt-4o",
    operation: "chat",
    usage: { inputTokens: 10, outputTokens: 20, cachedInputTokens: 5 },
    costNano: 1_234,
    latencyMs: 42,
    cacheHit: false,
    outcome: "ok",
    createdAt: new Date("2026-11-20T10:00:00Z"),
    ...over,
  };
}

/** The rows an INSERT carried, rebuilt from its column arrays. */
function rowsOf(values: unknown[]): ({ id: string } & Record<string, unknown>)[] {
  const columns = values as unknown[][];
  return columns[0]!.map((_, i) =>
    Object.fromEntries(USAGE_INSERT_COLUMNS.map((name, c) => [name, name === "costNano" ? BigInt(columns[c]![i] as string) : columns[c]![i]])),
  ) as ({ id: string } & Record<string, unknown>)[];
}

/** A client whose INSERT fails while `failing` is set, and remembers every batch written (by row id, the first column). */
function fakeDb() {
  const state = { failing: false, batches: [] as { id: string }[][], calls: 0 };
  const db = {
    $executeRaw: vi.fn(async (_sql: TemplateStringsArray, ...values: unknown[]) => {
      state.calls++;
      if (state.failing) throw new Error("connection refused");
      const data = rowsOf(values);
      state.batches.push(data);
      return data.length;
    }),
  } as unknown as Db;
  return { db, state, written: () => state.batches.flat() };
}

const sinks: BatchedUsageSink[] = [];
function sink(db: Db | (() => Promise<Db>), options = {}) {
  const s = new BatchedUsageSink(db, { intervalMs: 3_600_000, ...options });
  sinks.push(s);
  return s;
}

afterEach(async () => {
  vi.restoreAllMocks();
  registerUsageSink(undefined);
  for (const s of sinks.splice(0)) await s.close().catch(() => {});
});

describe("BatchedUsageSink", () => {
  it("buffers records and writes them with flush, as ledger rows", async () => {
    const s = sink(() => Promise.resolve(f.db));
    s.record(event({ apiKeyId: "key-1", runId: "run-1", stepId: "step-1", providerId: "prov-1" }));
    s.record(event({ outcome: "error", errorKind: "timeout", errorMessage: "took too long", costNano: 0, cacheHit: true }));
    expect(s.pending).toBe(2);
    expect(await f.db.usageRecord.count()).toBe(0);
    await s.flush();
    expect(s.pending).toBe(0);
    const rows = await f.db.usageRecord.findMany({ orderBy: { outcome: "desc" } });
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      teamId: f.team.id,
      userId: f.users.operator.id,
      apiKeyId: "key-1",
      runId: "run-1",
      stepId: "step-1",
      providerId: "prov-1",
      providerName: "openai",
      model: "gpt-4o",
      inputTokens: 10,
      outputTokens: 20,
      cachedInputTokens: 5,
      costNano: 1_234n,
      latencyMs: 42,
      outcome: "ok",
      createdAt: new Date("2026-11-20T10:00:00Z"),
    });
    expect(rows[1]).toMatchObject({ outcome: "error", errorKind: "timeout", errorMessage: "took too long", cacheHit: true, costNano: 0n });
    await f.db.usageRecord.deleteMany();
  });

  it("writes on its own every intervalMs", async () => {
    const { db, written } = fakeDb();
    const s = sink(db, { intervalMs: 20 });
    s.record(event());
    await vi.waitFor(() => expect(written()).toHaveLength(1), { timeout: 2_000, interval: 10 });
  });

  it("writes as soon as maxBatch rows wait, in batches of at most maxBatch", async () => {
    const { db, state, written } = fakeDb();
    const s = sink(db, { maxBatch: 3 });
    s.record(event());
    s.record(event());
    expect(state.calls).toBe(0);
    s.record(event());
    await vi.waitFor(() => expect(written()).toHaveLength(3), { timeout: 2_000, interval: 5 });
    for (let i = 0; i < 7; i++) s.record(event());
    await s.flush();
    expect(written()).toHaveLength(10);
    expect(Math.max(...state.batches.map((b) => b.length))).toBeLessThanOrEqual(3);
    expect(new Set(written().map((r) => r.id)).size).toBe(10);
  });

  it("flush waits for everything recorded before it, including a write already under way", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { db, written } = fakeDb();
    const slow = { $executeRaw: vi.fn(async (sql: TemplateStringsArray, ...values: unknown[]) => (await gate, db.$executeRaw(sql, ...values))) } as unknown as Db;
    const s = sink(slow, { maxBatch: 2 });
    s.record(event());
    s.record(event()); // starts a write that waits on the gate
    s.record(event());
    let done = false;
    const flushed = s.flush().then(() => (done = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    release();
    await flushed;
    expect(written()).toHaveLength(3);
  });

  it("keeps rows whose write failed and writes them, once, on the next flush", async () => {
    const { db, state, written } = fakeDb();
    const errors = vi.spyOn(logger, "error").mockImplementation(() => {});
    const s = sink(db);
    s.record(event());
    s.record(event());
    state.failing = true;
    await expect(s.flush()).rejects.toThrow(/connection refused/);
    expect(s.pending).toBe(2);
    await expect(s.flush()).rejects.toThrow();
    expect(errors.mock.calls.filter(([name]) => name === "usage.write.failed")).toHaveLength(1); // once per outage
    s.record(event());
    state.failing = false;
    await s.flush();
    expect(s.pending).toBe(0);
    expect(written()).toHaveLength(3);
    expect(new Set(written().map((r) => r.id)).size).toBe(3);
  });

  it("retries on the timer after a failure", async () => {
    const { db, state, written } = fakeDb();
    vi.spyOn(logger, "error").mockImplementation(() => {});
    state.failing = true;
    const s = sink(db, { intervalMs: 15 });
    s.record(event());
    await vi.waitFor(() => expect(state.calls).toBeGreaterThanOrEqual(2), { timeout: 2_000, interval: 5 });
    state.failing = false;
    await vi.waitFor(() => expect(written()).toHaveLength(1), { timeout: 2_000, interval: 5 });
  });

  it("retries an ambiguous failure against the database without duplicating rows", async () => {
    let calls = 0;
    // The first write reaches the database but its answer is lost.
    const flaky = {
      $executeRaw: async (sql: TemplateStringsArray, ...values: unknown[]) => {
        const result = await f.db.$executeRaw(sql, ...values);
        if (++calls === 1) throw new Error("connection reset");
        return result;
      },
    } as unknown as Db;
    vi.spyOn(logger, "error").mockImplementation(() => {});
    const s = sink(flaky);
    s.record(event({ operation: "ambiguous" }));
    s.record(event({ operation: "ambiguous" }));
    await expect(s.flush()).rejects.toThrow(/connection reset/);
    await s.flush();
    expect(await f.db.usageRecord.count({ where: { operation: "ambiguous" } })).toBe(2);
  });

  it("bounds the buffer while writes fail, and logs how many records it dropped", async () => {
    const { db, state, written } = fakeDb();
    const errors = vi.spyOn(logger, "error").mockImplementation(() => {});
    state.failing = true;
    const s = sink(db, { maxBatch: 2, maxBuffered: 5 });
    for (let i = 0; i < 8; i++) s.record(event({ operation: `op${i}` }));
    await s.flush().catch(() => {});
    expect(s.pending).toBe(5);
    const overflow = errors.mock.calls.filter(([name]) => name === "usage.buffer.overflow");
    expect(overflow.reduce((n, [, fields]) => n + (fields as { dropped: number }).dropped, 0)).toBe(3);
    state.failing = false;
    await s.flush();
    expect(written().map((r) => (r as unknown as { operation: string }).operation)).toEqual(["op0", "op1", "op2", "op3", "op4"]);
  });

  it("never throws from record, whatever the event holds", async () => {
    const { db, written } = fakeDb();
    const errors = vi.spyOn(logger, "error").mockImplementation(() => {});
    const s = sink(db);
    expect(() =>
      s.record(event({ costNano: Number.NaN, latencyMs: Infinity, usage: { inputTokens: -5, outputTokens: 1e12, cachedInputTokens: Number.NaN }, createdAt: new Date("nope") })),
    ).not.toThrow();
    expect(() => s.record(null as unknown as UsageEvent)).not.toThrow();
    expect(errors).toHaveBeenCalledWith("usage.record.failed", expect.anything());
    await s.flush();
    expect(written()).toHaveLength(1);
    expect(written()[0]).toMatchObject({ costNano: 0n, latencyMs: 0, inputTokens: 0, outputTokens: 2_147_483_647, cachedInputTokens: 0 });
  });

  it("close writes what waits and stops its timer, which never holds the process open", async () => {
    const { db, written } = fakeDb();
    const s = new BatchedUsageSink(db, { intervalMs: 10 });
    const timer = (s as unknown as { timer: NodeJS.Timeout }).timer;
    expect(timer.hasRef()).toBe(false);
    s.record(event());
    await s.close();
    expect(written()).toHaveLength(1);
    expect((s as unknown as { timer: unknown }).timer).toBeNull();
    // After close a record is still written (no timer: at once).
    s.record(event());
    s.record(event());
    await vi.waitFor(() => expect(written()).toHaveLength(3), { timeout: 2_000, interval: 5 });
  });
});

describe("the process's usage sink", () => {
  it("is registered once per process and flushed for readers; flush failures do not reach them", async () => {
    const { db, state, written } = fakeDb();
    vi.spyOn(logger, "error").mockImplementation(() => {});
    const warn = vi.spyOn(logger, "warn").mockImplementation(() => {});
    await flushUsage(); // nothing registered: nothing to do
    const s = sink(db);
    registerUsageSink(s);
    expect(registeredUsageSink()).toBe(s);
    s.record(event());
    state.failing = true;
    await expect(flushUsage()).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledWith("usage.flush.failed", expect.anything());
    state.failing = false;
    await flushUsage();
    expect(written()).toHaveLength(1);
    registerUsageSink(undefined);
    expect(registeredUsageSink()).toBeNull();
  });
});
