// The wire side of Maestro's OpenAI-compatible API (POST /v1/chat/completions,
// GET /v1/models): OpenAI's JSON in, GatewayRequest out; GatewayResult and stream events
// in, OpenAI's JSON and SSE out; any error in, OpenAI's error body out. Pure functions, so
// the HTTP handler stays thin and the official `openai` client works against /v1 unchanged.
//
// This is providers/openai.ts in reverse: that file turns our types into what OpenAI
// accepts, this one accepts what OpenAI clients send. Error messages follow OpenAI's own
// wording and name the offending parameter, since client libraries and people debugging
// them have learned to read those.
import { z } from "zod";
import { isDomainError } from "../errors.ts";
import { isProviderError, type ProviderError } from "./errors.ts";
import { STRATEGIES, TASK_PRESETS, type CallMeta, type GatewayRequest, type GatewayStreamEvent } from "./gateway-types.ts";
import type { ChatMessage, ChatResponse, ToolChoice, ToolDefinition, Usage } from "./types.ts";

// ---------------------------------------------------------------------------------
// Errors on the wire

export interface WireErrorOptions {
  status?: number;
  type?: string;
  code?: string | null;
  param?: string | null;
}

/** An error already phrased for OpenAI clients; `errorBody` sends it as is. */
export class WireError extends Error {
  readonly status: number;
  readonly type: string;
  readonly code: string | null;
  readonly param: string | null;
  constructor(message: string, options: WireErrorOptions = {}) {
    super(message);
    this.name = "WireError";
    this.status = options.status ?? 400;
    this.type = options.type ?? "invalid_request_error";
    this.code = options.code ?? null;
    this.param = options.param ?? null;
  }
}

// By name rather than instanceof: Next's bundle and the custom server may each load their
// own copy of this module (see server/errors.ts).
function isWireError(error: unknown): error is WireError {
  return error instanceof Error && error.name === "WireError" && typeof (error as WireError).status === "number";
}

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export interface WireErrorResponse {
  status: number;
  body: OpenAIErrorBody;
  /**
   * Headers to send with it: `retry-after` when known, and `x-should-retry: false` when a
   * retry cannot help. The official SDKs retry every 429 and 5xx twice unless told not to,
   * which for a spent budget or a wrong provider key only adds seconds of backoff.
   */
  headers: Record<string, string>;
}

const GENERIC_SERVER_ERROR = "The server had an error while processing your request. Sorry about that!";

/** The HTTP status, OpenAI-shaped body and headers for any error a /v1 handler catches. */
export function errorBody(error: unknown): WireErrorResponse {
  const [status, message, type, code, param, retryable] = classify(error);
  const headers: Record<string, string> = {};
  const after = retryAfterSeconds(error);
  if (after !== undefined) headers["retry-after"] = String(after);
  if (!retryable && (status === 429 || status >= 500)) headers["x-should-retry"] = "false";
  return { status, body: { error: { message, type, param, code } }, headers };
}

/** Seconds to put in a Retry-After header, when the error knows when trying again may work. */
export function retryAfterSeconds(error: unknown): number | undefined {
  if (isProviderError(error)) {
    const ms = error.details.retryAfterMs;
    return error.kind === "rate_limited" && ms !== undefined ? Math.max(1, Math.ceil(ms / 1000)) : undefined;
  }
  if (isDomainError(error)) {
    const seconds = error.details?.retryAfterSeconds;
    return typeof seconds === "number" && Number.isFinite(seconds) ? Math.max(1, Math.ceil(seconds)) : undefined;
  }
  return undefined;
}

type Classified = [status: number, message: string, type: string, code: string | null, param: string | null, retryable: boolean];

function classify(error: unknown): Classified {
  if (isWireError(error)) return [error.status, error.message, error.type, error.code, error.param, error.status === 429 || error.status >= 500];
  // Checked before the domain errors: a budget refusal is a DomainError with a 429 status,
  // but it is a quota the caller has used up, not a rate they can wait out.
  if (isBudgetExceeded(error)) return [429, error.message, "insufficient_quota", "budget_exceeded", null, false];
  if (error instanceof Error && error.name === "NoRouteError") {
    return [404, error.message, "invalid_request_error", "model_not_found", "model", false];
  }
  if (isProviderError(error)) return classifyProviderError(error);
  if (isDomainError(error)) return classifyDomainError(error);
  return [500, GENERIC_SERVER_ERROR, "server_error", null, null, true];
}

