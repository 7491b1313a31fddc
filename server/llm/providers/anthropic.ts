// The Anthropic adapter: translates ChatRequest/ChatResponse/StreamEvent to and from the
// Messages API through the official SDK, and every SDK or network failure into a
// ProviderError. Nothing outside this file sees an Anthropic type.
//
// Decisions worth knowing:
// - API version. SDK 1.x sends `anthropic-version: 2026-10-21`, which rejects
//   temperature, top_p and top_k with a 400 even at their default values (the SDK
//   types no longer have them). ChatRequest's `temperature` and `topP` are therefore
//   not sent to Anthropic.
// - JSON mode. Anthropic's structured outputs (`output_config.format`) need a JSON
//   schema and ChatRequest's `responseFormat: "json"` carries none, so JSON mode is an
//   instruction appended to the system prompt. The answer is likely but not certain to
//   parse; callers validate it as they validate tool arguments.
// - max_tokens. Anthropic requires it; requests without `maxTokens` get
//   DEFAULT_MAX_TOKENS.
// - Usage. Anthropic's `input_tokens` excludes prompt-cache reads and writes; Maestro's
//   Usage follows OpenAI, where cached tokens are part of the input. So inputTokens =
//   input_tokens + cache_read_input_tokens + cache_creation_input_tokens, and
//   cachedInputTokens = cache_read_input_tokens. Cache writes count as plain input
//   (Anthropic bills them at a premium that Usage cannot express).
// - Retries belong to Maestro's router: the SDK is built with maxRetries 0.
// - Timeouts. `timeoutMs` bounds a whole chat() call (the SDK's own timeout stops at
//   the response headers), and in stream() the wait for each next event, so a long
//   answer may stream for minutes while a stalled one fails.
import Anthropic, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "@anthropic-ai/sdk";
import { sdkFetch } from "../transport.ts";
import { ProviderError, isProviderError, kindForStatus, retryAfterMs, type ProviderErrorKind } from "../errors.ts";
import type {
  ChatMessage,
  ChatRequest,
  ChatResponse,
  FinishReason,
  Provider,
  ProviderConfig,
  ProviderHealth,
  StreamEvent,
  ToolCall,
  ToolChoice,
  ToolDefinition,
  Usage,
} from "../types.ts";

/** max_tokens for requests that do not set `maxTokens` (Anthropic has no default). */
export const DEFAULT_MAX_TOKENS = 1024;
/** The longest health() waits for the model list. */
export const HEALTH_TIMEOUT_MS = 5_000;
/** Appended to the system prompt for `responseFormat: "json"`. */
export const JSON_MODE_INSTRUCTION =
  "Respond with exactly one JSON object and nothing else: no text before or after it and no Markdown code fences.";

type WireParams = Omit<Anthropic.MessageCreateParamsNonStreaming, "stream">;
type AssistantMessage = Extract<ChatMessage, { role: "assistant" }>;
type ToolMessage = Extract<ChatMessage, { role: "tool" }>;

export function createAnthropicProvider(config: ProviderConfig): Provider {
  // Without apiKey/baseUrl the SDK falls back to its own defaults (ANTHROPIC_API_KEY,
  // api.anthropic.com), which is what "optional override" means for this provider.
  const client = new Anthropic({ apiKey: config.apiKey, baseURL: config.baseUrl, maxRetries: 0, timeout: config.timeoutMs, fetch: sdkFetch });
  const provider = config.id;

  async function chat(request: ChatRequest): Promise<ChatResponse> {
    const call = new CallControl(request.signal, config.timeoutMs);
    try {
      const message = await client.messages.create(toWireParams(request), { signal: call.signal });
      return fromWireMessage(message);
    } catch (error) {
      throw toProviderError(error, provider, request.signal, call);
    } finally {
      call.dispose();
    }
  }

  async function* stream(request: ChatRequest): AsyncGenerator<StreamEvent> {
    const call = new CallControl(request.signal, config.timeoutMs);
    const translator = new StreamTranslator();
    try {
      const events = await client.messages.create({ ...toWireParams(request), stream: true }, { signal: call.signal });
      for await (const event of events) {
        // Events already received still parse after an abort; stop at the next one.
        if (call.signal.aborted) break;
        call.restart();
        yield* translator.accept(event);
      }
      // The SDK ends a stream quietly when its request is aborted (by the caller or by
      // our deadline), and a socket closed between events ends it too: only
      // message_stop means the answer is complete.
      if (!translator.finished) throw new StreamIncompleteError();
    } catch (error) {
      throw toProviderError(error, provider, request.signal, call);
    } finally {
      call.dispose();
    }
  }

  async function health(signal?: AbortSignal): Promise<ProviderHealth> {
    const started = performance.now();
    const timeout = Math.min(config.timeoutMs ?? HEALTH_TIMEOUT_MS, HEALTH_TIMEOUT_MS);
    try {
      const page = await client.models.list({ limit: 100 }, { signal, timeout });
      return { ok: true, latencyMs: elapsedMs(started), models: page.data.map((model) => model.id) };
    } catch (error) {
      return { ok: false, latencyMs: elapsedMs(started), message: toProviderError(error, provider, signal).message };
    }
  }

  return { kind: "anthropic", id: provider, chat, stream, health };
}

