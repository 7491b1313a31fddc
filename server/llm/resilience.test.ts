import { describe, expect, it } from "vitest";
import { ProviderError } from "./errors.ts";
import { CircuitBreakers, CircuitOpenError, backoffDelayMs, withRetries, DEFAULT_RETRY_POLICY } from "./resilience.ts";

const provider = "p";
const fail = (kind: ConstructorParameters<typeof ProviderError>[0], retryAfterMs?: number) =>
  new ProviderError(kind, `${kind} failure`, { provider, retryAfterMs });

function recorder() {
  const sleeps: number[] = [];
  return { sleeps, sleep: async (ms: number) => void sleeps.push(ms) };
}

describe("retries", () => {
  it("retries retryable failures with growing, jittered backoff, then succeeds", async () => {
    const { sleeps, sleep } = recorder();
    let calls = 0;
    const result = await withRetries(async () => {
      calls++;
      if (calls < 3) throw fail("server");
      return "ok";
    }, { ...DEFAULT_RETRY_POLICY, attempts: 3 }, { sleep, random: () => 1 });
    expect(result).toBe("ok");
    expect(sleeps).toEqual([250, 500]);
  });

  it("honours a 429's retry-after instead of backoff", async () => {
    const { sleeps, sleep } = recorder();
    let calls = 0;
    await withRetries(async () => {
      if (calls++ === 0) throw fail("rate_limited", 1200);
      return "ok";
    }, DEFAULT_RETRY_POLICY, { sleep });
    expect(sleeps).toEqual([1200]);
  });

  it("does not wait out an absurd retry-after: the caller falls back instead", async () => {
    const { sleeps, sleep } = recorder();
    const error = await withRetries(async () => { throw fail("rate_limited", 3_600_000); }, DEFAULT_RETRY_POLICY, { sleep }).catch((e: unknown) => e);
    expect((error as ProviderError).kind).toBe("rate_limited");
    expect(sleeps).toEqual([]);
  });

  it("surfaces non-retryable errors at once", async () => {
    let calls = 0;
    const error = await withRetries(async () => { calls++; throw fail("bad_request"); }).catch((e: unknown) => e);
    expect((error as ProviderError).kind).toBe("bad_request");
    expect(calls).toBe(1);
  });

  it("gives up after the last attempt with the last error", async () => {
    const { sleep } = recorder();
    let calls = 0;
    const error = await withRetries(async () => { calls++; throw fail("timeout"); }, { ...DEFAULT_RETRY_POLICY, attempts: 4 }, { sleep }).catch((e: unknown) => e);
    expect(calls).toBe(4);
    expect((error as ProviderError).kind).toBe("timeout");
  });

  it("caps backoff and keeps it within [0, ceiling]", () => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const d = backoffDelayMs(DEFAULT_RETRY_POLICY, attempt);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(DEFAULT_RETRY_POLICY.maxDelayMs);
    }
  });
});

describe("circuit breaker", () => {
  function setup() {
    let now = 0;
    const breakers = new CircuitBreakers({ failureThreshold: 3, openMs: 10_000 }, () => now);
    return { breakers, advance: (ms: number) => (now += ms) };
  }
  const boom = async () => { throw fail("server"); };

  it("opens after repeated failures and refuses calls without reaching the upstream", async () => {
    const { breakers } = setup();
    for (let i = 0; i < 3; i++) await breakers.run(provider, "p/m", boom).catch(() => undefined);
    expect(breakers.state("p/m")).toBe("open");
    let reached = false;
    const error = await breakers.run(provider, "p/m", async () => { reached = true; }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CircuitOpenError);
    // Not retried inside the call: the gateway moves on to the next target instead.
    expect((error as ProviderError).retryable).toBe(false);
    expect(reached).toBe(false);
    expect(breakers.state("p/other")).toBe("closed");
  });

  it("half-opens after the pause, lets one probe through, and closes when it succeeds", async () => {
    const { breakers, advance } = setup();
    for (let i = 0; i < 3; i++) await breakers.run(provider, "k", boom).catch(() => undefined);
    advance(10_000);
    expect(breakers.state("k")).toBe("half-open");
    let release!: () => void;
    const probe = breakers.run(provider, "k", () => new Promise<string>((r) => (release = () => r("ok"))));
    await expect(breakers.run(provider, "k", async () => "second")).rejects.toBeInstanceOf(CircuitOpenError);
    release();
    expect(await probe).toBe("ok");
    expect(breakers.state("k")).toBe("closed");
  });

  it("re-opens at once when the probe fails", async () => {
    const { breakers, advance } = setup();
    for (let i = 0; i < 3; i++) await breakers.run(provider, "k", boom).catch(() => undefined);
    advance(10_000);
    await breakers.run(provider, "k", boom).catch(() => undefined);
    expect(breakers.state("k")).toBe("open");
  });

  it("is not tripped by the caller's own bad requests", async () => {
    const { breakers } = setup();
    for (let i = 0; i < 10; i++) await breakers.run(provider, "k", async () => { throw fail("bad_request"); }).catch(() => undefined);
    expect(breakers.state("k")).toBe("closed");
  });
});
