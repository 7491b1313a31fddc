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
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { countWords, publicFake, requestId, retryAfterHeaders, sendJson, sendSse, slices, startFakeVendor, textPieces, truncateWords } from "./fake-vendor.ts";
import type { DropScenario, ErrorScenario, FakeVendor, SlowScenario, VendorServer } from "./fake-vendor.ts";

export type { RecordedRequest } from "./fake-vendor.ts";

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
  | ErrorScenario
  /** Waits before sending headers, then plays `then`. */
  | SlowScenario<FakeScenario>
  /** Streaming: sends N SSE events, then destroys the socket. Non-streaming: destroys it before responding. */
  | DropScenario;

type ReplyScenario = Extract<FakeScenario, { kind: "text" | "tool_call" }>;

/** Scenarios are for POST /v1/messages only. */
export interface FakeAnthropic extends FakeVendor<FakeScenario> {
  /** e.g. http://127.0.0.1:PORT, to pass as the SDK's baseURL (the SDK adds /v1/messages). */
  url: string;
}

const ID_HEADER = "request-id";
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

export async function startFakeAnthropic(opts: { port?: number; apiKey?: string } = {}): Promise<FakeAnthropic> {
  const handle = (req: IncomingMessage, res: ServerResponse, path: string, body: unknown, server: VendorServer<ReplyScenario, MessagesBody>) => {
    if (opts.apiKey !== undefined && presentedKey(req.headers) !== opts.apiKey) {
      return sendError(res, 401, "authentication_error", "invalid x-api-key");
    }
    if (req.method === "POST" && path === "/v1/messages") {
      if (typeof body !== "object" || body === null || Array.isArray(body)) {
        return sendError(res, 400, "invalid_request_error", "The request body is not valid JSON.");
      }
      const invalid = validationError(req.headers, body as MessagesBody);
      if (invalid) return sendError(res, 400, "invalid_request_error", invalid);
      return server.play(res, body as MessagesBody);
    }
    if (req.method === "GET" && path === "/v1/models") {
      const data = MODELS.map(modelObject);
      return sendJson(res, 200, { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null }, ID_HEADER);
    }
    const model = /^\/v1\/models\/([^/]+)$/.exec(path);
    if (req.method === "GET" && model) {
      const found = MODELS.find((m) => m.id === decodeURIComponent(model[1]!));
      if (found) return sendJson(res, 200, modelObject(found), ID_HEADER);
      return sendError(res, 404, "not_found_error", `model: ${decodeURIComponent(model[1]!)}`);
    }
    sendError(res, 404, "not_found_error", "Not Found");
  };

  const server = await startFakeVendor<ReplyScenario, MessagesBody>({
    port: opts.port,
    handle,
    reply: sendReply,
    error: sendScenarioError,
    fail: (res, error) => sendError(res, 500, "api_error", `The fake server failed: ${String(error)}`),
  });
  return publicFake(server, server.url);
}

/** Plays a reply scenario (or the echo, for null) as JSON or SSE. */
function sendReply(res: ServerResponse, body: MessagesBody, n: number, scenario: ReplyScenario | null, dropAfter: number | undefined) {
  const id = `msg_fake_${n}`;
  const reply = scenario ? scriptedReply(scenario, body, n) : echoReply(body);
  if (body.stream === true) return sendSse(res, ID_HEADER, streamEvents(id, body, reply), sse, dropAfter);
  sendJson(res, 200, message(id, String(body.model), reply), ID_HEADER);
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
  const truncated = truncateWords(content, body.max_tokens as number);
  if (truncated !== undefined) {
    content = truncated;
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

function sendError(res: ServerResponse, status: number, type: string, message: string, headers?: Record<string, string>) {
  const id = requestId();
  sendJson(res, status, { type: "error", error: { type, message }, request_id: id }, ID_HEADER, headers, id);
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

function sendScenarioError(res: ServerResponse, scenario: ErrorScenario) {
  const fallback = ERROR_DEFAULTS[scenario.status] ?? (scenario.status >= 500 ? ERROR_DEFAULTS[500]! : ERROR_DEFAULTS[400]!);
  sendError(res, scenario.status, scenario.type ?? fallback.type, scenario.message ?? fallback.message, retryAfterHeaders(scenario));
}

function modelObject(model: (typeof MODELS)[number]) {
  return { type: "model", id: model.id, display_name: model.display_name, created_at: model.created_at };
}