// ---------------------------------------------------------------------------------
// Requests

function toWireParams(request: ChatRequest): WireParams {
  const system = systemPrompt(request);
  const tools = request.tools?.length ? request.tools.map(toWireTool) : undefined;
  // tool_choice without tools is an error on Anthropic; without tools there is nothing to choose.
  const toolChoice = tools && request.toolChoice ? toWireToolChoice(request.toolChoice) : undefined;
  return {
    model: request.model,
    max_tokens: request.maxTokens ?? DEFAULT_MAX_TOKENS,
    messages: toWireMessages(request.messages),
    ...(system ? { system } : {}),
    ...(tools ? { tools } : {}),
    ...(toolChoice ? { tool_choice: toolChoice } : {}),
    ...(request.stop?.length ? { stop_sequences: request.stop } : {}),
  };
}

/** request.system, then every system message in order, then the JSON-mode instruction. */
function systemPrompt(request: ChatRequest): string | undefined {
  const parts = [request.system ?? ""];
  for (const message of request.messages) if (message.role === "system") parts.push(message.content);
  if (request.responseFormat === "json") parts.push(JSON_MODE_INSTRUCTION);
  return parts.filter((part) => part.trim()).join("\n\n") || undefined;
}

function toWireMessages(messages: ChatMessage[]): Anthropic.MessageParam[] {
  const wire: Anthropic.MessageParam[] = [];
  for (const message of messages) {
    if (message.role === "system") continue; // lifted into `system`
    if (message.role === "assistant") {
      wire.push({ role: "assistant", content: assistantContent(message) });
      continue;
    }
    // Anthropic wants all results for one assistant turn in the single user message
    // that follows it, so consecutive tool results (and text right after them) share it.
    const block: Anthropic.ContentBlockParam = message.role === "tool" ? toolResult(message) : { type: "text", text: message.content };
    const openTurn = toolResultTurn(wire);
    if (openTurn) openTurn.push(block);
    else wire.push({ role: "user", content: message.role === "tool" ? [block] : message.content });
  }
  return wire;
}

/** The blocks of the last message when it is a user turn holding tool results (the only user turns built as arrays). */
function toolResultTurn(wire: Anthropic.MessageParam[]): Anthropic.ContentBlockParam[] | undefined {
  const last = wire.at(-1);
  return last?.role === "user" && Array.isArray(last.content) ? last.content : undefined;
}

function toolResult(message: ToolMessage): Anthropic.ToolResultBlockParam {
  // An empty text block is a 400 on Anthropic; an absent content is not.
  return { type: "tool_result", tool_use_id: message.toolCallId, ...(message.content ? { content: message.content } : {}) };
}

function assistantContent(message: AssistantMessage): Anthropic.MessageParam["content"] {
  if (!message.toolCalls?.length) return message.content;
  const blocks: Anthropic.ContentBlockParam[] = [];
  if (message.content) blocks.push({ type: "text", text: message.content });
  for (const call of message.toolCalls) blocks.push({ type: "tool_use", id: call.id, name: call.name, input: toolInput(call.arguments) });
  return blocks;
}

/**
 * Anthropic wants tool input as an object, but a model's arguments may be empty or
 * invalid JSON. Empty means no arguments; anything unparsable is kept under a key so
 * the model sees what it sent (and the tool's error about it) on the next turn.
 */
