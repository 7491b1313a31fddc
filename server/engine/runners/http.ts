// The `http` step, and the request machinery the http_fetch tool shares with it: the
// allow-list checked on every hop (redirects are followed by hand so none escapes it),
// an Idempotency-Key on every request, a capped body, and failures sorted for retries.
import { retryAfterMs } from "../../llm/errors.ts";
import type { MapItemStep, StepOf } from "../../shared/workflow-definition.ts";
import { StepError, type StepRunner } from "../types.ts";
import { refusalMessage, type Allowlist } from "../tools/allowlist.ts";

export type HttpStep = StepOf<"http"> | Extract<MapItemStep, { kind: "http" }>;

export const DEFAULT_HTTP_MAX_BODY_BYTES = 5 * 1024 * 1024;
const MAX_REDIRECTS = 5;
/** Enough of an error body to say what went wrong, not enough to flood the step's error. */
const ERROR_BODY_CHARS = 500;

export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string> | undefined;
  /** Strings are sent as they are; any other value as JSON. */
  body?: unknown;
}

export interface HttpRequestOptions {
  allowlist: Allowlist;
  signal: AbortSignal;
  idempotencyKey: string;
  maxBodyBytes: number;
  /** What a longer body does: fail the request, or keep the first maxBodyBytes. */
  overflow: "fail" | "truncate";
}

export interface HttpResponseData {
  status: number;
  statusText: string;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  bytes: Uint8Array;
  truncated: boolean;
}

/** The URL without its query, which may carry credentials, for logs and error messages. */
export const printableUrl = (url: URL) => `${url.origin}${url.pathname}`;

function parseUrl(text: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new StepError(`"${text.slice(0, 200)}" is not an absolute URL.`, { code: "INVALID_URL" });
  }
}

function assertAllowed(allowlist: Allowlist, url: URL) {
  if (!allowlist.allows(url)) throw new StepError(refusalMessage(allowlist, url), { code: "URL_NOT_ALLOWED" });
}

function encodeBody(body: unknown, method: string): { text?: string; json: boolean } {
  if (body === undefined || body === null) return { json: false };
  if (method === "GET" || method === "HEAD") throw new StepError(`A ${method} request cannot have a body.`, { code: "HTTP_BODY_NOT_ALLOWED" });
  if (typeof body === "string") return { text: body, json: false };
  return { text: JSON.stringify(body), json: true };
}

function buildHeaders(request: HttpRequest, idempotencyKey: string, jsonBody: boolean): Headers {
  let headers: Headers;
  try {
    headers = new Headers(request.headers ?? {});
  } catch (error) {
    throw new StepError(`Invalid request headers: ${(error as Error).message}`, { code: "INVALID_HEADERS" });
  }
  // A key the step sets itself wins: the target API may expect its own format.
  if (!headers.has("idempotency-key")) headers.set("idempotency-key", idempotencyKey);
  if (jsonBody && !headers.has("content-type")) headers.set("content-type", "application/json");
  return headers;
}

function transportError(error: unknown, signal: AbortSignal, what: string): StepError {
  if (signal.aborted) return new StepError(`${what} was cancelled.`, { code: "CANCELLED", cause: error });
  if (error instanceof StepError) return error;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const reason = cause?.code ?? cause?.message ?? (error as Error).message;
  return new StepError(`${what} failed: ${reason}`, { retryable: true, code: "NETWORK_ERROR", cause: error });
}

async function readCapped(response: Response, options: HttpRequestOptions, what: string): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  const tooLarge = () =>
    new StepError(`${what} answered with a body larger than ${options.maxBodyBytes} bytes.`, { code: "RESPONSE_TOO_LARGE" });
  const declared = Number(response.headers.get("content-length"));
  if (options.overflow === "fail" && Number.isFinite(declared) && declared > options.maxBodyBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (!response.body) return { bytes: new Uint8Array(0), truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    if (size + value.byteLength > options.maxBodyBytes) {
      await reader.cancel().catch(() => undefined);
      if (options.overflow === "fail") throw tooLarge();
      chunks.push(value.subarray(0, options.maxBodyBytes - size));
      size = options.maxBodyBytes;
      truncated = true;
      break;
    }
    chunks.push(value);
    size += value.byteLength;
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { bytes, truncated };
}

function headerObject(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = out[name] === undefined ? value : `${out[name]}, ${value}`;
  });
  return out;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Sends the request, following up to 5 redirects, each one checked against the allow-list. */
