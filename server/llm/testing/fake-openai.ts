// A local server that speaks OpenAI's Chat Completions wire format for real (JSON and
// SSE, error bodies, retry-after, dropped sockets), so unit tests, end-to-end tests and
// benchmarks can point the official SDK at it instead of at api.openai.com.
//
// Without a scenario it answers deterministically: "Echo: <last user message>", with
// usage counted in words (prompt = words of all messages, completion = words of the
// reply) so tests can assert exact numbers. Scenarios change what the next chat
// completion request gets; they are consumed only by POST /v1/chat/completions.
//
// It must stay fast (benchmarks drive thousands of requests per second through it):
// no sleeps unless a scenario asks, no logging, whole SSE bodies written in one go.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type FakeScenario =
  | { kind: "text"; text: string; usage?: { prompt_tokens: number; completion_tokens: number; cached_tokens?: number } }
  | { kind: "tool_call"; name: string; arguments: string; id?: string }
  | { kind: "error"; status: number; message?: string; type?: string; retryAfterSeconds?: number }
  /** Waits before sending headers, then plays `then`. */
  | { kind: "slow"; delayMs: number; then: FakeScenario }
  /** Streaming: sends N chunks, then destroys the socket. Non-streaming: destroys it before responding. */
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

export interface FakeOpenAI {
  /** e.g. http://127.0.0.1:PORT/v1, to pass as the SDK's baseURL. */
  url: string;
  /** The most recent requests (at most MAX_RECORDED), oldest first. */
  requests: RecordedRequest[];
  /** Scenarios for the next chat completion requests, one per request, FIFO. */
  enqueue(...scenarios: FakeScenario[]): void;
  /** What chat completions get when the queue is empty; null restores the deterministic echo. */
  setDefault(scenario: FakeScenario | null): void;
  close(): Promise<void>;
}

const MAX_RECORDED = 1_000;
const BASE_MODELS = ["gpt-4o-mini", "gpt-4o"];
// A fixed timestamp keeps /v1/models output stable across runs.
const MODEL_CREATED = 1_715_367_049;

type Usage = { prompt_tokens: number; completion_tokens: number; cached_tokens?: number };
type FinishReason = "stop" | "length" | "tool_calls";

/** One reply, independent of whether it is sent as JSON or SSE. */
interface Reply {
  content: string | null;
  toolCall?: { id: string; name: string; arguments: string };
  finishReason: FinishReason;
  usage: Usage;
}

interface ChatBody {
  model?: unknown;
  messages?: unknown;
  stream?: unknown;
  stream_options?: { include_usage?: unknown } | null;
  max_tokens?: unknown;
  max_completion_tokens?: unknown;
  response_format?: { type?: unknown } | null;
}

