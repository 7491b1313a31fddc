// Vendor failures sorted into the kinds routing and retries act on. Adapters map every
// SDK error to one of these; nothing above server/llm inspects vendor error classes.

export type ProviderErrorKind =
  /** 429: retry after `retryAfterMs` if given. */
  | "rate_limited"
  /** 5xx from the vendor. */
  | "server"
  /** No answer within the timeout. */
  | "timeout"
  /** Connection refused, reset or dropped mid-response. */
  | "connection"
  /** 400/422: the request is wrong; retrying cannot help. */
  | "bad_request"
  /** 401/403: the key is wrong or lacks access. */
  | "auth"
  /** 404: unknown model or endpoint. */
  | "not_found"
  /** The caller aborted. */
  | "cancelled";

const RETRYABLE: ReadonlySet<ProviderErrorKind> = new Set(["rate_limited", "server", "timeout", "connection"]);

export class ProviderError extends Error {
  readonly retryable: boolean;
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    readonly details: { provider: string; status?: number; retryAfterMs?: number; cause?: unknown } ,
  ) {
    super(message);
    this.name = "ProviderError";
    this.retryable = RETRYABLE.has(kind);
  }
}

export function isProviderError(error: unknown): error is ProviderError {
  return error instanceof Error && error.name === "ProviderError" && "kind" in error;
}

/** Reads a Retry-After header (seconds or HTTP date) or retry-after-ms into milliseconds. */
export function retryAfterMs(headers: { get(name: string): string | null } | undefined, now = Date.now()): number | undefined {
  const ms = headers?.get("retry-after-ms");
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers?.get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The error kind for an HTTP status from a vendor. */
export function kindForStatus(status: number): ProviderErrorKind {
  if (status === 429) return "rate_limited";
  if (status === 401 || status === 403) return "auth";
  if (status === 404) return "not_found";
  if (status === 408) return "timeout";
  if (status >= 500) return "server";
  return "bad_request";
}
