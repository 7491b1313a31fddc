// OpenAI and OpenAI-compatible endpoints (vLLM, Ollama, LM Studio, ...) through the
// official SDK. This file is the only place that knows the Chat Completions wire shape:
// it translates ChatRequest → chat.completions.create, the answer back to ChatResponse /
// StreamEvents, and every SDK or network failure into a ProviderError.
//
// The SDK never retries (maxRetries: 0): Maestro's router owns retries and fallbacks,
// and a second, hidden retry loop would multiply latency and cost behind its back.
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { sdkFetch } from "../transport.ts";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParamsBase,
  ChatCompletionMessageParam,
  ChatCompletionTool,
  ChatCompletionToolChoiceOption,
} from "openai/resources/chat/completions";
import type { CompletionUsage } from "openai/resources/completions";
import { ProviderError, isProviderError, kindForStatus, retryAfterMs } from "../errors.ts";
import type {
  ChatMessage,
  ChatRequest,
  ChatResponse,
  FinishReason,
  Provider,
  ProviderConfig,
  StreamEvent,
  ToolCall,
  ToolChoice,
  Usage,
} from "../types.ts";

/** Without a configured timeout: long enough for a long non-streamed answer, short of the SDK's 10 minutes. */
const DEFAULT_TIMEOUT_MS = 120_000;
/** Health checks should answer fast even when calls may legitimately take minutes. */
const HEALTH_TIMEOUT_MS = 10_000;
/** Local servers (Ollama, vLLM) take no key, but the SDK refuses to start without one. */
const NO_KEY_PLACEHOLDER = "not-needed";

export function createOpenAIProvider(config: ProviderConfig): Provider {
  if (config.kind !== "openai" && config.kind !== "openai-compatible") {
    throw new Error(`createOpenAIProvider cannot serve a provider of kind "${config.kind}" (${config.id}).`);
  }
  if (config.kind === "openai-compatible" && !config.baseUrl) {
    throw new Error(`The openai-compatible provider "${config.id}" needs a baseUrl (e.g. http://localhost:11434/v1).`);
  }
  const provider = config.id;
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const client = createClient(config, timeoutMs);
  // OpenAI itself always needs a key; failing here beats sending a placeholder to api.openai.com.
  const missingKey = config.kind === "openai" && !config.apiKey;
  const ensureKey = () => {
    if (missingKey) throw new ProviderError("auth", `No API key is configured for provider "${provider}".`, { provider });
  };

  return {
    kind: config.kind,
    id: provider,

    async chat(request) {
      try {
        ensureKey();
        const completion = await client.chat.completions.create({ ...toParams(request, config.kind), stream: false }, { signal: request.signal });
        return fromCompletion(completion);
      } catch (error) {
        throw toProviderError(error, provider, request.signal);
      }
    },

    async *stream(request) {
      try {
        ensureKey();
        const stream = await client.chat.completions.create(
          { ...toParams(request, config.kind), stream: true, stream_options: { include_usage: true } },
          { signal: request.signal },
        );
        yield* streamEvents(stream, request.signal, timeoutMs, provider);
      } catch (error) {
        throw toProviderError(error, provider, request.signal);
      }
    },

    async health(signal) {
      const started = performance.now();
      const latencyMs = () => Math.round(performance.now() - started);
      try {
        ensureKey();
        const page = await client.models.list({ signal, timeout: Math.min(timeoutMs, HEALTH_TIMEOUT_MS) });
        return { ok: true, latencyMs: latencyMs(), models: (page.data ?? []).map((m) => m.id) };
      } catch (error) {
        return { ok: false, latencyMs: latencyMs(), message: toProviderError(error, provider, signal).message };
      }
    },
  };
}

function createClient(config: ProviderConfig, timeoutMs: number): OpenAI {
  // Every option is explicit (null rather than undefined) so the SDK does not fall back to
  // OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_ORG_ID, ... : configuration comes only from Maestro.
  return new OpenAI({
    apiKey: config.apiKey || NO_KEY_PLACEHOLDER,
    baseURL: config.baseUrl ?? "https://api.openai.com/v1",
    organization: null,
    project: null,
    adminAPIKey: null,
    webhookSecret: null,
    maxRetries: 0,
    timeout: timeoutMs,
    fetch: sdkFetch,
    logLevel: "off",
  });
}

// ---------------------------------------------------------------------------------
// Request

