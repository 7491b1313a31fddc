// Retries with exponential backoff and jitter for retryable provider failures only,
// and a circuit breaker per provider/model that stops sending traffic to an upstream
// that keeps failing, then lets one probe through to see whether it recovered.
import { ProviderError, isProviderError } from "./errors.ts";

export interface RetryPolicy {
  /** Total attempts, including the first. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A retry-after longer than this is not waited for: the caller falls back instead. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 3, baseDelayMs: 250, maxDelayMs: 8_000, maxRetryAfterMs: 20_000 };

/** "Full jitter" backoff: a random delay up to base × 2^attempt, capped. */
export function backoffDelayMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(random() * ceiling);
}

export interface RetryHooks {
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  onRetry?: (info: { attempt: number; delayMs: number; error: ProviderError }) => void;
  random?: () => number;
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/**
 * Runs `call` until it succeeds, fails with a non-retryable error, or runs out of
 * attempts. A 429's retry-after is honoured (when not absurdly long) instead of backoff.
 */
export async function withRetries<T>(
  call: (attempt: number) => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  hooks: RetryHooks & { signal?: AbortSignal } = {},
): Promise<T> {
  const sleep = hooks.sleep ?? abortableSleep;
  for (let attempt = 0; ; attempt++) {
    try {
      return await call(attempt);
    } catch (error) {
      if (!isProviderError(error) || !error.retryable || attempt + 1 >= policy.attempts) throw error;
      const retryAfter = error.details.retryAfterMs;
      if (retryAfter !== undefined && retryAfter > policy.maxRetryAfterMs) throw error;
      const delayMs = retryAfter ?? backoffDelayMs(policy, attempt, hooks.random);
      hooks.onRetry?.({ attempt: attempt + 1, delayMs, error });
      await sleep(delayMs, hooks.signal);
    }
  }
}

export interface BreakerPolicy {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long an open circuit refuses calls before letting one probe through. */
  openMs: number;
}

export const DEFAULT_BREAKER_POLICY: BreakerPolicy = { failureThreshold: 5, openMs: 30_000 };

export type BreakerState = "closed" | "open" | "half-open";

interface Circuit {
  failures: number;
  openedAt: number | null;
  probing: boolean;
}

export class CircuitOpenError extends ProviderError {
  constructor(provider: string, key: string, retryInMs: number) {
    super("server", `${key} is failing repeatedly; calls are paused for ${Math.ceil(retryInMs / 1000)} s.`, { provider, retryAfterMs: retryInMs });
    this.name = "ProviderError";
    // Waiting out an open circuit inside one call helps nobody: the gateway moves on to
    // the next target instead of retrying this one.
    (this as { retryable: boolean }).retryable = false;
  }
}

/** One breaker per key (provider/model). Only retryable upstream failures count against it. */
export class CircuitBreakers {
  private readonly circuits = new Map<string, Circuit>();
  constructor(
    private readonly policy: BreakerPolicy = DEFAULT_BREAKER_POLICY,
    private readonly now: () => number = Date.now,
  ) {}

  state(key: string): BreakerState {
    const c = this.circuits.get(key);
    if (!c || c.openedAt === null) return "closed";
    return this.now() - c.openedAt >= this.policy.openMs ? "half-open" : "open";
  }

  /** Throws CircuitOpenError while open; in half-open lets exactly one probe through. */
  acquire(provider: string, key: string): void {
    const c = this.circuits.get(key);
    const state = this.state(key);
    if (state === "closed" || !c) return;
    if (state === "open") throw new CircuitOpenError(provider, key, this.policy.openMs - (this.now() - c.openedAt!));
    if (c.probing) throw new CircuitOpenError(provider, key, this.policy.openMs);
    c.probing = true;
  }

  success(key: string): void {
    this.circuits.delete(key);
  }

  failure(key: string, error: unknown): void {
    if (!isProviderError(error) || !error.retryable || error instanceof CircuitOpenError) {
      // A bad request says nothing about the upstream's health; release a probe slot.
      const c = this.circuits.get(key);
      if (c) c.probing = false;
      return;
    }
    const c = this.circuits.get(key) ?? { failures: 0, openedAt: null, probing: false };
    c.failures += 1;
    if (c.probing || c.failures >= this.policy.failureThreshold) c.openedAt = this.now();
    c.probing = false;
    this.circuits.set(key, c);
  }

  /** Runs a call through the breaker for `key`. */
  async run<T>(provider: string, key: string, call: () => Promise<T>): Promise<T> {
    this.acquire(provider, key);
    try {
      const result = await call();
      this.success(key);
      return result;
    } catch (error) {
      this.failure(key, error);
      throw error;
    }
  }
}