export function startFakeOpenAI(opts: { port?: number; apiKey?: string } = {}): Promise<FakeOpenAI> {
  const queue: FakeScenario[] = [];
  let fallback: FakeScenario | null = null;
  const requests: RecordedRequest[] = [];
  const seenModels = new Set<string>(BASE_MODELS);
  const timers = new Set<NodeJS.Timeout>();
  let counter = 0;

  const record = (req: IncomingMessage, body: unknown): RecordedRequest => {
    const entry: RecordedRequest = { method: req.method ?? "GET", path: req.url ?? "/", headers: req.headers, body, aborted: false };
    if (requests.length >= MAX_RECORDED) requests.shift();
    requests.push(entry);
    return entry;
  };

  const handleChat = (body: ChatBody, res: ServerResponse) => {
    if (typeof body.model !== "string" || !body.model) {
      return sendError(res, 400, "you must provide a model parameter", "invalid_request_error", null, "model");
    }
    if (!Array.isArray(body.messages)) {
      return sendError(res, 400, "Missing required parameter: 'messages'.", "invalid_request_error", "missing_required_parameter", "messages");
    }
    seenModels.add(body.model);
    play(queue.shift() ?? fallback, body, res);
  };

  const play = (scenario: FakeScenario | null, body: ChatBody, res: ServerResponse) => {
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
    const id = `chatcmpl-fake-${++counter}`;
    const stream = body.stream === true;
    if (scenario?.kind === "drop") {
      if (!stream) return void res.socket?.destroy();
      return sendStream(res, streamChunks(id, body, echoReply(body)), scenario.afterChunks);
    }
    const reply = scenario ? scriptedReply(scenario, body, counter) : echoReply(body);
    if (stream) return sendStream(res, streamChunks(id, body, reply));
    sendJson(res, 200, completion(id, String(body.model), reply));
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

    if (opts.apiKey !== undefined && req.headers.authorization !== `Bearer ${opts.apiKey}`) {
      return sendError(res, 401, invalidKeyMessage(req.headers), "invalid_request_error", "invalid_api_key");
    }
    if (req.method === "POST" && path === "/v1/chat/completions") {
      if (typeof body !== "object" || body === null) {
        return sendError(res, 400, "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)", "invalid_request_error");
      }
      return handleChat(body as ChatBody, res);
    }
    if (req.method === "GET" && path === "/v1/models") {
      return sendJson(res, 200, { object: "list", data: [...seenModels].map(modelObject) });
    }
    const model = /^\/v1\/models\/([^/]+)$/.exec(path);
    if (req.method === "GET" && model) {
      const name = decodeURIComponent(model[1]!);
      if (seenModels.has(name)) return sendJson(res, 200, modelObject(name));
      return sendError(res, 404, `The model '${name}' does not exist`, "invalid_request_error", "model_not_found", "model");
    }
    sendError(res, 404, `Invalid URL (${req.method} ${path})`, "invalid_request_error");
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      try {
        handle(req, res, chunks.length ? Buffer.concat(chunks).toString("utf8") : "");
      } catch (error) {
        if (!res.headersSent) sendError(res, 500, `The fake server failed: ${String(error)}`, "server_error");
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
        url: `http://127.0.0.1:${port}/v1`,
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
// Replies

function countWords(text: string): number {
  let n = 0;
  for (const word of text.split(/\s+/)) if (word) n++;
  return n;
}

/** The text of a message's content, whether a string or an array of content parts. */
function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((part: { text?: unknown }) => (typeof part?.text === "string" ? part.text : "")).join(" ");
}

type WireMessage = { role?: unknown; content?: unknown; tool_calls?: { function?: { name?: unknown; arguments?: unknown } }[] };

function messageWords(message: WireMessage): number {
  let n = countWords(contentText(message.content));
  for (const call of message.tool_calls ?? []) n += countWords(`${call.function?.name ?? ""} ${call.function?.arguments ?? ""}`);
  return n;
}

function promptTokens(body: ChatBody): number {
  return (body.messages as WireMessage[]).reduce((sum, m) => sum + messageWords(m ?? {}), 0);
}

function lastUserText(body: ChatBody): string {
  const messages = body.messages as WireMessage[];
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]?.role === "user") return contentText(messages[i]!.content);
  return "";
}

function maxTokens(body: ChatBody): number | undefined {
  const limit = body.max_completion_tokens ?? body.max_tokens;
  return typeof limit === "number" && limit >= 0 ? limit : undefined;
}

/** Cuts text to the request's max tokens (counted in words), the way a vendor stops at `length`. */
function textReply(text: string, body: ChatBody, usage?: Usage): Reply {
  const limit = maxTokens(body);
  const words = text.match(/\S+\s*/g) ?? [];
  const truncated = limit !== undefined && words.length > limit;
  const content = truncated ? words.slice(0, limit).join("").trimEnd() : text;
  return {
    content,
    finishReason: truncated ? "length" : "stop",
    usage: usage ?? { prompt_tokens: promptTokens(body), completion_tokens: countWords(content), cached_tokens: 0 },
  };
}

function echoReply(body: ChatBody): Reply {
  const said = lastUserText(body);
  const json = body.response_format?.type === "json_object" || body.response_format?.type === "json_schema";
  // In JSON mode OpenAI guarantees a JSON object, so the echo is one too.
  return textReply(json ? JSON.stringify({ echo: said }) : `Echo: ${said}`, body);
}

function scriptedReply(scenario: FakeScenario, body: ChatBody, n: number): Reply {
  if (scenario.kind === "text") return textReply(scenario.text, body, scenario.usage);
  if (scenario.kind === "tool_call") {
    return {
      content: null,
      toolCall: { id: scenario.id ?? `call_fake_${n}`, name: scenario.name, arguments: scenario.arguments },
      finishReason: "tool_calls",
      usage: { prompt_tokens: promptTokens(body), completion_tokens: countWords(`${scenario.name} ${scenario.arguments}`), cached_tokens: 0 },
    };
  }
  // slow, error and drop are handled before a reply is built.
  return echoReply(body);
}

function wireUsage(usage: Usage) {
  return {
    prompt_tokens: usage.prompt_tokens,
    completion_tokens: usage.completion_tokens,
    total_tokens: usage.prompt_tokens + usage.completion_tokens,
    prompt_tokens_details: { cached_tokens: usage.cached_tokens ?? 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function completion(id: string, model: string, reply: Reply) {
  const toolCalls = reply.toolCall
    ? [{ id: reply.toolCall.id, type: "function", function: { name: reply.toolCall.name, arguments: reply.toolCall.arguments } }]
    : undefined;
  return {
    id,
    object: "chat.completion",
    created: nowSeconds(),
    model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: reply.content, refusal: null, annotations: [], ...(toolCalls ? { tool_calls: toolCalls } : {}) },
        logprobs: null,
        finish_reason: reply.finishReason,
      },
    ],
    usage: wireUsage(reply.usage),
    service_tier: "default",
    system_fingerprint: "fp_fake",
  };
}

