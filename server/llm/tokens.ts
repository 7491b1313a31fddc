// Token estimates before a call, for budget reservations and context checks. The
// o200k BPE of current OpenAI models is exact for them; for Claude and local models it
// is an estimate (typically within 10-20 %), which is why reservations also count the
// full max output and are settled with the vendor's actual usage afterwards.
import { countTokens } from "gpt-tokenizer";
import type { ChatMessage, ChatRequest, ToolDefinition } from "./types.ts";

// OpenAI's chat format adds a few tokens of framing per message and per reply.
const TOKENS_PER_MESSAGE = 4;
const TOKENS_PER_REPLY = 3;

export function estimateTextTokens(text: string): number {
  return text ? countTokens(text) : 0;
}

function messageText(message: ChatMessage): string {
  if (message.role === "assistant" && message.toolCalls?.length) {
    return message.content + message.toolCalls.map((c) => c.name + c.arguments).join("");
  }
  return message.content;
}

function toolTokens(tools: readonly ToolDefinition[] | undefined): number {
  return (tools ?? []).reduce((sum, t) => sum + estimateTextTokens(t.name + (t.description ?? "") + JSON.stringify(t.parameters)), 0);
}

/** Estimated input tokens of a chat request: messages, system prompt and tool definitions. */
export function estimateInputTokens(request: Pick<ChatRequest, "messages" | "system" | "tools">): number {
  const system = request.system ? estimateTextTokens(request.system) + TOKENS_PER_MESSAGE : 0;
  const messages = request.messages.reduce((sum, m) => sum + estimateTextTokens(messageText(m)) + TOKENS_PER_MESSAGE, 0);
  return system + messages + toolTokens(request.tools) + TOKENS_PER_REPLY;
}
