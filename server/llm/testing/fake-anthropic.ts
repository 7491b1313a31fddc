// A local server that speaks Anthropic's Messages API wire format for real (JSON and
// named SSE events, error bodies, retry-after, dropped sockets), so unit tests,
// end-to-end tests and benchmarks can point the official SDK at it instead of at
// api.anthropic.com.
//
// Without a scenario it answers deterministically: "Echo: <last user message text>",
// with usage counted in words (input = words of the system prompt and all messages,
// output = words of the reply) so tests can assert exact numbers. Like the real API it
// honours `stop_sequences` (stop_reason "stop_sequence") and `max_tokens` (counted in
// words; stop_reason "max_tokens"). Scenarios change what the next POST /v1/messages
// gets; nothing else consumes them.
//
// It follows API version 2026-10-21, which the SDK sends: the key may come as
// `x-api-key` or `Authorization: Bearer` (x-api-key wins when both are sent, as on the
// real API), and temperature/top_p/top_k are rejected with a 400 (requests that say
// `anthropic-version: 2023-06-01` may still send them).
//
// It must stay fast (benchmarks drive thousands of requests per second through it):
// no sleeps unless a scenario asks, no logging, whole SSE bodies written in one go.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

type ScenarioUsage = {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
};

export type FakeScenario =
  | { kind: "text"; text: string; usage?: ScenarioUsage }
  /** `arguments` is the JSON text of the tool input; `text`, when given, is a text block sent before the tool_use block. */
  | { kind: "tool_call"; name: string; arguments: string; id?: string; text?: string }
  | { kind: "error"; status: number; message?: string; type?: string; retryAfterSeconds?: number }
  /** Waits before sending headers, then plays `then`. */
  | { kind: "slow"; delayMs: number; then: FakeScenario }
  /** Streaming: sends N SSE events, then destroys the socket. Non-streaming: destroys it before responding. */
  | { kind: "drop"; afterChunks: number };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body (undefined for GET; the raw text when it is not JSON). */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests poke at arbitrary wire fields
  /** True once the connection closed before the response was complete (the client hung up, or a drop). */
  aborted: boolean;
}

export interface FakeAnthropic {
  /** e.g. http://127.0.0.1:PORT, to pass as the SDK's baseURL (the SDK adds /v1/messages). */
  url: string;
  /** The most recent requests (at most MAX_RECORDED), oldest first. */
  requests: RecordedRequest[];
  /** Scenarios for the next POST /v1/messages requests, one per request, FIFO. */
  enqueue(...scenarios: FakeScenario[]): void;
  /** What messages requests get when the queue is empty; null restores the deterministic echo. */
  setDefault(scenario: FakeScenario | null): void;
  close(): Promise<void>;
}

const MAX_RECORDED = 1_000;
/** The first API version that rejects sampling parameters. ISO dates compare as strings. */
const NO_SAMPLING_VERSION = "2026-10-21";
const SAMPLING_PARAMS = ["temperature", "top_p", "top_k"] as const;
const MODELS = [
  { id: "claude-sonnet-4-5", display_name: "Claude Sonnet 4.5", created_at: "2025-09-29T00:00:00Z" },
  { id: "claude-haiku-4-5", display_name: "Claude Haiku 4.5", created_at: "2025-10-01T00:00:00Z" },
  { id: "claude-sonnet-4-6", display_name: "Claude Sonnet 4.6", created_at: "2026-02-17T00:00:00Z" },
];

type StopReason = "end_turn" | "max_tokens" | "tool_use" | "stop_sequence";

interface WireUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}

/** One reply, independent of whether it is sent as JSON or SSE. */
interface Reply {
  text: string;
  toolUse?: { id: string; name: string; arguments: string };
  stopReason: StopReason;
  stopSequence: string | null;
  usage: WireUsage;
}

interface MessagesBody {
  model?: unknown;
  max_tokens?: unknown;
  messages?: unknown;
  system?: unknown;
  stream?: unknown;
  stop_sequences?: unknown;
  [key: string]: unknown;
}

