// The one provider interface every LLM call goes through. Adapters translate between
// this shape and each vendor's wire format; nothing above server/llm sees a vendor SDK.

export type { ProviderKind } from "../shared/llm.ts";
import type { ProviderKind } from "../shared/llm.ts";

export type ChatRole = "system" | "user" | "assistant" | "tool";

export interface ToolCall {
  id: string;
  name: string;
  /** JSON text exactly as the model produced it (may be invalid JSON; callers validate). */
  arguments: string;
}

export type ChatMessage =
  | { role: "system"; content: string }
  | { role: "user"; content: string }
  | { role: "assistant"; content: string; toolCalls?: ToolCall[] }
  | { role: "tool"; toolCallId: string; content: string };

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
}

export type ToolChoice = "auto" | "none" | "required" | { name: string };

export interface ChatRequest {
  /** The vendor's model id, e.g. "gpt-4o-mini" or "claude-sonnet-4-5". */
  model: string;
  messages: ChatMessage[];
  /** A system prompt in addition to (before) any system messages. */
  system?: string;
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  /** Ask for a JSON object as the answer. */
  responseFormat?: "text" | "json";
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  stop?: string[];
  /** Aborts the vendor call; the adapter surfaces a `cancelled` ProviderError. */
  signal?: AbortSignal;
}

export interface Usage {
  /** All input tokens, including the cached ones below (Anthropic's adapter adds its cache reads in). */
  inputTokens: number;
  outputTokens: number;
  /** Input tokens served from the vendor's prompt cache (billed at the cached price). */
  cachedInputTokens: number;
}

/** "error" is for a stream the vendor ended with an error event after content began. */
export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter" | "error";

export interface ChatResponse {
  /** The vendor's response id. */
  id: string;
  model: string;
  content: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  usage: Usage;
}

export type StreamEvent =
  | { type: "text-delta"; text: string }
  /** A piece of a tool call; `id` and `name` arrive with the first piece of each index. */
  | { type: "tool-call-delta"; index: number; id?: string; name?: string; argumentsDelta: string }
  | { type: "usage"; usage: Usage }
  | { type: "finish"; reason: FinishReason; id: string; model: string };

export interface ProviderHealth {
  ok: boolean;
  latencyMs: number;
  /** What the vendor said when it is not ok. */
  message?: string;
  /** Models the endpoint reports, when it can list them. */
  models?: string[];
}

export interface Provider {
  readonly kind: ProviderKind;
  /** The configured provider's id (or a fixed name for built-ins). */
  readonly id: string;
  chat(request: ChatRequest): Promise<ChatResponse>;
  /** Streams deltas; the last events are `usage` (when known) and `finish`. */
  stream(request: ChatRequest): AsyncIterable<StreamEvent>;
  health(signal?: AbortSignal): Promise<ProviderHealth>;
}

export interface ProviderConfig {
  id: string;
  kind: ProviderKind;
  /** Required for openai-compatible; optional override for openai/anthropic. */
  baseUrl?: string;
  apiKey?: string;
  /** Per-request timeout: for the response headers, and for silence between stream chunks. */
  timeoutMs?: number;
}
