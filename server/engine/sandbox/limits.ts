// What one sandboxed call may use. A step may ask for less or more than the defaults,
// never more than the hard caps (larger requests are clamped, not refused, so a step's
// own 10-minute timeout still gets a working sandbox call).

export interface SandboxLimits {
  /** Wall-clock time the code may run. */
  timeoutMs: number;
  /**
   * Heap the code may allocate, in MiB. Enforced where the WebAssembly heap grows, so the
   * free part of QuickJS's 16 MiB base heap comes on top (a few MiB).
   */
  memoryMb: number;
}

export const DEFAULT_SANDBOX_LIMITS: Readonly<SandboxLimits> = { timeoutMs: 5_000, memoryMb: 64 };
export const SANDBOX_LIMIT_CAPS: Readonly<SandboxLimits> = { timeoutMs: 60_000, memoryMb: 256 };

/** The largest result, as JSON bytes, a call may return. */
export const MAX_OUTPUT_BYTES = 1024 * 1024;
/** Console output kept per call: lines, and characters per line. */
export const MAX_LOG_LINES = 100;
export const MAX_LOG_LINE_CHARS = 1_000;
/** QuickJS's own stack ceiling; the thread's native stack is sized well above it. */
export const MAX_STACK_BYTES = 512 * 1024;
export const THREAD_STACK_MB = 32;
/** A thread that does not answer this long after its deadline is terminated. */
export const BACKSTOP_GRACE_MS = 1_000;

export function resolveLimits(limits: Partial<SandboxLimits> = {}): SandboxLimits {
  return {
    timeoutMs: resolveOne("timeoutMs", limits.timeoutMs),
    memoryMb: resolveOne("memoryMb", limits.memoryMb),
  };
}

function resolveOne(name: keyof SandboxLimits, value: number | undefined): number {
  if (value === undefined) return DEFAULT_SANDBOX_LIMITS[name];
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`Sandbox limit ${name} must be a positive number, got ${value}`);
  return Math.min(Math.ceil(value), SANDBOX_LIMIT_CAPS[name]);
}
