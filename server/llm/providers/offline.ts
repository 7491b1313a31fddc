// The built-in offline provider: answers deterministically without any network, so
// Maestro works before anyone adds a key, and tests exercise every path the real
// vendors take (streaming, tool calls, usage, cost, errors).
//
// Errors and delays on demand: a user message containing `[offline:error=429]`
// (or 400, 401, 404, 500, timeout, drop) or `[offline:delay=250]` makes this call
// fail or wait, the way a vendor would.
import { randomUUID } from "node:crypto";
import { ProviderError, kindForStatus } from "../errors.ts";
import { abortableSleep } from "../resilience.ts";
import { decode, encode } from "gpt-tokenizer";
import { estimateInputTokens, estimateTextTokens } from "../tokens.ts";
import type { ChatRequest, ChatResponse, Provider, ProviderHealth, StreamEvent, ToolCall, ToolDefinition } from "../types.ts";

export const OFFLINE_PROVIDER_ID = "offline";
export const OFFLINE_MODEL = "maestro-offline";

const DIRECTIVE = /\[offline:(error|delay)=([a-z0-9]+)\]/gi;

function lastUserText(request: ChatRequest): string {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const m = request.messages[i]!;
    if (m.role === "user") return m.content;
  }
  return "";
}

const cancelled = () => new ProviderError("cancelled", "The call was cancelled.", { provider: OFFLINE_PROVIDER_ID });

function abortIfNeeded(signal: AbortSignal | undefined) {
  if (signal?.aborted) throw cancelled();
}

function sleep(ms: number, signal?: AbortSignal) {
  return abortableSleep(ms, signal).catch(() => {
    throw cancelled();
  });
}

/** Applies `[offline:...]` directives: waits, or throws the error a vendor would. */
async function applyDirectives(text: string, signal?: AbortSignal) {
  for (const [, what, value] of text.matchAll(DIRECTIVE)) {
    if (what!.toLowerCase() === "delay") await sleep(Number(value) || 0, signal);
    else throw directedError(value!.toLowerCase());
  }
}

function directedError(value: string): ProviderError {
  const provider = OFFLINE_PROVIDER_ID;
  if (value === "timeout") return new ProviderError("timeout", "The offline model timed out (as asked).", { provider });
  if (value === "drop") return new ProviderError("connection", "The offline model dropped the connection (as asked).", { provider });
  const status = Number(value) || 500;
  return new ProviderError(kindForStatus(status), `The offline model answered ${status} (as asked).`, {
    provider,
    status,
    ...(status === 429 ? { retryAfterMs: 1000 } : {}),
  });
}

/** Placeholder arguments that satisfy a tool's required properties by type. */
function argumentsFor(tool: ToolDefinition, request: string): string {
  const properties = (tool.parameters.properties ?? {}) as Record<string, { type?: string }>;
  const required = (tool.parameters.required ?? Object.keys(properties)) as string[];
  const args: Record<string, unknown> = {};
  for (const name of required) {
    const type = properties[name]?.type;
    args[name] = type === "number" || type === "integer" ? 1 : type === "boolean" ? true : type === "array" ? [] : type === "object" ? {} : request.slice(0, 200);
  }
  return JSON.stringify(args);
}

function chooseTool(request: ChatRequest, text: string): ToolDefinition | undefined {
  const tools = request.tools ?? [];
  if (!tools.length || request.toolChoice === "none") return undefined;
  // Answer a tool's result with text rather than calling tools forever.
  if (request.messages.at(-1)?.role === "tool") return undefined;
  const choice = request.toolChoice;
  if (typeof choice === "object") return tools.find((t) => t.name === choice.name);
  const named = tools.find((t) => text.toLowerCase().includes(t.name.toLowerCase()));
  return named ?? (request.toolChoice === "required" ? tools[0] : undefined);
}

function answerText(request: ChatRequest, text: string): string {
  const clean = text.replace(DIRECTIVE, "").trim();
  const toolResult = request.messages.at(-1)?.role === "tool" ? request.messages.at(-1)!.content : null;
  if (request.responseFormat === "json") {
    return JSON.stringify({ answer: `Offline answer to: ${clean.slice(0, 200)}`, toolResult, offline: true });
  }
  if (toolResult !== null) return `The tool returned: ${toolResult.slice(0, 500)}`;
  return `This is Maestro's offline model (no provider is configured yet). You asked: "${clean.slice(0, 500)}"`;
}

function respond(request: ChatRequest): ChatResponse {
  const text = lastUserText(request);
  const tool = chooseTool(request, text);
  const toolCalls: ToolCall[] = tool ? [{ id: `call_${randomUUID().slice(0, 8)}`, name: tool.name, arguments: argumentsFor(tool, text) }] : [];
  const fullContent = tool ? "" : answerText(request, text);
  const limit = request.maxTokens;
  // Cut at exactly `limit` tokens, as a vendor does, so max_tokens bounds the cost.
  const content = limit !== undefined && estimateTextTokens(fullContent) > limit ? decode(encode(fullContent).slice(0, Math.max(1, limit))) : fullContent;
  const outputTokens = estimateTextTokens(content) + toolCalls.reduce((n, c) => n + estimateTextTokens(c.name + c.arguments), 0);
  return {
    id: `offline-${randomUUID()}`,
    model: request.model,
    content,
    toolCalls,
    finishReason: tool ? "tool_calls" : content !== fullContent ? "length" : "stop",
    usage: { inputTokens: estimateInputTokens(request), outputTokens, cachedInputTokens: 0 },
  };
}

export function createOfflineProvider(id = OFFLINE_PROVIDER_ID): Provider {
  return {
    kind: "offline",
    id,
    async chat(request) {
      abortIfNeeded(request.signal);
      await applyDirectives(lastUserText(request), request.signal);
      return respond(request);
    },
    async *stream(request): AsyncIterable<StreamEvent> {
      abortIfNeeded(request.signal);
      await applyDirectives(lastUserText(request), request.signal);
      const response = respond(request);
      for (const piece of response.content.match(/\S+\s*/g) ?? []) {
        abortIfNeeded(request.signal);
        yield { type: "text-delta", text: piece };
      }
      for (const [index, call] of response.toolCalls.entries()) {
        const half = Math.ceil(call.arguments.length / 2);
        yield { type: "tool-call-delta", index, id: call.id, name: call.name, argumentsDelta: call.arguments.slice(0, half) };
        yield { type: "tool-call-delta", index, argumentsDelta: call.arguments.slice(half) };
      }
      yield { type: "usage", usage: response.usage };
      yield { type: "finish", reason: response.finishReason, id: response.id, model: response.model };
    },
    async health(): Promise<ProviderHealth> {
      return { ok: true, latencyMs: 0, models: [OFFLINE_MODEL] };
    },
  };
}