function toolInput(args: string): Record<string, unknown> {
  if (!args.trim()) return {};
  try {
    const input: unknown = JSON.parse(args);
    if (typeof input === "object" && input !== null && !Array.isArray(input)) return input as Record<string, unknown>;
  } catch {
    // fall through
  }
  return { _unparsed_arguments: args };
}

function toWireTool(tool: ToolDefinition): Anthropic.Tool {
  return {
    name: tool.name,
    ...(tool.description ? { description: tool.description } : {}),
    input_schema: { type: "object", ...tool.parameters } as Anthropic.Tool.InputSchema,
  };
}

function toWireToolChoice(choice: ToolChoice): Anthropic.ToolChoice {
  if (choice === "auto") return { type: "auto" };
  if (choice === "none") return { type: "none" };
  if (choice === "required") return { type: "any" };
  return { type: "tool", name: choice.name };
}

// ---------------------------------------------------------------------------------
// Responses

const FINISH_REASONS: Record<Anthropic.StopReason, FinishReason> = {
  end_turn: "stop",
  stop_sequence: "stop",
  // A paused server-tool turn is complete as far as this answer goes.
  pause_turn: "stop",
  max_tokens: "length",
  model_context_window_exceeded: "length",
  tool_use: "tool_calls",
  refusal: "content_filter",
};

function finishReason(stopReason: Anthropic.StopReason | null): FinishReason {
  return (stopReason && FINISH_REASONS[stopReason]) || "stop";
}

/** The usage fields of message, message_start and message_delta (the latter has nullable counts). */
interface WireUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

function toUsage(usage: WireUsage): Usage {
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  return {
    inputTokens: (usage.input_tokens ?? 0) + cacheRead + (usage.cache_creation_input_tokens ?? 0),
    outputTokens: usage.output_tokens ?? 0,
    cachedInputTokens: cacheRead,
  };
}

function fromWireMessage(message: Anthropic.Message): ChatResponse {
  let content = "";
  const toolCalls: ToolCall[] = [];
  for (const block of message.content) {
    if (block.type === "text") content += block.text;
    else if (block.type === "tool_use") toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input ?? {}) });
  }
  return { id: message.id, model: message.model, content, toolCalls, finishReason: finishReason(message.stop_reason), usage: toUsage(message.usage) };
}

/** Turns the raw SSE events of one message into StreamEvents, keeping what the last ones need. */
class StreamTranslator {
  finished = false;
  private id = "";
  private model = "";
  private stopReason: Anthropic.StopReason | null = null;
  private readonly usage: WireUsage = {};
  /** content block index → index among this message's tool calls */
  private readonly toolIndex = new Map<number, number>();
  private readonly toolsWithArguments = new Set<number>();

  accept(event: Anthropic.RawMessageStreamEvent): StreamEvent[] {
    switch (event.type) {
      case "message_start":
        this.id = event.message.id;
        this.model = event.message.model;
        this.mergeUsage(event.message.usage);
        return [];
      case "content_block_start":
        return this.startBlock(event);
      case "content_block_delta":
        return this.delta(event);
      case "content_block_stop":
        return this.stopBlock(event.index);
      case "message_delta":
        this.stopReason = event.delta.stop_reason ?? this.stopReason;
        this.mergeUsage(event.usage);
        return [];
      case "message_stop":
        this.finished = true;
        return [
          { type: "usage", usage: toUsage(this.usage) },
          { type: "finish", reason: finishReason(this.stopReason), id: this.id, model: this.model },
        ];
      default:
        return []; // event types newer than this adapter
    }
  }

  /** message_delta repeats the counts cumulatively (nullable), so later non-null values win. */
  private mergeUsage(usage: WireUsage) {
    for (const key of ["input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens"] as const) {
      const value = usage[key];
      if (typeof value === "number") this.usage[key] = value;
    }
  }

  private startBlock(event: Anthropic.RawContentBlockStartEvent): StreamEvent[] {
    const block = event.content_block;
    if (block.type !== "tool_use") return [];
    const index = this.toolIndex.size;
    this.toolIndex.set(event.index, index);
    // id and name go out at once, so a consumer can show the call before its arguments.
    return [{ type: "tool-call-delta", index, id: block.id, name: block.name, argumentsDelta: "" }];
  }

