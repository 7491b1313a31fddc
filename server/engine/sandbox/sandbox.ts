// Runs user JavaScript (code steps, condition expressions) in QuickJS compiled to
// WebAssembly, on a small pool of worker threads. The code sees only its input, as
// JSON: no require, process, imports, network, filesystem or timers; every call gets a
// fresh QuickJS runtime, its own deadline and memory budget.
import { availableParallelism } from "node:os";
import { peekProcessSingleton, processSingleton } from "../../singleton.ts";
import { SandboxError } from "./errors.ts";
import {
  BACKSTOP_GRACE_MS,
  MAX_LOG_LINE_CHARS,
  MAX_LOG_LINES,
  MAX_OUTPUT_BYTES,
  MAX_STACK_BYTES,
  resolveLimits,
  SANDBOX_LIMIT_CAPS,
  THREAD_STACK_MB,
  type SandboxLimits,
} from "./limits.ts";
import { SandboxPool, type SandboxJob } from "./pool.ts";
import type { SandboxResultReply } from "./protocol.ts";

export { SandboxError, isSandboxError, type SandboxErrorKind } from "./errors.ts";
export { DEFAULT_SANDBOX_LIMITS, SANDBOX_LIMIT_CAPS, type SandboxLimits } from "./limits.ts";

export interface SandboxResult {
  /** The returned value after a JSON round trip (functions and undefined become null). */
  value: unknown;
  /** console.log/info/warn/error lines, at most 100 of at most 1000 characters; warn and error lines are prefixed. */
  logs: string[];
  /** Time spent running the code inside its thread. */
  durationMs: number;
}

const MEBIBYTE = 1024 * 1024;
const POOL_KEY = "sandboxPool";

// One pool per process, shared by Next's bundle and the custom server.
const pool = () =>
  processSingleton(
    POOL_KEY,
    () =>
      new SandboxPool({
        size: Math.min(4, availableParallelism()),
        workerUrl: new URL("./worker.mjs", import.meta.url),
        threadConfig: {
          maxOutputBytes: MAX_OUTPUT_BYTES,
          maxLogLines: MAX_LOG_LINES,
          maxLogLineChars: MAX_LOG_LINE_CHARS,
          maxStackBytes: MAX_STACK_BYTES,
          maxMemoryBytes: SANDBOX_LIMIT_CAPS.memoryMb * MEBIBYTE,
        },
        graceMs: BACKSTOP_GRACE_MS,
        stackSizeMb: THREAD_STACK_MB,
      }),
  );

/**
 * Runs `code` as the body of a function of `input` (`return input.items.map(x => x * 2)`);
 * `await` is allowed. Throws SandboxError for the code's failures (timeout, memory,
 * syntax, runtime, output, cancelled), a plain Error if the sandbox itself failed.
 */
export async function runCode(code: string, input: unknown, limits?: Partial<SandboxLimits>, signal?: AbortSignal): Promise<SandboxResult> {
  const reply = await pool().run(job("code", code, toJson(input, "input"), limits), signal);
  if (!reply.ok) throw toError(reply);
  return { value: JSON.parse(reply.valueJson) as unknown, logs: reply.logs, durationMs: roundMs(reply.durationMs) };
}

/**
 * Evaluates one JavaScript expression (`steps.check.output.score > 0.5`) with the
 * scope's keys as globals, in the same sandbox and limits as runCode.
 */
export async function evaluateExpression(
  expression: string,
  scope: Record<string, unknown>,
  limits?: Partial<SandboxLimits>,
  signal?: AbortSignal,
): Promise<unknown> {
  const reply = await pool().run(job("expression", expression, toJson(scope, "scope"), limits), signal);
  if (!reply.ok) throw toError(reply);
  return JSON.parse(reply.valueJson) as unknown;
}

/** Terminates the sandbox threads (graceful shutdown, tests); the next call starts them again. */
export async function shutdownSandbox(): Promise<void> {
  await peekProcessSingleton<SandboxPool>(POOL_KEY)?.shutdown();
}

function job(mode: SandboxJob["mode"], source: string, inputJson: string, limits: Partial<SandboxLimits> | undefined): SandboxJob {
  const { timeoutMs, memoryMb } = resolveLimits(limits);
  return { mode, source, inputJson, timeoutMs, memoryBytes: memoryMb * MEBIBYTE };
}

function toJson(value: unknown, what: string): string {
  try {
    return JSON.stringify(value) ?? "null";
  } catch (error) {
    throw new TypeError(`The sandbox ${what} must be JSON-serialisable: ${(error as Error).message}`, { cause: error });
  }
}

function toError(reply: Extract<SandboxResultReply, { ok: false }>): Error {
  if (reply.kind === "crash") return new Error(reply.message);
  return new SandboxError(reply.kind, reply.message, { line: reply.line, logs: reply.logs });
}

const roundMs = (ms: number) => Math.round(ms * 1000) / 1000;
