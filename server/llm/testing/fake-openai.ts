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
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { countWords, publicFake, retryAfterHeaders, sendJson, sendSse, slices, startFakeVendor, textPieces, truncateWords } from "./fake-vendor.ts";
import type { DropScenario, ErrorScenario, FakeVendor, SlowScenario, VendorServer } from "./fake-vendor.ts";

export type { RecordedRequest } from "./fake-vendor.ts";

export type FakeScenario =
  | { kind: "text"; text: string; usage?: { prompt_tokens: number; completion_tokens: number; cached_tokens?: number } }
  | { kind: "tool_call"; name: string; arguments: string; id?: string }
  | ErrorScenario
  /** Waits before sending headers, then plays `then`. */
  | SlowScenario<FakeScenario>
  /** Streaming: sends N chunks, then destroys the socket. Non-streaming: destroys it before responding. */
  | DropScenario;

type ReplyScenario = Extract<FakeScenario, { kind: "text" | "tool_call" }>;

/** Scenarios are for chat completion requests only. */
export interface FakeOpenAI extends FakeVendor<FakeScenario> {
  /** e.g. http://127.0.0.1:PORT/v1, to pass as the SDK's baseURL. */
  url: string;
}

const ID_HEADER = "x-request-id";
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

export async function startFakeOpenAI(opts: { port?: number; apiKey?: string } = {}): Promise<FakeOpenAI> {
  const seenModels = new Set<string>(BASE_MODELS);

  const handle = (req: IncomingMessage, res: ServerResponse, path: string, body: unknown, server: VendorServer<ReplyScenario, ChatBody>) => {
    if (opts.apiKey !== undefined && req.headers.authorization !== `Bearer ${opts.apiKey}`) {
      return sendError(res, 401, invalidKeyMessage(req.headers), "invalid_request_error", "invalid_api_key");
    }
    if (req.method === "POST" && path === "/v1/chat/completions") {
      if (typeof body !== "object" || body === null) {
        return sendError(res, 400, "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)", "invalid_request_error");
      }
      const chat = body as ChatBody;
      if (typeof chat.model !== "string" || !chat.model) {
        return sendError(res, 400, "you must provide a model parameter", "invalid_request_error", null, "model");
      }
      if (!Array.isArray(chat.messages)) {
        return sendError(res, 400, "Missing required parameter: 'messages'.", "invalid_request_error", "missing_required_parameter", "messages");
      }
      seenModels.add(chat.model);
      return server.play(res, chat);
    }
    if (req.method === "GET" && path === "/v1/models") {
      return sendJson(res, 200, { object: "list", data: [...seenModels].map(modelObject) }, ID_HEADER);
    }
    const model = /^\/v1\/models\/([^/]+)$/.exec(path);
    if (req.method === "GET" && model) {
      const name = decodeURIComponent(model[1]!);
      if (seenModels.has(name)) return sendJson(res, 200, modelObject(name), ID_HEADER);
      return sendError(res, 404, `The model '${name}' does not exist`, "invalid_request_error", "model_not_found", "model");
    }
    sendError(res, 404, `Invalid URL (${req.method} ${path})`, "invalid_request_error");
  };

  const server = await startFakeVendor<ReplyScenario, ChatBody>({
    port: opts.port,
    handle,
    reply: sendReply,
    error: sendScenarioError,
    fail: (res, error) => sendError(res, 500, `The fake server failed: ${String(error)}`, "server_error"),
  });
  return publicFake(server, `${server.url}/v1`);
}

/** Plays a reply scenario (or the echo, for null) as JSON or SSE. */
function sendReply(res: ServerResponse, body: ChatBody, n: number, scenario: ReplyScenario | null, dropAfter: number | undefined) {
  const id = `chatcmpl-fake-${n}`;
  const reply = scenario ? scriptedReply(scenario, body, n) : echoReply(body);
  if (body.stream === true) return sendSse(res, ID_HEADER, streamChunks(id, body, reply), sse, dropAfter, "data: [DONE]\n\n");
  sendJson(res, 200, completion(id, String(body.model), reply), ID_HEADER);
}

// ---------------------------------------------------------------------------------
// Replies

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
  const truncated = truncateWords(text, maxTokens(body));
  const content = truncated ?? text;
  return {
    content,
    finishReason: truncated !== undefined ? "length" : "stop",
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
    // At least one arguments chunk, even for empty arguments.
    const pieces = slices(args, 3);
    for (const piece of pieces.length ? pieces : [""]) chunks.push(chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] }));
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

function sendError(res: ServerResponse, status: number, message: string, type: string, code: string | null = null, param: string | null = null, headers?: Record<string, string>) {
  sendJson(res, status, { error: { message, type, param, code } }, ID_HEADER, headers);
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

function sendScenarioError(res: ServerResponse, scenario: ErrorScenario) {
  const fallback = ERROR_DEFAULTS[scenario.status] ?? { message: `HTTP ${scenario.status}`, type: scenario.status >= 500 ? "server_error" : "invalid_request_error", code: null };
  sendError(res, scenario.status, scenario.message ?? fallback.message, scenario.type ?? fallback.type, fallback.code, null, retryAfterHeaders(scenario));
}

function invalidKeyMessage(headers: IncomingHttpHeaders): string {
  const key = (headers.authorization ?? "").replace(/^Bearer\s+/i, "");
  const shown = key.length > 8 ? `${key.slice(0, 3)}*****${key.slice(-4)}` : key || "(none)";
  return `Incorrect API key provided: ${shown}. You can find your API key at https://platform.openai.com/account/api-keys.`;
}

function modelObject(id: string) {
  return { id, object: "model", created: MODEL_CREATED, owned_by: id.startsWith("gpt-") ? "system" : "fake-openai" };
}
