// The machinery shared by the fake LLM vendor servers (fake-openai.ts, fake-anthropic.ts):
// the node:http server and its lifecycle, request recording, the scenario queue, body
// parsing, slow/error/drop scenarios, and writing JSON and SSE responses. Each fake keeps
// only its vendor's wire format: paths, body shapes, SSE framing, error bodies, usage.
//
// It must stay fast (benchmarks drive thousands of requests per second through it):
// no sleeps unless a scenario asks, no logging, whole SSE bodies written in one go.
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** How many requests a fake keeps in `requests`, the newest. */
export const MAX_RECORDED = 1_000;

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body (undefined for GET; the raw text when it is not JSON). */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests poke at arbitrary wire fields
  /** True once the connection closed before the response was complete (the client hung up, or a drop). */
  aborted: boolean;
}

/** Answers with the vendor's error body; retry-after when given. */
export type ErrorScenario = { kind: "error"; status: number; message?: string; type?: string; retryAfterSeconds?: number };
/** Waits before sending headers, then plays `then`. */
export interface SlowScenario<S> {
  kind: "slow";
  delayMs: number;
  then: S;
}
/** Streaming: sends N SSE chunks (events), then destroys the socket. Non-streaming: destroys it before responding. */
export type DropScenario = { kind: "drop"; afterChunks: number };
/** A vendor's scenarios: its reply scenarios `R` (text, tool calls) plus the shared error, slow and drop. */
export type VendorScenario<R> = R | ErrorScenario | SlowScenario<VendorScenario<R>> | DropScenario;

/** What every fake exposes; each fake's own interface narrows the docs of `url`. */
export interface FakeVendor<S> {
  /** The base URL to pass as the SDK's baseURL. */
  url: string;
  /** The most recent requests (at most MAX_RECORDED), oldest first. */
  requests: RecordedRequest[];
  /** Scenarios for the next requests that play one (the vendor's generation endpoint), one per request, FIFO. */
  enqueue(...scenarios: S[]): void;
  /** What those requests get when the queue is empty; null restores the deterministic echo. */
  setDefault(scenario: S | null): void;
  close(): Promise<void>;
}

/** The running server as its fake sees it: the public part plus what its handler needs. */
export interface VendorServer<R, B extends { stream?: unknown }> extends FakeVendor<VendorScenario<R>> {
  /** http://127.0.0.1:PORT, without a path. */
  url: string;
  port: number;
  /**
   * Takes the next scenario (the queue, else the default, else the echo) and plays it for
   * a request whose body passed the vendor's checks; `body.stream === true` asks for SSE.
   */
  play(res: ServerResponse, body: B): void;
}

export interface VendorOptions<R, B extends { stream?: unknown }> {
  /** 0 (the default) picks a free port. */
  port?: number;
  /**
   * Routes one request, once its body is in and recorded. `path` is the URL without the
   * query; `body` is the parsed JSON, the raw text when it is not JSON, undefined when empty.
   */
  handle(req: IncomingMessage, res: ServerResponse, path: string, body: unknown, server: VendorServer<R, B>): void;
  /**
   * Sends a reply: for a reply scenario, or the deterministic echo when `scenario` is null.
   * `n` numbers the reply (for ids); with `dropAfter`, the stream must be cut after that many
   * chunks (pass it on to sendSse).
   */
  reply(res: ServerResponse, body: B, n: number, scenario: R | null, dropAfter: number | undefined): void;
  /** Sends the vendor's error body for an error scenario. */
  error(res: ServerResponse, scenario: ErrorScenario): void;
  /** Sends the vendor's 500 when `handle` throws before the headers went out. */
  fail(res: ServerResponse, error: unknown): void;
}

