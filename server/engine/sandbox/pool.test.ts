import { afterEach, describe, expect, it, vi } from "vitest";
import { isSandboxError } from "./errors.ts";
import { MAX_LOG_LINE_CHARS, MAX_LOG_LINES, MAX_OUTPUT_BYTES, MAX_STACK_BYTES, THREAD_STACK_MB } from "./limits.ts";
import { SandboxPool, type SandboxJob } from "./pool.ts";

const pools: SandboxPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.shutdown()));
});

function newPool(size: number, workerUrl = new URL("./worker.mjs", import.meta.url)): SandboxPool {
  const pool = new SandboxPool({
    size,
    workerUrl,
    threadConfig: {
      maxOutputBytes: MAX_OUTPUT_BYTES,
      maxLogLines: MAX_LOG_LINES,
      maxLogLineChars: MAX_LOG_LINE_CHARS,
      maxStackBytes: MAX_STACK_BYTES,
      maxMemoryBytes: 64 * 1024 * 1024,
    },
    graceMs: 1_000,
    stackSizeMb: THREAD_STACK_MB,
  });
  pools.push(pool);
  return pool;
}

const job = (source: string, input: unknown = null): SandboxJob => ({
  mode: "code",
  source,
  inputJson: JSON.stringify(input),
  timeoutMs: 5_000,
  memoryBytes: 32 * 1024 * 1024,
});

describe("SandboxPool", () => {
  it("starts no thread before the first call and never more than its size", async () => {
    const pool = newPool(1);
    expect(pool.threadCount).toBe(0);
    const calls = Array.from({ length: 5 }, (_, i) => pool.run(job("return input * 3", i)));
    expect(pool.threadCount).toBe(1);
    const replies = await Promise.all(calls);
    expect(replies.map((reply) => (reply.ok ? JSON.parse(reply.valueJson) : reply.message))).toEqual([0, 3, 6, 9, 12]);
    expect(pool.threadCount).toBe(1);
  });

  it("answers the code's own failures as replies, not rejections", async () => {
    const reply = await newPool(1).run(job("throw new Error('nope')"));
    expect(reply).toMatchObject({ ok: false, kind: "runtime", message: "Code threw at line 1: Error: nope" });
  });

  it("fails waiting calls with a plain (retryable) error when a thread cannot start, without respawning forever", async () => {
    const pool = newPool(2, new URL("./no-such-worker.mjs", import.meta.url));
    const outcomes = await Promise.allSettled([pool.run(job("return 1")), pool.run(job("return 2"))]);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe("rejected");
      const reason = (outcome as PromiseRejectedResult).reason as Error;
      expect(isSandboxError(reason)).toBe(false);
      expect(reason.message).toMatch(/could not start/);
    }
    await vi.waitFor(() => expect(pool.threadCount).toBe(0));
  });

  it("cancels running and queued calls on shutdown, then starts again on demand", async () => {
    const pool = newPool(1);
    const outcomes = [pool.run(job("while (true) {}")), pool.run(job("return 1"))].map((call) => call.then(() => undefined, (reason: unknown) => reason));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await pool.shutdown();
    for (const error of await Promise.all(outcomes)) expect(isSandboxError(error) && error.kind).toBe("cancelled");
    expect(pool.threadCount).toBe(0);
    const reply = await pool.run(job("return 'again'"));
    expect(reply.ok && JSON.parse(reply.valueJson)).toBe("again");
  });
});
