// Typed domain errors. Services throw these; one tRPC middleware (server/api/trpc.ts)
// and the HTTP handlers map them to status codes, so every limit and refusal reaches
// the caller as a clear, typed error rather than a 500.

export type DomainErrorCode =
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "PAYLOAD_TOO_LARGE"
  | "TOO_MANY_REQUESTS"
  | "PRECONDITION_FAILED"
  | "BUDGET_EXCEEDED"
  | "BAD_GATEWAY"
  | "GATEWAY_TIMEOUT";

const STATUS: Record<DomainErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  TOO_MANY_REQUESTS: 429,
  BUDGET_EXCEEDED: 429,
  BAD_GATEWAY: 502,
  GATEWAY_TIMEOUT: 504,
};

/** The tRPC code a domain code travels as; the domain code itself rides in `data.domainCode`. */
export const TRPC_CODE: Record<DomainErrorCode, Exclude<DomainErrorCode, "BUDGET_EXCEEDED"> > = {
  BAD_REQUEST: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  PRECONDITION_FAILED: "PRECONDITION_FAILED",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  TOO_MANY_REQUESTS: "TOO_MANY_REQUESTS",
  BUDGET_EXCEEDED: "TOO_MANY_REQUESTS",
  BAD_GATEWAY: "BAD_GATEWAY",
  GATEWAY_TIMEOUT: "GATEWAY_TIMEOUT",
};

// A brand rather than instanceof: Next's bundle and the custom server each load their
// own copy of this module, and errors cross between them.
const DOMAIN_ERROR = Symbol.for("maestro.domainError");

export class DomainError extends Error {
  readonly [DOMAIN_ERROR] = true;
  readonly status: number;
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
    this.status = STATUS[code];
  }
}

export class ValidationError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super("BAD_REQUEST", message, details);
  }
}

export class UnauthorizedError extends DomainError {
  constructor(message = "Sign in to continue.") {
    super("UNAUTHORIZED", message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = "You do not have permission to do this.", details?: Record<string, unknown>) {
    super("FORBIDDEN", message, details);
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string) {
    super("NOT_FOUND", `${what} was not found.`);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string) {
    super("CONFLICT", message);
  }
}

export class RateLimitedError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super("TOO_MANY_REQUESTS", message, { retryAfterSeconds });
  }
}

export class PayloadTooLargeError extends DomainError {
  constructor(limitBytes: number) {
    super("PAYLOAD_TOO_LARGE", `The request is larger than the limit of ${limitBytes} bytes.`, { limitBytes });
  }
}

export interface BudgetRef {
  id: string;
  name: string;
  scope: string;
  period: string;
  limitNano: number;
  spentNano: number;
  reservedNano: number;
}

/** A call refused because its worst-case cost does not fit in a budget's remaining room. */
export class BudgetExceededError extends DomainError {
  constructor(
    readonly budget: BudgetRef,
    requestedNano: number,
  ) {
    const usd = (nano: number) => `$${(nano / 1e9).toFixed(4)}`;
    super(
      "BUDGET_EXCEEDED",
      `Budget "${budget.name}" (${budget.period}, limit ${usd(budget.limitNano)}) has ${usd(Math.max(0, budget.limitNano - budget.spentNano - budget.reservedNano))} left; this call may cost up to ${usd(requestedNano)}.`,
      { budget, requestedNano },
    );
  }
}

/** The upstream provider failed in a way the caller cannot fix (after retries and fallbacks). */
export class UpstreamError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>, timeout = false) {
    super(timeout ? "GATEWAY_TIMEOUT" : "BAD_GATEWAY", message, details);
  }
}

/** A start-up problem the operator must fix (port taken, data dir in use); printed without a stack. */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigurationError";
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[DOMAIN_ERROR] === true;
}