export function startFakeVendor<R extends { kind: string }, B extends { stream?: unknown }>(opts: VendorOptions<R, B>): Promise<VendorServer<R, B>> {
  type Scenario = VendorScenario<R>;
  const queue: Scenario[] = [];
  let fallback: Scenario | null = null;
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let counter = 0;

  const play = (res: ServerResponse, body: B, scenario: Scenario | null): void => {
    const control = scenario as ErrorScenario | SlowScenario<Scenario> | DropScenario | null;
    if (control?.kind === "slow") {
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!res.destroyed) play(res, body, control.then);
      }, control.delayMs);
      timers.add(timer);
      res.once("close", () => {
        clearTimeout(timer);
        timers.delete(timer);
      });
      return;
    }
    if (control?.kind === "error") return opts.error(res, control);
    const n = ++counter;
    if (control?.kind === "drop") {
      if (body.stream !== true) return void res.socket?.destroy();
      return opts.reply(res, body, n, null, control.afterChunks);
    }
    opts.reply(res, body, n, scenario as R | null, undefined);
  };

  const receive = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    let body: unknown = undefined;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    const path = req.url ?? "/";
    const entry: RecordedRequest = { method: req.method ?? "GET", path, headers: req.headers, body, aborted: false };
    if (requests.length >= MAX_RECORDED) requests.shift();
    requests.push(entry);
    res.once("close", () => {
      if (!res.writableFinished) entry.aborted = true;
    });
    const query = path.indexOf("?");
    opts.handle(req, res, query < 0 ? path : path.slice(0, query), body, vendor);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      try {
        receive(req, res, chunks.length ? Buffer.concat(chunks).toString("utf8") : "");
      } catch (error) {
        if (!res.headersSent) opts.fail(res, error);
        else res.destroy();
      }
    });
  });
  // Clients hang up on purpose in tests (aborts, timeouts); that is not a server error.
  server.on("clientError", (_error, socket: Socket) => socket.destroy());

  const vendor: VendorServer<R, B> = {
    url: "",
    port: 0,
    requests,
    enqueue: (...scenarios) => void queue.push(...scenarios),
    setDefault: (scenario) => void (fallback = scenario),
    play: (res, body) => play(res, body, queue.shift() ?? fallback),
    close: () =>
      new Promise<void>((done) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => done());
        // Keep-alive sockets from the SDK would otherwise hold close() open for seconds.
        server.closeAllConnections();
      }),
  };

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      vendor.port = (server.address() as AddressInfo).port;
      vendor.url = `http://127.0.0.1:${vendor.port}`;
      resolve(vendor);
    });
  });
}

/** The public face of a running fake: `url` (the vendor's base URL) and the server's recording, queue and close. */
export function publicFake<S>(server: FakeVendor<S>, url: string): FakeVendor<S> {
  return { url, requests: server.requests, enqueue: server.enqueue, setDefault: server.setDefault, close: server.close };
}

// ---------------------------------------------------------------------------------
// Responses

let requestCounter = 0;
/** A fresh request id, `req_fake_N`, for the vendor's request-id header (and error bodies). */
export function requestId(): string {
  return `req_fake_${++requestCounter}`;
}

/** Sends `payload` as JSON, with the request id under the vendor's header name. */
export function sendJson(res: ServerResponse, status: number, payload: unknown, idHeader: string, headers?: OutgoingHttpHeaders, id = requestId()) {
  const text = JSON.stringify(payload);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), [idHeader]: id, ...headers });
  res.end(text);
}

/** retry-after for an error scenario that asks for one. */
export function retryAfterHeaders(scenario: ErrorScenario): Record<string, string> | undefined {
  return scenario.retryAfterSeconds !== undefined ? { "retry-after": String(scenario.retryAfterSeconds) } : undefined;
}

/**
 * Writes an SSE response: every item through `format`, then `trailer`, in one write. With
 * `dropAfter`, writes only that many items (no trailer) and then kills the socket.
 */
export function sendSse<T>(res: ServerResponse, idHeader: string, items: readonly T[], format: (item: T) => string, dropAfter?: number, trailer = "") {
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", [idHeader]: requestId() });
  if (dropAfter === undefined) {
    res.end(items.map(format).join("") + trailer);
    return;
  }
  const sent = items.slice(0, Math.max(0, dropAfter)).map(format).join("");
  // Destroy only once the items are flushed, so the client really sees them first.
  if (sent) {
    res.write(sent, () => res.socket?.destroy());
  } else {
    res.flushHeaders();
    setImmediate(() => res.socket?.destroy());
  }
}

// ---------------------------------------------------------------------------------
// Text, counted in words the way both fakes count tokens

export function countWords(text: string): number {
  let n = 0;
  for (const word of text.split(/\s+/)) if (word) n++;
  return n;
}

/** The text cut to `limit` words, or undefined when it is not longer than that. */
export function truncateWords(text: string, limit: number | undefined): string | undefined {
  if (limit === undefined) return undefined;
  const words = text.match(/\S+\s*/g) ?? [];
  return words.length > limit ? words.slice(0, limit).join("").trimEnd() : undefined;
}

/** Splits text into word-sized pieces that concatenate back to exactly the text. */
export function textPieces(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? (text ? [text] : []);
}

/** Splits a string into `parts` roughly equal pieces (none for an empty string). */
export function slices(text: string, parts: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / parts));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}