export function startFakeAnthropic(opts: { port?: number; apiKey?: string } = {}): Promise<FakeAnthropic> {
  const queue: FakeScenario[] = [];
  let fallback: FakeScenario | null = null;
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let counter = 0;

  const record = (req: IncomingMessage, body: unknown): RecordedRequest => {
    const entry: RecordedRequest = { method: req.method ?? "GET", path: req.url ?? "/", headers: req.headers, body, aborted: false };
    if (requests.length >= MAX_RECORDED) requests.shift();
    requests.push(entry);
    return entry;
  };

  const handleMessages = (req: IncomingMessage, body: MessagesBody, res: ServerResponse) => {
    const invalid = validationError(req.headers, body);
    if (invalid) return sendError(res, 400, "invalid_request_error", invalid);
    play(queue.shift() ?? fallback, body, res);
  };

  const play = (scenario: FakeScenario | null, body: MessagesBody, res: ServerResponse) => {
    if (scenario?.kind === "slow") {
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!res.destroyed) play(scenario.then, body, res);
      }, scenario.delayMs);
      timers.add(timer);
      res.once("close", () => {
        clearTimeout(timer);
        timers.delete(timer);
      });
      return;
    }
    if (scenario?.kind === "error") return sendScenarioError(res, scenario);
    const n = ++counter;
    const id = `msg_fake_${n}`;
    const stream = body.stream === true;
    if (scenario?.kind === "drop") {
      if (!stream) return void res.socket?.destroy();
      return sendStream(res, streamEvents(id, body, echoReply(body)), scenario.afterChunks);
    }
    const reply = scenario ? scriptedReply(scenario, body, n) : echoReply(body);
    if (stream) return sendStream(res, streamEvents(id, body, reply));
    sendJson(res, 200, message(id, String(body.model), reply));
  };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const path = (req.url ?? "/").split("?")[0]!;
    let body: unknown = undefined;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    const entry = record(req, body);
    res.once("close", () => {
      if (!res.writableFinished) entry.aborted = true;
    });

    if (opts.apiKey !== undefined && presentedKey(req.headers) !== opts.apiKey) {
      return sendError(res, 401, "authentication_error", "invalid x-api-key");
    }
    if (req.method === "POST" && path === "/v1/messages") {
      if (typeof body !== "object" || body === null || Array.isArray(body)) {
        return sendError(res, 400, "invalid_request_error", "The request body is not valid JSON.");
      }
      return handleMessages(req, body as MessagesBody, res);
    }
    if (req.method === "GET" && path === "/v1/models") {
      const data = MODELS.map(modelObject);
      return sendJson(res, 200, { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
    }
    const model = /^\/v1\/models\/([^/]+)$/.exec(path);
    if (req.method === "GET" && model) {
      const found = MODELS.find((m) => m.id === decodeURIComponent(model[1]!));
      if (found) return sendJson(res, 200, modelObject(found));
      return sendError(res, 404, "not_found_error", `model: ${decodeURIComponent(model[1]!)}`);
    }
    sendError(res, 404, "not_found_error", "Not Found");
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      try {
        handle(req, res, chunks.length ? Buffer.concat(chunks).toString("utf8") : "");
      } catch (error) {
        if (!res.headersSent) sendError(res, 500, "api_error", `The fake server failed: ${String(error)}`);
        else res.destroy();
      }
    });
  });
  // Clients hang up on purpose in tests (aborts, timeouts); that is not a server error.
  server.on("clientError", (_error, socket: Socket) => socket.destroy());

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        requests,
        enqueue: (...scenarios) => void queue.push(...scenarios),
        setDefault: (scenario) => void (fallback = scenario),
        close: () =>
          new Promise<void>((done) => {
            for (const timer of timers) clearTimeout(timer);
            timers.clear();
            server.close(() => done());
            // Keep-alive sockets from the SDK would otherwise hold close() open for seconds.
            server.closeAllConnections();
          }),
      });
    });
  });
}

// ---------------------------------------------------------------------------------
// Requests

/** The key the client sent: x-api-key wins over a bearer token, as on the real API. */
function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const header = headers["x-api-key"];
  if (typeof header === "string") return header;
  const bearer = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? "");
  return bearer?.[1];
}