  private delta(event: Anthropic.RawContentBlockDeltaEvent): StreamEvent[] {
    const delta = event.delta;
    if (delta.type === "text_delta") return delta.text ? [{ type: "text-delta", text: delta.text }] : [];
    if (delta.type !== "input_json_delta" || !delta.partial_json) return [];
    const index = this.toolIndex.get(event.index);
    if (index === undefined) return [];
    this.toolsWithArguments.add(index);
    return [{ type: "tool-call-delta", index, argumentsDelta: delta.partial_json }];
  }

  /** A tool call that streamed no JSON has empty input: say "{}", as chat() would. */
  private stopBlock(blockIndex: number): StreamEvent[] {
    const index = this.toolIndex.get(blockIndex);
    if (index === undefined || this.toolsWithArguments.has(index)) return [];
    return [{ type: "tool-call-delta", index, argumentsDelta: "{}" }];
  }
}

// ---------------------------------------------------------------------------------
// Deadlines and errors

/**
 * Links the caller's signal to our own deadline, so the SDK gets one signal and we can
 * still tell a timeout from a cancel afterwards.
 */
class CallControl {
  timedOut = false;
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly onCallerAbort = () => this.controller.abort();

  constructor(
    private readonly caller: AbortSignal | undefined,
    readonly timeoutMs: number | undefined,
  ) {
    if (caller?.aborted) this.controller.abort();
    else caller?.addEventListener("abort", this.onCallerAbort, { once: true });
    if (timeoutMs !== undefined) {
      this.timer = setTimeout(() => {
        this.timedOut = true;
        this.controller.abort();
      }, timeoutMs);
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Starts the deadline over (streams: time since the last event). */
  restart() {
    this.timer?.refresh();
  }

  dispose() {
    clearTimeout(this.timer);
    this.caller?.removeEventListener("abort", this.onCallerAbort);
  }
}

class StreamIncompleteError extends Error {
  constructor() {
    super("The stream ended before message_stop.");
    this.name = "StreamIncompleteError";
  }
}

/** Error kinds for an error event inside a stream, which has a type but no HTTP status. */
const KIND_FOR_ERROR_TYPE: Record<string, ProviderErrorKind> = {
  invalid_request_error: "bad_request",
  billing_error: "bad_request",
  request_too_large: "bad_request",
  authentication_error: "auth",
  permission_error: "auth",
  not_found_error: "not_found",
  rate_limit_error: "rate_limited",
  timeout_error: "timeout",
  api_error: "server",
  overloaded_error: "server",
};

function toProviderError(error: unknown, provider: string, callerSignal?: AbortSignal, call?: CallControl): ProviderError {
  if (isProviderError(error)) return error;
  const details = { provider, cause: error };
  // Decide aborts by what happened, not by the error's class: depending on when it
  // lands, an abort surfaces as APIUserAbortError, a DOMException or a quiet end of stream.
  if (callerSignal?.aborted) return new ProviderError("cancelled", "The call was cancelled.", details);
  if (call?.timedOut) return new ProviderError("timeout", `Anthropic did not answer within ${call.timeoutMs} ms.`, details);
  if (error instanceof APIConnectionTimeoutError) return new ProviderError("timeout", "Anthropic did not answer in time.", details);
  if (error instanceof APIUserAbortError) return new ProviderError("cancelled", "The call was cancelled.", details);
  if (error instanceof APIConnectionError) return new ProviderError("connection", `Could not reach Anthropic: ${describe(error.cause ?? error)}`, details);
  if (error instanceof APIError) {
    const status = error.status;
    const kind = status !== undefined ? kindForStatus(status) : (KIND_FOR_ERROR_TYPE[error.type ?? ""] ?? "server");
    const retryAfter = retryAfterMs(error.headers);
    return new ProviderError(kind, error.apiMessage ?? error.message, {
      ...details,
      ...(status !== undefined ? { status } : {}),
      ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}),
    });
  }
  if (error instanceof SyntaxError) return new ProviderError("server", `Anthropic sent a malformed response: ${error.message}`, details);
  // What is left is the network failing under a response: a reset socket, a truncated body.
  return new ProviderError("connection", `The connection to Anthropic failed: ${describe(error)}`, details);
}

/** An error's message with those of its causes, which carry the useful part for network errors. */
function describe(error: unknown): string {
  const messages: string[] = [];
  for (let current = error, depth = 0; current && depth < 4; depth++) {
    messages.push(current instanceof Error ? current.message : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return messages.join(": ");
}

function elapsedMs(started: number): number {
  return Math.round(performance.now() - started);
}