function isBudgetExceeded(error: unknown): error is Error & { budget: { id: string; name: string } } {
  return error instanceof Error && error.name === "BudgetExceededError" && (error as { code?: unknown }).code === "BUDGET_EXCEEDED";
}

function classifyDomainError(error: Error & { code: string; status: number }): Classified {
  // Domain messages are written for the people calling the API, so they pass through.
  const message = error.message;
  // As a string: the set of domain codes grows with the gateway, and unknown ones fall to the default.
  switch (error.code as string) {
    case "BAD_REQUEST":
      return [400, message, "invalid_request_error", null, null, false];
    case "UNAUTHORIZED":
      return [401, message, "invalid_request_error", "invalid_api_key", null, false];
    case "FORBIDDEN":
      return [403, message, "permission_error", null, null, false];
    case "NOT_FOUND":
      return [404, message, "invalid_request_error", "model_not_found", null, false];
    case "TOO_MANY_REQUESTS":
      return [429, message, "requests", "rate_limit_exceeded", null, true];
    case "PAYLOAD_TOO_LARGE":
      return [413, message, "invalid_request_error", "request_too_large", null, false];
    case "BAD_GATEWAY":
      return [502, message, "server_error", "upstream_error", null, true];
    case "GATEWAY_TIMEOUT":
      return [504, message, "server_error", "upstream_timeout", null, true];
    default: {
      const status = Number.isInteger(error.status) && error.status >= 400 ? error.status : 500;
      return [status, message, status >= 500 ? "server_error" : "invalid_request_error", null, null, status >= 500];
    }
  }
}

function classifyProviderError(error: ProviderError): Classified {
  const provider = `"${error.details.provider}"`;
  switch (error.kind) {
    // The vendor's own rate-limit text names the gateway's organisation and limits, which
    // are the operator's business, not the caller's.
    case "rate_limited":
      return [429, `The upstream provider ${provider} is rate limiting requests. Please try again later.`, "requests", "rate_limit_exceeded", null, true];
    case "server":
      return [502, `The upstream provider ${provider} failed: ${error.message}`, "server_error", "upstream_error", null, true];
    // Connection messages carry internal hosts and ports.
    case "connection":
      return [502, `Could not reach the upstream provider ${provider}.`, "server_error", "upstream_error", null, true];
    case "timeout":
      return [504, `The upstream provider ${provider} did not answer in time.`, "server_error", "upstream_timeout", null, true];
    // The vendor's words are about the request the caller sent, so they help fix it.
    case "bad_request":
      return [400, error.message, "invalid_request_error", null, null, false];
    // A 401 here would tell the caller their Maestro key is wrong when it is the gateway's.
    case "auth":
      return [
        502,
        `The upstream provider ${provider} rejected the gateway's credentials; an administrator needs to check that provider's API key.`,
        "server_error",
        "upstream_auth_error",
        null,
        false,
      ];
    case "not_found":
      return [404, error.message, "invalid_request_error", "model_not_found", "model", false];
    case "cancelled":
      // 499 (nginx's "client closed request"): the caller went away; nobody reads this but the logs.
      return [499, "The request was cancelled.", "invalid_request_error", "request_cancelled", null, false];
  }
}

/**
 * An error after a stream has started (headers are out): the SSE event OpenAI itself sends,
 * which the official SDKs raise as an APIError. Follow it with SSE_DONE or close the stream.
 */
export function encodeStreamError(error: unknown): string {
  return `data: ${JSON.stringify({ error: errorBody(error).body.error })}\n\n`;
}

// ---------------------------------------------------------------------------------
// Request

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

const textPart = z.object({ type: z.literal("text"), text: z.string() });
// Parsed (not refused by the schema) so the error can say plainly that the gateway cannot
// take media yet, rather than "invalid value 'image_url'" as if the client were wrong.
const userPart = z.discriminatedUnion("type", [
  textPart,
  z.object({ type: z.literal("image_url") }),
  z.object({ type: z.literal("input_audio") }),
  z.object({ type: z.literal("file") }),
]);
const assistantPart = z.discriminatedUnion("type", [textPart, z.object({ type: z.literal("refusal"), refusal: z.string() })]);