/** Anthropic's 400 message for a body it would refuse, or undefined when the body is fine. */
function validationError(headers: IncomingHttpHeaders, body: MessagesBody): string | undefined {
  if (typeof body.model !== "string" || !body.model) return "model: Field required";
  if (typeof body.max_tokens !== "number" || !Number.isInteger(body.max_tokens) || body.max_tokens < 0) {
    return body.max_tokens === undefined ? "max_tokens: Field required" : "max_tokens: Input should be a valid integer";
  }
  if (!Array.isArray(body.messages)) return "messages: Field required";
  const version = headers["anthropic-version"];
  if (typeof version === "string" && version >= NO_SAMPLING_VERSION) {
    const sampling = SAMPLING_PARAMS.find((name) => body[name] !== undefined);
    if (sampling) return `${sampling}: Extra inputs are not permitted`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------
// Replies

function countWords(text: string): number {
  let n = 0;
  for (const word of text.split(/\s+/)) if (word) n++;
  return n;
}

type WireBlock = { type?: unknown; text?: unknown; content?: unknown; input?: unknown; name?: unknown };
type WireMessage = { role?: unknown; content?: unknown };

/** The text of a content value: a string, or text blocks and tool results (tool inputs as JSON text). */
function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  const parts: string[] = [];
  for (const block of content as WireBlock[]) {
    if (typeof block?.text === "string") parts.push(block.text);
    else if (block?.type === "tool_result") parts.push(contentText(block.content));
    else if (block?.type === "tool_use") parts.push(`${String(block.name ?? "")} ${JSON.stringify(block.input ?? {})}`);
  }
  return parts.join(" ");
}

function inputTokens(body: MessagesBody): number {
  let n = countWords(contentText(body.system));
  for (const m of body.messages as WireMessage[]) n += countWords(contentText(m?.content));
  return n;
}

function lastUserText(body: MessagesBody): string {
  const messages = body.messages as WireMessage[];
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]?.role === "user") return contentText(messages[i]!.content);
  return "";
}

function wireUsage(usage: ScenarioUsage): WireUsage {
  return {
    input_tokens: usage.input_tokens,
    output_tokens: usage.output_tokens,
    cache_read_input_tokens: usage.cache_read_input_tokens ?? 0,
    cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0,
  };
}

/** Cuts text at the first stop sequence, then to max_tokens words, the way the model stops. */
function textReply(text: string, body: MessagesBody, usage?: ScenarioUsage): Reply {
  let stopReason: StopReason = "end_turn";
  let stopSequence: string | null = null;
  let cutAt = text.length;
  for (const sequence of Array.isArray(body.stop_sequences) ? (body.stop_sequences as unknown[]) : []) {
    const at = typeof sequence === "string" && sequence ? text.indexOf(sequence) : -1;
    if (at >= 0 && at < cutAt) {
      cutAt = at;
      stopSequence = sequence as string;
      stopReason = "stop_sequence";
    }
  }
  let content = text.slice(0, cutAt);
  const words = content.match(/\S+\s*/g) ?? [];
  const limit = body.max_tokens as number;
  if (words.length > limit) {
    content = words.slice(0, limit).join("").trimEnd();
    stopReason = "max_tokens";
    stopSequence = null;
  }
  return {
    text: content,
    stopReason,
    stopSequence,
    usage: wireUsage(usage ?? { input_tokens: inputTokens(body), output_tokens: countWords(content) }),
  };
}

function echoReply(body: MessagesBody): Reply {
  return textReply(`Echo: ${lastUserText(body)}`, body);
}

function scriptedReply(scenario: FakeScenario, body: MessagesBody, n: number): Reply {
  if (scenario.kind === "text") return textReply(scenario.text, body, scenario.usage);
  if (scenario.kind === "tool_call") {
    const text = scenario.text ?? "";
    return {
      text,
      toolUse: { id: scenario.id ?? `toolu_fake_${n}`, name: scenario.name, arguments: scenario.arguments },
      stopReason: "tool_use",
      stopSequence: null,
      usage: wireUsage({ input_tokens: inputTokens(body), output_tokens: countWords(`${text} ${scenario.name} ${scenario.arguments}`) }),
    };
  }
  // slow, error and drop are handled before a reply is built.
  return echoReply(body);
}

/** The tool input as an object, as the real API always sends it (unparsable text becomes {}). */
function toolInput(args: string): unknown {
  try {
    const input: unknown = JSON.parse(args);
    return typeof input === "object" && input !== null && !Array.isArray(input) ? input : {};
  } catch {
    return {};
  }
}

function message(id: string, model: string, reply: Reply) {
  const content: object[] = [];
  if (reply.text || !reply.toolUse) content.push({ type: "text", text: reply.text, citations: null });
  if (reply.toolUse) {
    const { id: toolId, name, arguments: args } = reply.toolUse;
    content.push({ type: "tool_use", id: toolId, name, input: toolInput(args), caller: { type: "direct" } });
  }
  return {
    id,
    type: "message",
    role: "assistant",
    model,
    content,
    stop_reason: reply.stopReason,
    stop_sequence: reply.stopSequence,
    stop_details: null,
    container: null,
    diagnostics: null,
    usage: { ...reply.usage, cache_creation: null, server_tool_use: null, service_tier: "standard", inference_geo: null, output_tokens_details: null, speed: null },
  };
}

/** Splits text into word-sized pieces that concatenate back to exactly the text. */
function textPieces(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? (text ? [text] : []);
}

