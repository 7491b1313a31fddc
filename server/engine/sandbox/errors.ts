// Why user JavaScript failed, sorted so the engine can decide without parsing messages:
// timeout, memory, syntax and runtime failures repeat on every attempt (the code is
// deterministic), so they fail the step for good; "cancelled" follows the run's abort.

export const SANDBOX_ERROR_KINDS = ["timeout", "memory", "syntax", "runtime", "output", "cancelled"] as const;
export type SandboxErrorKind = (typeof SANDBOX_ERROR_KINDS)[number];

// A brand rather than instanceof alone: Next's bundle and the custom server each load
// their own copy of this module, and errors cross between them.
const SANDBOX_ERROR = Symbol.for("maestro.sandboxError");

export interface SandboxErrorOptions {
  /** The line of the user's code the error points at (1-based), when known. */
  line?: number;
  /** What the code logged before it failed. */
  logs?: string[];
  cause?: unknown;
}

export class SandboxError extends Error {
  readonly [SANDBOX_ERROR] = true;
  readonly line: number | undefined;
  readonly logs: string[];
  constructor(
    readonly kind: SandboxErrorKind,
    message: string,
    options: SandboxErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SandboxError";
    this.line = options.line;
    this.logs = options.logs ?? [];
  }
}

export function isSandboxError(error: unknown): error is SandboxError {
  return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[SANDBOX_ERROR] === true;
}