const textContent = z.union([z.string(), z.array(textPart).min(1)]);
const userContent = z.union([z.string(), z.array(userPart).min(1)]);

const toolCallSchema = z.object({
  id: z.string(),
  type: z.literal("function"),
  function: z.object({ name: z.string(), arguments: z.string() }),
});

// Fields OpenAI accepts and we have no use for (name, audio, function_call) are stripped.
const messageSchema = z.discriminatedUnion("role", [
  z.object({ role: z.literal("system"), content: textContent }),
  z.object({ role: z.literal("developer"), content: textContent }),
  z.object({ role: z.literal("user"), content: userContent }),
  z.object({
    role: z.literal("assistant"),
    content: z.union([z.string(), z.array(assistantPart)]).nullish(),
    refusal: z.string().nullish(),
    tool_calls: z.array(toolCallSchema).nullish(),
  }),
  z.object({ role: z.literal("tool"), content: textContent, tool_call_id: z.string() }),
]);

const toolSchema = z.object({
  type: z.literal("function"),
  function: z.object({
    name: z.string().regex(TOOL_NAME),
    description: z.string().nullish(),
    parameters: z.record(z.string(), z.unknown()).nullish(),
    strict: z.boolean().nullish(),
  }),
});

const toolChoiceSchema = z.union([
  z.enum(["none", "auto", "required"]),
  z.object({ type: z.literal("function"), function: z.object({ name: z.string() }) }),
]);

const responseFormatSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({ type: z.literal("json_schema"), json_schema: z.object({ name: z.string() }) }),
]);

// Maestro's own extension is strict: a misspelt key there would otherwise silently route
// the call somewhere the caller did not intend.
const maestroSchema = z.strictObject({
  strategy: z.enum(STRATEGIES).optional(),
  preset: z.enum(TASK_PRESETS).optional(),
  fallback: z.array(z.string().min(1)).optional(),
  cache: z.boolean().optional(),
});

// The SDKs send null for unset optional parameters, hence nullish. Unknown top-level keys
// (user, seed, logprobs, metadata, store, ...) are stripped: clients send plenty of them.
const bodySchema = z.object({
  model: z.string().min(1),
  messages: z.array(messageSchema).min(1),
  tools: z.array(toolSchema).nullish(),
  tool_choice: toolChoiceSchema.nullish(),
  response_format: responseFormatSchema.nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  max_tokens: z.int().min(1).nullish(),
  max_completion_tokens: z.int().min(1).nullish(),
  stop: z.union([z.string(), z.array(z.string())]).nullish(),
  n: z.int().min(1).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  maestro: maestroSchema.nullish(),
});

type Body = z.infer<typeof bodySchema>;
type WireMessage = Body["messages"][number];

export interface ParsedChatCompletionRequest {
  request: GatewayRequest;
  stream: boolean;
  /** stream_options.include_usage: the client wants the final usage chunk. */
  includeUsage: boolean;
}

/** Validates a /v1/chat/completions body and translates it; throws a WireError naming the bad parameter. */
export function parseChatCompletionRequest(body: unknown): ParsedChatCompletionRequest {
  const parsed = bodySchema.safeParse(body, { reportInput: true });
  if (!parsed.success) throw issueError(parsed.error.issues[0]!);
  const input = parsed.data;

  if (input.n != null && input.n !== 1) {
    throw new WireError(`Invalid 'n': this gateway returns one choice per request, so 'n' must be 1 (got ${input.n}).`, {
      code: "unsupported_value",
      param: "n",
    });
  }

  const request: GatewayRequest = { model: input.model, messages: toMessages(input.messages) };
  const tools = input.tools?.length ? input.tools.map(toTool) : undefined;
  if (tools) request.tools = tools;
  const toolChoice = input.tool_choice ? toToolChoice(input.tool_choice, tools) : undefined;
  if (toolChoice) request.toolChoice = toolChoice;
  // json_schema degrades to plain JSON mode: the gateway's request has no slot for a schema yet.
  if (input.response_format) request.responseFormat = input.response_format.type === "text" ? "text" : "json";
  if (input.temperature != null) request.temperature = input.temperature;
  if (input.top_p != null) request.topP = input.top_p;
  // max_completion_tokens is OpenAI's current name; max_tokens the one older clients and most compatible servers use.
  const maxTokens = input.max_completion_tokens ?? input.max_tokens;
  if (maxTokens != null) request.maxTokens = maxTokens;
  const stop = typeof input.stop === "string" ? [input.stop] : input.stop;
  if (stop?.length) request.stop = stop;

  const maestro = input.maestro;
  if (maestro?.strategy) request.strategy = maestro.strategy;
  if (maestro?.preset) request.preset = maestro.preset;
  if (maestro?.fallback?.length) request.fallback = maestro.fallback;
  if (maestro?.cache !== undefined) request.cache = maestro.cache;

  const stream = input.stream === true;
  return { request, stream, includeUsage: stream && input.stream_options?.include_usage === true };
}