/** Splits a string into `parts` roughly equal pieces (none for an empty string). */
function slices(text: string, parts: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / parts));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

type SseEvent = { event: string; data: object };

/** The named events Anthropic streams for a reply, in Anthropic's order (a ping after the first block starts). */
function streamEvents(id: string, body: MessagesBody, reply: Reply): SseEvent[] {
  const events: SseEvent[] = [];
  const push = (event: string, data: object) => events.push({ event, data: { type: event, ...data } });
  const { output_tokens, ...inputUsage } = reply.usage;
  push("message_start", {
    message: {
      id,
      type: "message",
      role: "assistant",
      model: String(body.model),
      content: [],
      stop_reason: null,
      stop_sequence: null,
      // Like the real API, message_start carries the input side and a token or so of output.
      usage: { ...inputUsage, output_tokens: Math.min(1, output_tokens) },
    },
  });
  let index = 0;
  if (reply.text || !reply.toolUse) {
    push("content_block_start", { index, content_block: { type: "text", text: "" } });
    push("ping", {});
    for (const text of textPieces(reply.text)) push("content_block_delta", { index, delta: { type: "text_delta", text } });
    push("content_block_stop", { index });
    index++;
  }
  if (reply.toolUse) {
    const { id: toolId, name, arguments: args } = reply.toolUse;
    push("content_block_start", { index, content_block: { type: "tool_use", id: toolId, name, input: {} } });
    if (index === 0) push("ping", {});
    // The real API opens with an empty partial_json, then sends the JSON text in pieces.
    for (const partial_json of ["", ...slices(args, 3)]) push("content_block_delta", { index, delta: { type: "input_json_delta", partial_json } });
    push("content_block_stop", { index });
  }
  push("message_delta", { delta: { stop_reason: reply.stopReason, stop_sequence: reply.stopSequence }, usage: { output_tokens } });
  push("message_stop", {});
  return events;
}

// ---------------------------------------------------------------------------------
// Responses

function sse({ event, data }: SseEvent): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Writes the stream; with `dropAfter`, writes that many events and then kills the socket. */
function sendStream(res: ServerResponse, events: SseEvent[], dropAfter?: number) {
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "request-id": requestId() });
  if (dropAfter === undefined) {
    res.end(events.map(sse).join(""));
    return;
  }
  const sent = events.slice(0, Math.max(0, dropAfter)).map(sse).join("");
  // Destroy only once the events are flushed, so the client really sees them first.
  if (sent) {
    res.write(sent, () => res.socket?.destroy());
  } else {
    res.flushHeaders();
    setImmediate(() => res.socket?.destroy());
  }
}

let requestCounter = 0;
function requestId(): string {
  return `req_fake_${++requestCounter}`;
}

function sendJson(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}, id = requestId()) {
  const text = JSON.stringify(payload);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), "request-id": id, ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, type: string, message: string, headers?: Record<string, string>) {
  const id = requestId();
  sendJson(res, status, { type: "error", error: { type, message }, request_id: id }, headers, id);
}

/** Anthropic's error type and usual message for a status, so scenarios can give just the status. */
const ERROR_DEFAULTS: Record<number, { type: string; message: string }> = {
  400: { type: "invalid_request_error", message: "Invalid request." },
  401: { type: "authentication_error", message: "invalid x-api-key" },
  403: { type: "permission_error", message: "Your API key does not have permission to use the specified resource." },
  404: { type: "not_found_error", message: "The requested resource could not be found." },
  413: { type: "request_too_large", message: "Request exceeds the maximum allowed number of bytes." },
  429: { type: "rate_limit_error", message: "Number of request tokens has exceeded your per-minute rate limit." },
  500: { type: "api_error", message: "Internal server error" },
  529: { type: "overloaded_error", message: "Overloaded" },
};

function sendScenarioError(res: ServerResponse, scenario: Extract<FakeScenario, { kind: "error" }>) {
  const fallback = ERROR_DEFAULTS[scenario.status] ?? (scenario.status >= 500 ? ERROR_DEFAULTS[500]! : ERROR_DEFAULTS[400]!);
  const headers = scenario.retryAfterSeconds !== undefined ? { "retry-after": String(scenario.retryAfterSeconds) } : undefined;
  sendError(res, scenario.status, scenario.type ?? fallback.type, scenario.message ?? fallback.message, headers);
}

function modelObject(model: (typeof MODELS)[number]) {
  return { type: "model", id: model.id, display_name: model.display_name, created_at: model.created_at };
}
