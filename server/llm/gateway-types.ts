// The gateway's own vocabulary, shared by routing, the gateway service, the tRPC
// procedures and the OpenAI-compatible /v1 endpoint. Callers name a model, a strategy
// or a task preset; the gateway turns that into an ordered list of provider/model
// targets and walks it with retries, a circuit breaker, the cache and the budgets.
import type { Capability, CatalogEntry } from "./catalog.ts";
import type { ChatRequest, ChatResponse, ProviderKind, StreamEvent, Usage } from "./types.ts";

export { STRATEGIES, TASK_PRESETS, type Strategy, type TaskPreset } from "../shared/llm.ts";
import type { Strategy, TaskPreset } from "../shared/llm.ts";

/** One model on one configured provider: what routing chooses between. */
export interface ModelTarget {
  providerId: string;
  /** The provider's name within the team ("openai", "ollama-gpu"); `name/model` addresses a target. */
  providerName: string;
  kind: ProviderKind;
  model: string;
  /** Lower is preferred; the provider's configured priority. */
  priority: number;
}

/** A team's routing defaults; a workflow or a single call may override each field. */
export interface RoutingPolicy {
  strategy: Strategy;
  /** Model used by `primary` when the call names none ("model" or "provider/model"). */
  defaultModel?: string | null;
  /** Ordered chain for `fallback` (and tried after the first choice by every strategy). */
  fallback: string[];
}

export interface GatewayRequest extends Omit<ChatRequest, "model" | "signal"> {
  /** A model id, "provider/model", or omitted / "auto" to let the strategy choose. */
  model?: string;
  strategy?: Strategy;
  preset?: TaskPreset;
  /** Models tried in order when the first choice fails ("model" or "provider/model"). */
  fallback?: string[];
  /** false: never read or write the cache. true: cache even when temperature > 0. */
  cache?: boolean;
  /** Capabilities needed beyond what the request implies (tools → "tools", JSON output → "json"). */
  requires?: Capability[];
}

/** Who is calling and on whose account; every usage record carries this. */
export interface CallContext {
  teamId: string;
  userId?: string | null;
  apiKeyId?: string | null;
  runId?: string | null;
  stepId?: string | null;
  /** What the call is for: "chat", "playground", "v1.chat.completions", "workflow.step", a preset... */
  operation: string;
  signal?: AbortSignal;
}

/** One try against one target, kept for the response metadata and the logs. */
export interface Attempt {
  target: string;
  outcome: "ok" | "error" | "skipped";
  errorKind?: string;
  message?: string;
  latencyMs: number;
}

export interface CallMeta {
  providerId: string;
  providerName: string;
  providerKind: ProviderKind;
  model: string;
  usage: Usage;
  /** Integer nano-dollars (1e-9 USD). */
  costNano: number;
  latencyMs: number;
  /** Milliseconds until the first streamed chunk (streams only). */
  firstChunkMs?: number;
  cacheHit: boolean;
  attempts: Attempt[];
  strategy: Strategy;
}

export interface GatewayResult {
  response: ChatResponse;
  meta: CallMeta;
}

/** A stream's events, then one `meta` event after `finish`. */
export type GatewayStreamEvent = StreamEvent | { type: "meta"; meta: CallMeta };

/** A provider as the gateway needs it: configuration with the key already decrypted. */
export interface ConfiguredProvider {
  id: string;
  name: string;
  kind: ProviderKind;
  baseUrl?: string | null;
  apiKey?: string | null;
  models: string[];
  priority: number;
  timeoutMs: number;
  /** Changes when the row changes, so cached SDK clients are rebuilt. */
  version: string;
}

/** Everything the gateway needs to know about one team, loaded once and cached briefly. */
export interface TeamGatewayConfig {
  /** Enabled providers only. */
  providers: ConfiguredProvider[];
  /** The team's catalog edits (new models, changed prices). */
  catalogOverrides: CatalogEntry[];
  policy: RoutingPolicy;
  cache: { enabled: boolean; ttlMs: number };
}

/** What a budget may watch: the call's team, user, provider and model. */
export interface SpendSubject {
  teamId: string;
  userId?: string | null;
  providerId: string;
  model: string;
}

/** Reserved room on every budget that watches a call, until settled or released. */
export interface BudgetHold {
  readonly ids: readonly string[];
  readonly amountNano: number;
}

/**
 * The budgets the gateway must respect. `reserve` is atomic per budget: under any
 * concurrency the reservations admitted never exceed a budget's room.
 */
export interface BudgetGuard {
  /** True when at least one enabled budget watches this subject (cheap; cached). */
  applies(subject: SpendSubject): Promise<boolean>;
  /** Reserves `amountNano` on every watching budget or none; throws BudgetExceededError naming the first without room. */
  reserve(subject: SpendSubject, amountNano: number, ttlMs: number): Promise<BudgetHold | null>;
  /** Replaces the reservation with the actual cost. */
  settle(hold: BudgetHold, subject: SpendSubject, actualNano: number): Promise<void>;
  /** Gives the reservation back (the call failed before costing anything). */
  release(hold: BudgetHold): Promise<void>;
}

/** One row of the usage ledger, as the gateway reports it. */
export interface UsageEvent {
  teamId: string;
  userId?: string | null;
  apiKeyId?: string | null;
  runId?: string | null;
  stepId?: string | null;
  providerId?: string | null;
  providerName?: string | null;
  providerKind?: ProviderKind | null;
  model: string;
  operation: string;
  usage: Usage;
  costNano: number;
  latencyMs: number;
  cacheHit: boolean;
  outcome: "ok" | "error" | "cancelled" | "refused";
  errorKind?: string | null;
  errorMessage?: string | null;
  createdAt: Date;
}

/** Where usage goes; writes may be batched, `flush` makes them visible. */
export interface UsageSink {
  record(event: UsageEvent): void;
  flush(): Promise<void>;
}