function toParams(request: ChatRequest, kind: ProviderConfig["kind"]): ChatCompletionCreateParamsBase {
  // Undefined fields are dropped by JSON serialisation, so the wire body carries only
  // what the caller set; vendor defaults apply to the rest.
  return {
    model: request.model,
    messages: toMessages(request),
    tools: request.tools?.length ? request.tools.map(toTool) : undefined,
    tool_choice: request.tools?.length && request.toolChoice ? toToolChoice(request.toolChoice) : undefined,
    response_format: request.responseFormat === "json" ? { type: "json_object" } : undefined,
    temperature: request.temperature,
    top_p: request.topP,
    // OpenAI itself wants max_completion_tokens (its reasoning models refuse max_tokens);
    // OpenAI-compatible servers (Ollama, vLLM, LM Studio) understand only max_tokens.
    ...(kind === "openai" ? { max_completion_tokens: request.maxTokens } : { max_tokens: request.maxTokens }),
    stop: request.stop?.length ? request.stop : undefined,
  };
}

function toMessages(request: ChatRequest): ChatCompletionMessageParam[] {
  const messages = request.messages.map(toMessage);
  return request.system ? [{ role: "system", content: request.system }, ...messages] : messages;
}

function toMessage(message: ChatMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case "system":
    case "user":
      return { role: message.role, content: message.content };
    case "tool":
      return { role: "tool", tool_call_id: message.toolCallId, content: message.content };
    case "assistant":
      if (!message.toolCalls?.length) return { role: "assistant", content: message.content };
      return {
        role: "assistant",
        // OpenAI's canonical form for a pure tool call is content null; some compatible servers reject "".
        content: message.content || null,
        tool_calls: message.toolCalls.map((call) => ({
          id: call.id,
          type: "function",
          function: { name: call.name, arguments: call.arguments },
        })),
      };
  }
}

function toTool(tool: NonNullable<ChatRequest["tools"]>[number]): ChatCompletionTool {
  return { type: "function", function: { name: tool.name, description: tool.description, parameters: tool.parameters } };
}

function toToolChoice(choice: ToolChoice): ChatCompletionToolChoiceOption {
  return typeof choice === "string" ? choice : { type: "function", function: { name: choice.name } };
}

// ---------------------------------------------------------------------------------
// Response

function fromCompletion(completion: ChatCompletion): ChatResponse {
  const choice = completion.choices[0];
  const message = choice?.message;
  const toolCalls: ToolCall[] = [];
  for (const call of message?.tool_calls ?? []) {
    // Custom (free-form) tools are never sent by this adapter, so only function calls come back.
    if (call.type === "function") toolCalls.push({ id: call.id, name: call.function.name, arguments: call.function.arguments });
  }
  return {
    id: completion.id,
    model: completion.model,
    // A refusal is the model's answer in words; surface it rather than an empty reply.
    content: message?.content || message?.refusal || "",
    toolCalls,
    finishReason: toFinishReason(choice?.finish_reason, toolCalls.length > 0),
    usage: toUsage(completion.usage),
  };
}

function toFinishReason(reason: string | null | undefined, hasToolCalls: boolean): FinishReason {
  switch (reason) {
    case "length":
      return "length";
    case "content_filter":
      return "content_filter";
    case "tool_calls":
    case "function_call":
      return "tool_calls";
    default:
      // Some compatible servers (Ollama among them) answer tool calls with "stop", and
      // unknown or missing reasons mean the model simply finished.
      return hasToolCalls ? "tool_calls" : "stop";
  }
}

function toUsage(usage: CompletionUsage | null | undefined): Usage {
  // OpenAI's prompt_tokens already include the cached ones, which is what Usage means.
  return {
    inputTokens: usage?.prompt_tokens ?? 0,
    outputTokens: usage?.completion_tokens ?? 0,
    cachedInputTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
  };
}

// ---------------------------------------------------------------------------------
// Streaming

type ChunkStream = AsyncIterable<ChatCompletionChunk> & { controller: AbortController };

/** What the chunks so far said beyond their deltas. */
interface StreamState {
  id: string;
  model: string;
  finish: ChatCompletionChunk.Choice["finish_reason"];
  usage: CompletionUsage | null | undefined;
  sawToolCalls: boolean;
}

/**
 * Turns SDK chunks into StreamEvents. OpenAI sends finish_reason before the usage chunk,
 * so the finish is held back and emitted last, after usage.
 *
 * The SDK's timeout only covers the wait for response headers; a stream that stalls
 * afterwards would hang forever, so an idle timer aborts it after `idleMs` of vendor
 * silence. Time the consumer spends between pulls does not count.
 */
