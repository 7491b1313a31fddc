// Sorting a step's failure: retryable (tried again with backoff), or permanent (the step
// fails and the run rolls back). Anything unknown is retried, since a crash in a runner
// is more often a passing fault than a property of the input.
import type { RetryPolicy } from "../shared/workflow-definition.ts";
import type { RunError } from "./scheduler.ts";
import { StepError } from "./types.ts";

export interface ClassifiedFailure {
  retryable: boolean;
  retryAfterMs: number | undefined;
  error: RunError & { retryable: boolean };
}

export function classifyFailure(error: unknown, timedOut: boolean): ClassifiedFailure {
  if (timedOut) {
    return { retryable: true, retryAfterMs: undefined, error: { message: "The step took longer than its timeout.", code: "TIMEOUT", retryable: true } };
  }
  if (error instanceof StepError) {
    return { retryable: error.retryable, retryAfterMs: error.retryAfterMs, error: { message: error.message, code: error.code, retryable: error.retryable } };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { retryable: true, retryAfterMs: undefined, error: { message, code: "STEP_ERROR", retryable: true } };
}

const DEFAULT_POLICY: RetryPolicy = { attempts: 1, backoff: "exponential", delayMs: 1000, maxDelayMs: 60_000 };

/** The wait before attempt `failedAttempt + 1`, with ±20 % jitter so retries of many steps spread out. */
export function backoffDelay(policy: RetryPolicy | undefined, failedAttempt: number, random = Math.random): number {
  const p = policy ?? DEFAULT_POLICY;
  const base = p.backoff === "fixed" ? p.delayMs : p.delayMs * 2 ** Math.max(0, failedAttempt - 1);
  const capped = Math.min(base, p.maxDelayMs);
  return Math.round(capped * (0.8 + 0.4 * random()));
}
