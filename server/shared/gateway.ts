// Shapes of gateway calls from the browser and tRPC clients (the Playground, agents,
// TypeScript apps). Mirrors server/llm/gateway-types.ts with validation and limits.
import { z } from "zod";
import { teamInput } from "./schemas.ts";
import { CAPABILITIES, STRATEGIES, TASK_PRESETS } from "./llm.ts";


const MAX_TEXT = 200_000;
const text = z.string().max(MAX_TEXT, `must be at most ${MAX_TEXT} characters`);

const toolCallSchema = z.object({
  id: z.string().min(1).max(200),
  name: z.string().min(1).max(200),
  arguments: z.string().max(MAX_TEXT),
});

export const chatMessageSchema = z.discriminatedUnion("role", [
  z.object({ role: z.literal("system"), content: text }),
  z.object({ role: z.literal("user"), content: text }),
  z.object({ role: z.literal("assistant"), content: text, toolCalls: z.array(toolCallSchema).max(64).optional() }),
  z.object({ role: z.literal("tool"), toolCallId: z.string().min(1).max(200), content: text }),
]);

export const toolDefinitionSchema = z.object({
  name: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_-]+$/, "may use letters, digits, _ and -"),
  description: z.string().max(4000).optional(),
  parameters: z.record(z.string(), z.unknown()),
});

export const chatInput = teamInput.extend({
  messages: z.array(chatMessageSchema).min(1, "needs at least one message").max(500, "at most 500 messages"),
  system: text.optional(),
  tools: z.array(toolDefinitionSchema).max(128).optional(),
  toolChoice: z.union([z.enum(["auto", "none", "required"]), z.object({ name: z.string().min(1).max(64) })]).optional(),
  responseFormat: z.enum(["text", "json"]).optional(),
  temperature: z.number().min(0).max(2).optional(),
  topP: z.number().min(0).max(1).optional(),
  maxTokens: z.number().int().min(1).max(1_000_000).optional(),
  stop: z.array(z.string().max(200)).max(4).optional(),
  /** A model id, "provider/model", or "auto". */
  model: z.string().min(1).max(200).optional(),
  strategy: z.enum(STRATEGIES).optional(),
  preset: z.enum(TASK_PRESETS).optional(),
  fallback: z.array(z.string().min(1).max(200)).max(10).optional(),
  cache: z.boolean().optional(),
  requires: z.array(z.enum(CAPABILITIES)).max(5).optional(),
  /** What the call is for, shown in cost reports ("playground" by default). */
  operation: z
    .string()
    .max(64)
    .regex(/^[a-z0-9._:-]+$/, "may use lower-case letters, digits and . _ : -")
    .optional(),
});
export type ChatInput = z.infer<typeof chatInput>;

export interface CallMetaDto {
  provider: string;
  providerKind: string;
  model: string;
  strategy: string;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  costUsd: number;
  latencyMs: number;
  firstChunkMs: number | null;
  cacheHit: boolean;
  attempts: { target: string; outcome: string; errorKind?: string; message?: string; latencyMs: number }[];
}

export interface ChatResultDto {
  id: string;
  content: string;
  toolCalls: { id: string; name: string; arguments: string }[];
  finishReason: string;
  meta: CallMetaDto;
}

export type ChatStreamChunk =
  | { type: "text"; text: string }
  | { type: "tool-call"; index: number; id?: string; name?: string; argumentsDelta: string }
  | { type: "finish"; reason: string }
  | { type: "meta"; meta: CallMetaDto };

export interface RoutableModelDto {
  /** "provider/model": what to put in `model` to pin this target. */
  ref: string;
  providerId: string;
  providerName: string;
  providerKind: string;
  model: string;
  offline: boolean;
  contextWindow: number | null;
  capabilities: string[];
  /** USD per million tokens, when the catalog knows the model. */
  price: { input: number; cachedInput: number; output: number } | null;
}

export const cacheInvalidateInput = teamInput.extend({
  /** Only this model's entries. */
  model: z.string().min(1).max(200).optional(),
  /** A glob over `<model>:<hash>` ("gpt-4o*"); all of the team's entries when both are omitted. */
  pattern: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9_.:/*-]+$/, "may use letters, digits, * and _ . : / -")
    .optional(),
});

export const cacheWarmInput = teamInput.extend({
  requests: z.array(chatInput.omit({ teamId: true })).min(1).max(100, "at most 100 requests per warm-up"),
});