async function* streamEvents(stream: ChunkStream, signal: AbortSignal | undefined, idleMs: number, provider: string): AsyncGenerator<StreamEvent> {
  const state: StreamState = { id: "", model: "", finish: null, usage: undefined, sawToolCalls: false };
  let waiting = true;
  let idle = false;
  const timer = setTimeout(() => {
    if (!waiting) return void timer.refresh();
    idle = true;
    stream.controller.abort();
  }, idleMs);
  try {
    for await (const chunk of stream) {
      waiting = false;
      // The SDK ends an aborted stream quietly; the check after the loop reports it.
      if (signal?.aborted) break;
      for (const event of chunkEvents(chunk, state)) yield event;
      waiting = true;
      timer.refresh();
    }
  } catch (error) {
    if (!idle) throw error;
  } finally {
    clearTimeout(timer);
  }
  if (signal?.aborted) throw new ProviderError("cancelled", "The call was cancelled.", { provider });
  if (idle) throw new ProviderError("timeout", `The stream went silent for ${idleMs} ms.`, { provider });
  // A stream that ends without a finish_reason was cut off (proxy, load balancer, crash).
  if (!state.finish) throw new ProviderError("connection", "The stream ended before the model finished.", { provider });
  if (state.usage) yield { type: "usage", usage: toUsage(state.usage) };
  yield { type: "finish", reason: toFinishReason(state.finish, state.sawToolCalls), id: state.id, model: state.model };
}

/** The delta events of one chunk; records id, model, usage and finish_reason in `state`. */
function chunkEvents(chunk: ChatCompletionChunk, state: StreamState): StreamEvent[] {
  state.id ||= chunk.id;
  state.model ||= chunk.model;
  if (chunk.usage) state.usage = chunk.usage;
  const choice = chunk.choices[0];
  if (!choice) return [];
  const events: StreamEvent[] = [];
  const text = choice.delta.content || choice.delta.refusal;
  if (text) events.push({ type: "text-delta", text });
  for (const call of choice.delta.tool_calls ?? []) {
    state.sawToolCalls = true;
    events.push(toolCallDelta(call));
  }
  if (choice.finish_reason) state.finish = choice.finish_reason;
  return events;
}

function toolCallDelta(call: ChatCompletionChunk.Choice.Delta.ToolCall): StreamEvent {
  return {
    type: "tool-call-delta",
    index: call.index,
    ...(call.id ? { id: call.id } : {}),
    ...(call.function?.name ? { name: call.function.name } : {}),
    argumentsDelta: call.function?.arguments ?? "",
  };
}

// ---------------------------------------------------------------------------------
// Errors

function toProviderError(error: unknown, provider: string, signal: AbortSignal | undefined): ProviderError {
  if (isProviderError(error)) return error;
  // Checked first: an abort often surfaces as a generic network error from fetch.
  if (signal?.aborted || error instanceof APIUserAbortError) {
    return new ProviderError("cancelled", "The call was cancelled.", { provider, cause: error });
  }
  if (error instanceof APIConnectionTimeoutError) {
    return new ProviderError("timeout", "The provider did not answer within the timeout.", { provider, cause: error });
  }
  if (error instanceof APIConnectionError) {
    return new ProviderError("connection", `Could not reach the provider: ${rootMessage(error)}`, { provider, cause: error });
  }
  if (error instanceof APIError) {
    const message = vendorMessage(error);
    // No status: an error event inside an SSE stream, which OpenAI sends for server-side failures.
    if (error.status === undefined) return new ProviderError("server", message, { provider, cause: error });
    return new ProviderError(kindForStatus(error.status), message, {
      provider,
      status: error.status,
      retryAfterMs: retryAfterMs(error.headers),
      cause: error,
    });
  }
  if (error instanceof SyntaxError) {
    return new ProviderError("server", `The provider sent a malformed response: ${error.message}`, { provider, cause: error });
  }
  // What is left are transport failures while reading a body (undici's "terminated",
  // ECONNRESET, ...): the connection dropped mid-response.
  return new ProviderError("connection", `The connection dropped: ${rootMessage(error)}`, { provider, cause: error });
}

/** The vendor's own words from the error body, without the SDK's "400 " prefix. */
function vendorMessage(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  return typeof body?.message === "string" && body.message ? body.message : error.message;
}

/** The innermost cause's message: "fetch failed" says little, "connect ECONNREFUSED ..." says what happened. */
function rootMessage(error: unknown): string {
  let current = error;
  for (let depth = 0; depth < 5 && current instanceof Error && current.cause instanceof Error; depth++) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}