export async function sendHttpRequest(request: HttpRequest, options: HttpRequestOptions): Promise<HttpResponseData> {
  let url = parseUrl(request.url);
  let method = request.method.toUpperCase();
  const encoded = encodeBody(request.body, method);
  let body = encoded.text;
  const headers = buildHeaders(request, options.idempotencyKey, encoded.json);
  for (let hop = 0; ; hop++) {
    assertAllowed(options.allowlist, url);
    const what = `${method} ${printableUrl(url)}`;
    let response: Response;
    try {
      response = await fetch(url, { method, headers, body, signal: options.signal, redirect: "manual" });
    } catch (error) {
      throw transportError(error, options.signal, what);
    }
    const location = REDIRECTS.has(response.status) ? response.headers.get("location") : null;
    if (location === null) {
      try {
        const { bytes, truncated } = await readCapped(response, options, what);
        return { status: response.status, statusText: response.statusText, headers: headerObject(response.headers), bytes, truncated };
      } catch (error) {
        throw transportError(error, options.signal, what);
      }
    }
    await response.body?.cancel().catch(() => undefined);
    if (hop >= MAX_REDIRECTS) throw new StepError(`${what} redirected more than ${MAX_REDIRECTS} times.`, { code: "TOO_MANY_REDIRECTS" });
    const next = parseUrl(new URL(location, url).href);
    // As browsers do: 303 (and 301/302 after a POST) turn into a GET without the body.
    if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === "POST")) {
      if (method !== "HEAD") method = "GET";
      body = undefined;
      headers.delete("content-type");
    }
    // Credentials meant for one origin are not handed to another.
    if (next.origin !== url.origin) {
      headers.delete("authorization");
      headers.delete("cookie");
    }
    url = next;
  }
}

const isJsonType = (contentType: string | undefined) => /[/+]json\b/i.test(contentType ?? "");

/** JSON when the content type says so (text when it does not parse), text otherwise. */
export function decodeHttpBody(response: HttpResponseData): unknown {
  const text = new TextDecoder().decode(response.bytes);
  if (!isJsonType(response.headers["content-type"])) return text;
  if (!text.trim()) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function statusError(what: string, response: HttpResponseData, bodyText: string): StepError {
  const message = `${what} answered ${response.status}${response.statusText ? ` ${response.statusText}` : ""}: ${bodyText.slice(0, ERROR_BODY_CHARS)}`;
  if (response.status === 429 || response.status >= 500) {
    const wait = retryAfterMs({ get: (name) => response.headers[name] ?? null });
    return new StepError(message, {
      retryable: true,
      code: response.status === 429 ? "HTTP_RATE_LIMITED" : "HTTP_SERVER_ERROR",
      ...(wait !== undefined ? { retryAfterMs: wait } : {}),
    });
  }
  return new StepError(message, { code: "HTTP_CLIENT_ERROR" });
}

export interface HttpRunnerConfig {
  allowlist: Allowlist;
  maxBodyBytes?: number;
}

export function createHttpRunner(config: HttpRunnerConfig): StepRunner<HttpStep> {
  const maxBodyBytes = config.maxBodyBytes ?? DEFAULT_HTTP_MAX_BODY_BYTES;
  return async (ctx) => {
    const { method, url, headers, body } = ctx.step;
    const response = await sendHttpRequest(
      { method, url, headers, body },
      { allowlist: config.allowlist, signal: ctx.signal, idempotencyKey: ctx.idempotencyKey, maxBodyBytes, overflow: "fail" },
    );
    const what = `${method} ${printableUrl(new URL(url))}`;
    ctx.log(response.status >= 400 ? "warn" : "info", `${what} → ${response.status}`);
    if (response.status >= 400) throw statusError(what, response, new TextDecoder().decode(response.bytes));
    return { output: { status: response.status, headers: response.headers, body: decodeHttpBody(response) } };
  };
}