function toMessages(messages: WireMessage[]): ChatMessage[] {
  const out: ChatMessage[] = new Array(messages.length);
  // Tool calls of the last assistant message still waiting for their tool message. OpenAI
  // rejects a conversation that breaks this pairing, and Anthropic fails on it with a
  // less helpful message, so it is checked here, the same for every provider.
  let pending: Set<string> | undefined;
  let pendingAt = -1;
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i]!;
    if (message.role !== "tool" && pending?.size) throw unansweredToolCalls(pendingAt, pending);
    switch (message.role) {
      case "system":
      case "developer":
        out[i] = { role: "system", content: textOf(message.content) };
        break;
      case "user":
        out[i] = { role: "user", content: userText(message.content, i) };
        break;
      case "assistant": {
        const calls = message.tool_calls ?? [];
        if (message.content == null && !calls.length && message.refusal == null) {
          throw new WireError(`Missing required parameter: 'messages[${i}].content'.`, { code: "missing_required_parameter", param: `messages[${i}].content` });
        }
        const content = message.content == null ? (message.refusal ?? "") : assistantText(message.content);
        if (!calls.length) {
          out[i] = { role: "assistant", content };
          break;
        }
        out[i] = { role: "assistant", content, toolCalls: calls.map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments })) };
        pending = new Set(calls.map((c) => c.id));
        pendingAt = i;
        break;
      }
      case "tool":
        if (!pending?.delete(message.tool_call_id)) {
          throw new WireError(
            `Invalid parameter: messages with role 'tool' must be a response to a preceding message with 'tool_calls' (no pending tool call has id '${clip(message.tool_call_id)}').`,
            { code: "invalid_value", param: `messages[${i}].tool_call_id` },
          );
        }
        out[i] = { role: "tool", toolCallId: message.tool_call_id, content: textOf(message.content) };
        break;
    }
  }
  if (pending?.size) throw unansweredToolCalls(pendingAt, pending);
  return out;
}

function unansweredToolCalls(index: number, ids: Set<string>): WireError {
  return new WireError(
    `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...ids].join(", ")}`,
    { code: "invalid_value", param: `messages[${index}].tool_calls` },
  );
}

// Parts are joined without a separator, as LiteLLM and others do: the client chose the
// whitespace inside its parts, and adding some would change what the model reads.
function textOf(content: string | { text: string }[]): string {
  if (typeof content === "string") return content;
  let text = "";
  for (const part of content) text += part.text;
  return text;
}

const UNSUPPORTED_INPUT: Record<string, string> = { image_url: "image", input_audio: "audio", file: "file" };

function userText(content: z.infer<typeof userContent>, index: number): string {
  if (typeof content === "string") return content;
  let text = "";
  for (let j = 0; j < content.length; j++) {
    const part = content[j]!;
    if (part.type !== "text") {
      throw new WireError(`Invalid 'messages[${index}].content[${j}]': ${UNSUPPORTED_INPUT[part.type]} input is not supported by this gateway yet.`, {
        code: "unsupported_value",
        param: `messages[${index}].content[${j}].type`,
      });
    }
    text += part.text;
  }
  return text;
}

function assistantText(content: string | z.infer<typeof assistantPart>[]): string {
  if (typeof content === "string") return content;
  let text = "";
  // A refusal from an earlier turn is what the model said, so it stays in the history.
  for (const part of content) text += part.type === "text" ? part.text : part.refusal;
  return text;
}

function toTool(tool: z.infer<typeof toolSchema>): ToolDefinition {
  const fn = tool.function;
  // OpenAI treats absent parameters as a function without arguments; our type always has a schema.
  const definition: ToolDefinition = { name: fn.name, parameters: fn.parameters ?? { type: "object", properties: {} } };
  if (fn.description) definition.description = fn.description;
  return definition;
}