/** Splits text into word-sized pieces that concatenate back to exactly the text. */
function textPieces(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? (text ? [text] : []);
}

/** Splits a string into `parts` roughly equal pieces (at least one, possibly empty). */
function slices(text: string, parts: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / parts));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length ? out : [""];
}

/** The SSE chunks OpenAI sends for a reply: role, deltas, finish_reason, then usage if asked. */
function streamChunks(id: string, body: ChatBody, reply: Reply): object[] {
  const model = String(body.model);
  const created = nowSeconds();
  const includeUsage = body.stream_options?.include_usage === true;
  // With include_usage, OpenAI sends `usage: null` on every chunk but the last.
  const base = { id, object: "chat.completion.chunk", created, model, service_tier: "default", system_fingerprint: "fp_fake", ...(includeUsage ? { usage: null } : {}) };
  const chunk = (delta: object, finish: FinishReason | null = null) => ({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });

  const chunks: object[] = [chunk({ role: "assistant", content: reply.toolCall ? null : "", refusal: null })];
  for (const piece of textPieces(reply.content ?? "")) chunks.push(chunk({ content: piece }));
  if (reply.toolCall) {
    const { id: callId, name, arguments: args } = reply.toolCall;
    chunks.push(chunk({ tool_calls: [{ index: 0, id: callId, type: "function", function: { name, arguments: "" } }] }));
    for (const piece of slices(args, 3)) chunks.push(chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] }));
  }
  chunks.push(chunk({}, reply.finishReason));
  if (includeUsage) chunks.push({ ...base, choices: [], usage: wireUsage(reply.usage) });
  return chunks;
}

// ---------------------------------------------------------------------------------
// Responses

function sse(chunk: object): string {
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

/** Writes the stream; with `dropAfter`, writes that many chunks and then kills the socket. */
function sendStream(res: ServerResponse, chunks: object[], dropAfter?: number) {
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-request-id": requestId() });
  if (dropAfter === undefined) {
    res.end(chunks.map(sse).join("") + "data: [DONE]\n\n");
    return;
  }
  const sent = chunks.slice(0, Math.max(0, dropAfter)).map(sse).join("");
  // Destroy only once the chunks are flushed, so the client really sees them first.
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

function sendJson(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(payload);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), "x-request-id": requestId(), ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, message: string, type: string, code: string | null = null, param: string | null = null, headers?: Record<string, string>) {
  sendJson(res, status, { error: { message, type, param, code } }, headers);
}

/** OpenAI's usual message, type and code for a status, so scenarios can give just the status. */
const ERROR_DEFAULTS: Record<number, { message: string; type: string; code: string | null }> = {
  400: { message: "Invalid request.", type: "invalid_request_error", code: null },
  401: { message: "Incorrect API key provided.", type: "invalid_request_error", code: "invalid_api_key" },
  403: { message: "You are not allowed to sample from this model.", type: "invalid_request_error", code: null },
  404: { message: "The model does not exist or you do not have access to it.", type: "invalid_request_error", code: "model_not_found" },
  429: { message: "Rate limit reached for requests. Please try again later.", type: "requests", code: "rate_limit_exceeded" },
  500: { message: "The server had an error while processing your request. Sorry about that!", type: "server_error", code: null },
  503: { message: "The engine is currently overloaded, please try again later.", type: "server_error", code: null },
};

function sendScenarioError(res: ServerResponse, scenario: Extract<FakeScenario, { kind: "error" }>) {
  const fallback = ERROR_DEFAULTS[scenario.status] ?? { message: `HTTP ${scenario.status}`, type: scenario.status >= 500 ? "server_error" : "invalid_request_error", code: null };
  const headers = scenario.retryAfterSeconds !== undefined ? { "retry-after": String(scenario.retryAfterSeconds) } : undefined;
  sendError(res, scenario.status, scenario.message ?? fallback.message, scenario.type ?? fallback.type, fallback.code, null, headers);
}

function invalidKeyMessage(headers: IncomingHttpHeaders): string {
  const key = (headers.authorization ?? "").replace(/^Bearer\s+/i, "");
  const shown = key.length > 8 ? `${key.slice(0, 3)}*****${key.slice(-4)}` : key || "(none)";
  return `Incorrect API key provided: ${shown}. You can find your API key at https://platform.openai.com/account/api-keys.`;
}

function modelObject(id: string) {
  return { id, object: "model", created: MODEL_CREATED, owned_by: id.startsWith("gpt-") ? "system" : "fake-openai" };
}
