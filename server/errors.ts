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
  | "PRECONDITION_FAILED";

const STATUS: Record<DomainErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  TOO_MANY_REQUESTS: 429,
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