function toToolChoice(choice: z.infer<typeof toolChoiceSchema>, tools: ToolDefinition[] | undefined): ToolChoice | undefined {
  // "auto" and "none" without tools say nothing; clients send them by default.
  if (!tools) {
    if (choice === "auto" || choice === "none") return undefined;
    throw new WireError("Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.", { code: "invalid_value", param: "tool_choice" });
  }
  if (typeof choice === "string") return choice;
  const name = choice.function.name;
  if (!tools.some((tool) => tool.name === name)) {
    throw new WireError(`Invalid value for 'tool_choice': function '${clip(name)}' is not one of the 'tools'.`, { code: "invalid_value", param: "tool_choice.function.name" });
  }
  return { name };
}

// ---------------------------------------------------------------------------------
// Validation messages in OpenAI's words

type Issue = z.core.$ZodIssue;

function issueError(issue: Issue, prefix: PropertyKey[] = []): WireError {
  const path = prefix.length ? [...prefix, ...issue.path] : issue.path;
  const param = paramOf(path);
  if (!param) return new WireError("The request body must be a JSON object.", { code: "invalid_type" });
  const input = issue.input;
  switch (issue.code) {
    case "invalid_type":
      if (input === undefined) return missing(param);
      return invalidType(param, [issue.expected], input);
    case "invalid_union": {
      if (issue.discriminator !== undefined) {
        // An unknown discriminator ("role", "type"): the issue's path already ends with its key.
        const value = (input as Record<string, unknown> | undefined)?.[issue.discriminator];
        if (value === undefined) return missing(param);
        return invalidValue(param, value, "options" in issue ? (issue.options ?? []) : []);
      }
      return unionError(issue.errors, path, input, param);
    }
    case "invalid_value":
      return invalidValue(param, input, issue.values);
    case "too_small":
      return bound(param, issue.origin, "minimum", issue.minimum, input);
    case "too_big":
      return bound(param, issue.origin, "maximum", issue.maximum, input);
    case "invalid_format": {
      const pattern = issue.format === "regex" && "pattern" in issue ? String(issue.pattern).replace(/^\/|\/$/g, "") : issue.format;
      return new WireError(`Invalid '${param}': string does not match pattern. Expected a string that matches the pattern '${pattern}'.`, { code: "invalid_value", param });
    }
    case "unrecognized_keys": {
      const key = paramOf([...path, issue.keys[0]!]);
      return new WireError(`Unrecognized request argument supplied: ${key}`, { code: "unknown_parameter", param: key });
    }
    default:
      return new WireError(`Invalid '${param}': ${issue.message}.`, { code: "invalid_value", param });
  }
}

/**
 * A plain union (string or array, enum or object) fails with one issue list per option.
 * The option whose type matched the input failed deeper in; report that one. When no
 * option matched the type, the parameter simply has the wrong type.
 */
function unionError(branches: Issue[][], path: PropertyKey[], input: unknown, param: string): WireError {
  let best: Issue | undefined;
  for (const branch of branches) {
    const first = branch[0];
    if (first && typeMatched(first) && (!best || first.path.length > best.path.length)) best = first;
  }
  if (best) return issueError(best, path);
  if (input === undefined) return missing(param);
  const expected = branches.map((branch) => {
    const first = branch[0];
    if (first?.code === "invalid_type") return first.expected;
    if (first?.code === "invalid_value") return typeof first.values[0];
    return "value";
  });
  return invalidType(param, expected, input);
}

function typeMatched(issue: Issue): boolean {
  if (issue.path.length > 0) return true;
  if (issue.code === "invalid_type") return false;
  if (issue.code === "invalid_value") return issue.values.some((value) => typeof value === typeof issue.input && issue.input !== null);
  return true;
}

function missing(param: string): WireError {
  return new WireError(`Missing required parameter: '${param}'.`, { code: "missing_required_parameter", param });
}

function invalidType(param: string, expected: string[], input: unknown): WireError {
  const names = [...new Set(expected.map(typeName))];
  const want = names.length > 1 ? `one of ${names.slice(0, -1).join(", ")} or ${names.at(-1)}` : names[0];
  return new WireError(`Invalid type for '${param}': expected ${want}, but got ${describe(input)} instead.`, { code: "invalid_type", param });
}

function invalidValue(param: string, input: unknown, values: readonly unknown[]): WireError {
  const supported = values.length ? ` Supported values are: ${listOf(values.map((v) => `'${String(v)}'`))}.` : "";
  return new WireError(`Invalid value: ${show(input)}.${supported}`, { code: "invalid_value", param });
}

function bound(param: string, origin: string, side: "minimum" | "maximum", limit: number | bigint, input: unknown): WireError {
  if (origin === "array" && side === "minimum") {
    return new WireError(`Invalid '${param}': empty array. Expected an array with minimum length ${limit}, but got an empty array instead.`, { code: "empty_array", param });
  }
  if (origin === "string" && side === "minimum") {
    return new WireError(`Invalid '${param}': empty string. Expected a string with minimum length ${limit}, but got an empty string instead.`, { code: "empty_string", param });
  }
  const kind = origin === "int" || (origin === "number" && Number.isInteger(input)) ? "integer" : "decimal";
  const above = side === "maximum";
  return new WireError(
    `Invalid '${param}': ${kind} ${above ? "above maximum" : "below minimum"} value. Expected a value ${above ? "<=" : ">="} ${limit}, but got ${show(input)} instead.`,
    { code: `${kind}_${above ? "above_max" : "below_min"}_value`, param },
  );
}

/** OpenAI's spelling of a parameter path: messages[2].content[0].type. */
function paramOf(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) out += typeof key === "number" ? `[${key}]` : out ? `.${String(key)}` : String(key);
  return out;
}

const TYPE_NAMES: Record<string, string> = { string: "a string", number: "a number", int: "an integer", boolean: "a boolean", array: "an array", object: "an object", record: "an object" };

function typeName(expected: string): string {
  return TYPE_NAMES[expected] ?? expected;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number") return Number.isInteger(value) ? "an integer" : "a decimal";
  return typeName(typeof value);
}

function show(value: unknown): string {
  return typeof value === "string" ? `'${clip(value)}'` : clip(JSON.stringify(value) ?? String(value));
}

function clip(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}...` : text;
}

function listOf(items: string[]): string {
  if (items.length <= 2) return items.join(" and ");
  return `${items.slice(0, -1).join(", ")}, and ${items.at(-1)}`;
}

// ---------------------------------------------------------------------------------
// Responses

export interface WireUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
}

/** Maestro's additions to a response; clients that do not know them ignore them. */
export interface MaestroInfo {
  provider: string;
  cost_usd: number;
  latency_ms: number;
  cache_hit: boolean;
  attempts: number;
}

export interface WireToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export interface WireChatCompletion {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: {
    index: number;
    message: { role: "assistant"; content: string | null; refusal: null; tool_calls?: WireToolCall[] };
    logprobs: null;
    /** OpenAI's reasons, plus "error" for an answer the vendor broke off (see FinishReason). */
    finish_reason: ChatResponse["finishReason"];
  }[];
  usage: WireUsage;
  maestro: MaestroInfo;
}

/** A non-streamed answer as OpenAI's `chat.completion` object. */
export function toChatCompletion(result: { response: ChatResponse; meta: CallMeta }, created: number): WireChatCompletion {
  const { response, meta } = result;
  const hasCalls = response.toolCalls.length > 0;
  const message: WireChatCompletion["choices"][number]["message"] = {
    role: "assistant",
    // OpenAI's canonical pure tool call has content null, and clients test for it.
    content: response.content || (hasCalls ? null : ""),
    refusal: null,
  };
  if (hasCalls) message.tool_calls = response.toolCalls.map((call) => ({ id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } }));
  return {
    id: response.id,
    object: "chat.completion",
    created,
    model: meta.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: response.finishReason }],
    usage: wireUsage(response.usage),
    maestro: maestroInfo(meta),
  };
}

function wireUsage(usage: Usage): WireUsage {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedInputTokens },
  };
}

function maestroInfo(meta: CallMeta): MaestroInfo {
  return {
    provider: meta.providerName,
    cost_usd: meta.costNano / 1e9,
    latency_ms: meta.latencyMs,
    cache_hit: meta.cacheHit,
    attempts: meta.attempts.length,
  };
}

// ---------------------------------------------------------------------------------
// Streaming

/** The line that ends every OpenAI stream; the SDKs stop reading at it. */
export const SSE_DONE = "data: [DONE]\n\n";

export interface ChunkEncoderOptions {
  /** The completion id every chunk carries ("chatcmpl-..."), chosen before the first chunk. */
  id: string;
  created: number;
  /** The model the caller asked for; chunks carry it until the stream says which model answered. */
  model: string;
  /** stream_options.include_usage: send the final usage chunk. */
  includeUsage: boolean;
}

export interface ChunkEncoder {
  /** The SSE text for one event; "" for events that produce no chunk (yet). */
  encode(event: GatewayStreamEvent): string;
}

const ROLE = '"role":"assistant"';
const OPEN_CHOICE = ',"choices":[{"index":0,"delta":{';
const CONTINUE_CHOICE = '},"logprobs":null,"finish_reason":null}]';

/**
 * Encodes gateway stream events as OpenAI `chat.completion.chunk` SSE lines. This runs
 * for every token of every stream, so chunks are assembled from precomputed string pieces
 * with only the variable parts JSON-encoded, rather than building and stringifying objects.
 */
export function createChunkEncoder(options: ChunkEncoderOptions): ChunkEncoder {
  const start = `data: {"id":${JSON.stringify(options.id)},"object":"chat.completion.chunk","created":${Math.trunc(options.created)},"model":`;
  // With include_usage OpenAI sends "usage":null on every chunk before the usage chunk.
  const end = options.includeUsage ? ',"usage":null}\n\n' : "}\n\n";
  let model = options.model;
  let head = start + JSON.stringify(model);
  let roleSent = false;
  let usage: Usage | undefined;
  // Tool call indexes already opened: the SDK needs `type` on each call's first delta even
  // if a provider left out the id there.
  let openedCalls: Set<number> | undefined;

  const setModel = (next: string) => {
    if (!next || next === model) return;
    model = next;
    head = start + JSON.stringify(model);
  };
  // The first delta of a stream carries the role, as OpenAI's does; the SDK's final
  // completion requires one.
  const role = (more: boolean) => {
    if (roleSent) return "";
    roleSent = true;
    return more ? `${ROLE},` : ROLE;
  };

  return {
    encode(event) {
      switch (event.type) {
        case "text-delta":
          if (!event.text) return "";
          return head + OPEN_CHOICE + role(true) + '"content":' + JSON.stringify(event.text) + CONTINUE_CHOICE + end;
        case "tool-call-delta": {
          openedCalls ??= new Set();
          const first = !openedCalls.has(event.index);
          if (first) openedCalls.add(event.index);
          let call = `{"index":${event.index}`;
          if (event.id !== undefined) call += ',"id":' + JSON.stringify(event.id);
          if (first || event.id !== undefined) call += ',"type":"function"';
          call += ',"function":{';
          if (event.name !== undefined) call += '"name":' + JSON.stringify(event.name) + ",";
          call += '"arguments":' + JSON.stringify(event.argumentsDelta) + "}}";
          return head + OPEN_CHOICE + role(true) + '"tool_calls":[' + call + "]" + CONTINUE_CHOICE + end;
        }
        case "usage":
          usage = event.usage;
          return "";
        case "finish":
          setModel(event.model);
          return head + OPEN_CHOICE + role(false) + '},"logprobs":null,"finish_reason":' + JSON.stringify(event.reason) + "}]" + end;
        case "meta": {
          // Without include_usage OpenAI sends no chunk with empty choices, and some clients
          // index choices[0] unguarded, so the metadata is only sent to those who asked.
          if (!options.includeUsage) return "";
          const meta = event.meta;
          setModel(meta.model);
          return head + ',"choices":[],"usage":' + JSON.stringify(wireUsage(usage ?? meta.usage)) + ',"maestro":' + JSON.stringify(maestroInfo(meta)) + "}\n\n";
        }
      }
    },
  };
}

// ---------------------------------------------------------------------------------
// Models

export interface WireModel {
  id: string;
  object: "model";
  created: number;
  owned_by: string;
}

/** GET /v1/models. `created` defaults to 0: the catalog has no release dates, and a fixed value keeps the list stable. */
export function toModelList(models: { id: string; ownedBy: string; created?: number }[]): { object: "list"; data: WireModel[] } {
  return { object: "list", data: models.map((m) => ({ id: m.id, object: "model", created: m.created ?? 0, owned_by: m.ownedBy })) };
}
