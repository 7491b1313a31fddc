// The gateway: every LLM call in Maestro goes through here. For one call it plans an
// ordered list of provider/model targets, then for each target in turn: answers from
// the cache when it can, checks the context window, reserves the worst-case cost on the
// budgets that watch the call, calls the provider with retries behind a circuit
// breaker, and settles the actual cost. A retryable failure moves on to the next target
// within the same call; a request the vendor rejects surfaces at once.
import { ModelCatalog, costNanoUsd, type CatalogEntry } from "./catalog.ts";
import { cacheKey, isCacheable, type ResponseCache } from "./cache.ts";
import { ProviderError, isProviderError } from "./errors.ts";
import type {
  Attempt,
  BudgetGuard,
  BudgetHold,
  CallContext,
  CallMeta,
  ConfiguredProvider,
  GatewayRequest,
  GatewayResult,
  GatewayStreamEvent,
  ModelTarget,
  SpendSubject,
  Strategy,
  TeamGatewayConfig,
  UsageEvent,
  UsageSink,
} from "./gateway-types.ts";
import { OFFLINE_MODEL, OFFLINE_PROVIDER_ID } from "./providers/offline.ts";
import { CircuitBreakers, CircuitOpenError, DEFAULT_RETRY_POLICY, abortableSleep, backoffDelayMs, withRetries, type RetryPolicy } from "./resilience.ts";
import { LatencyTracker, applyPreset, planRoute, targetKey } from "./routing.ts";
import { estimateInputTokens, estimateTextTokens } from "./tokens.ts";
import type { ChatRequest, ChatResponse, Provider, StreamEvent, ToolCall, Usage } from "./types.ts";
import { ValidationError } from "../errors.ts";
import { logger } from "../logger.ts";

/** Without a max_tokens of its own, a budgeted call is capped here so its reservation is a true worst case. */
export const BUDGETED_DEFAULT_MAX_TOKENS = 4096;

/** Longer than any call with its retries; a reservation older than this belongs to a dead call. */
export const DEFAULT_RESERVATION_TTL_MS = 10 * 60_000;

/** The built-in offline provider, offered when a team has configured no provider yet. */
export const BUILTIN_OFFLINE: ConfiguredProvider = {
  id: OFFLINE_PROVIDER_ID,
  name: OFFLINE_PROVIDER_ID,
  kind: "offline",
  models: [OFFLINE_MODEL],
  priority: 1000,
  timeoutMs: 60_000,
  version: "builtin",
};

export interface GatewayOptions {
  /** The team's configuration; the caller caches it (this runs on every call). */
  loadTeam: (teamId: string) => Promise<TeamGatewayConfig>;
  cache: ResponseCache;
  budgets?: BudgetGuard;
  usage?: UsageSink;
  createProvider: (config: ConfiguredProvider) => Provider;
  breakers?: CircuitBreakers;
  latency?: LatencyTracker;
  retry?: RetryPolicy;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** How long a reservation may stay unsettled before the sweep releases it. */
  reservationTtlMs?: number;
}

/** A team's configuration turned into what planning needs, rebuilt only when the config object changes. */
interface TeamRuntime {
  config: TeamGatewayConfig;
  targets: ModelTarget[];
  catalog: ModelCatalog;
  providers: Map<string, { config: ConfiguredProvider; client: Provider }>;
}

interface Plan {
  request: GatewayRequest;
  runtime: TeamRuntime;
  strategy: Strategy;
  targets: ModelTarget[];
}

interface CallStep {
  kind: "call";
  entry: CatalogEntry | undefined;
  vendor: ChatRequest;
  subject: SpendSubject;
  hold: BudgetHold | null;
  /** Where the answer goes in the cache; null when it must not be cached. */
  storeKey: string | null;
}

type TargetStep = { kind: "skip" } | { kind: "hit"; cached: ChatResponse } | CallStep;

const SHIPPED = new ModelCatalog();

/** The vendor request for one target: the gateway-only fields stripped. */
function vendorRequest(request: GatewayRequest, model: string, signal: AbortSignal | undefined): ChatRequest {
  const { strategy: _s, preset: _p, fallback: _f, cache: _c, requires: _r, model: _m, ...rest } = request;
  return { ...rest, model, ...(signal ? { signal } : {}) };
}

function zeroUsage(): Usage {
  return { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };
}

/** A failure that another provider might not have: worth trying the next target. */
function canFallBack(error: unknown): boolean {
  return isProviderError(error) && (error.retryable || error instanceof CircuitOpenError);
}

function describe(error: unknown): { errorKind: string; message: string } {
  if (isProviderError(error)) return { errorKind: error.kind, message: error.message };
  if (error instanceof Error) return { errorKind: error.name, message: error.message };
  return { errorKind: "unknown", message: String(error) };
}

export class Gateway {
  readonly breakers: CircuitBreakers;
  readonly latency: LatencyTracker;
  private readonly retry: RetryPolicy;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly runtimes = new WeakMap<TeamGatewayConfig, TeamRuntime>();
  private readonly clients = new Map<string, Provider>();

  constructor(private readonly options: GatewayOptions) {
    this.breakers = options.breakers ?? new CircuitBreakers();
    this.latency = options.latency ?? new LatencyTracker();
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.sleep = options.sleep ?? abortableSleep;
  }

  get cache(): ResponseCache {
    return this.options.cache;
  }

  /** The models a team can route to, and the catalog that prices them. */
  async routable(teamId: string): Promise<{ targets: ModelTarget[]; catalog: ModelCatalog; strategy: Strategy }> {
    const runtime = await this.runtime(teamId);
    return { targets: runtime.targets, catalog: runtime.catalog, strategy: runtime.config.policy.strategy };
  }

  async chat(ctx: CallContext, request: GatewayRequest): Promise<GatewayResult> {
    const started = performance.now();
    const plan = await this.plan(ctx, request);
    const attempts: Attempt[] = [];
    let lastError: unknown;
    for (const target of plan.targets) {
      const step = await this.prepare(ctx, plan, target, attempts, ctx.signal);
      if (step.kind === "skip") continue;
      if (step.kind === "hit") return this.fromCache(ctx, plan, target, step.cached, attempts, started);
      const { vendor, hold } = step;
      const tryStarted = performance.now();
      try {
        const client = this.client(plan.runtime, target);
        const response = await withRetries(
          () => this.breakers.run(target.providerId, targetKey(target), () => client.chat(vendor)),
          this.retry,
          { sleep: (ms, signal) => this.pause(ms, signal, target.providerId), ...(ctx.signal ? { signal: ctx.signal } : {}) },
        );
        const meta = await this.succeeded(ctx, plan, target, step, response, attempts, started, tryStarted);
        return { response, meta };
      } catch (error) {
        if (hold) await this.options.budgets!.release(hold);
        lastError = error;
        this.failed(ctx, target, attempts, error, performance.now() - tryStarted);
        if (!canFallBack(error)) throw error;
      }
    }
    throw this.exhausted(lastError, attempts);
  }

  /**
   * Streams the answer. Retries and fallbacks happen only before the first chunk has
   * gone out; after that a failure ends the stream with the error. Leaving the loop
   * early (the client went away) aborts the upstream and bills what was generated.
   */
  async *stream(ctx: CallContext, request: GatewayRequest): AsyncGenerator<GatewayStreamEvent> {
    const started = performance.now();
    const plan = await this.plan(ctx, request);
    const attempts: Attempt[] = [];
    let lastError: unknown;
    for (const target of plan.targets) {
      const upstream = new AbortController();
      const step = await this.prepare(ctx, plan, target, attempts, upstream.signal);
      if (step.kind === "skip") continue;
      if (step.kind === "hit") {
        const { meta } = this.fromCache(ctx, plan, target, step.cached, attempts, started);
        yield* replay(step.cached);
        yield { type: "meta", meta };
        return;
      }
      const { vendor, hold, entry, subject } = step;
      const onAbort = () => upstream.abort(ctx.signal?.reason);
      if (ctx.signal?.aborted) onAbort();
      ctx.signal?.addEventListener("abort", onAbort, { once: true });
      const acc = new StreamAccumulator(target.model);
      const tryStarted = performance.now();
      let firstChunkMs: number | undefined;
      let settled = false;
      try {
        const client = this.client(plan.runtime, target);
        for (let attempt = 0; ; attempt++) {
          try {
            this.breakers.acquire(target.providerId, targetKey(target));
            for await (const event of client.stream(vendor)) {
              firstChunkMs ??= performance.now() - started;
              acc.add(event);
              yield event;
            }
            this.breakers.success(targetKey(target));
            break;
          } catch (error) {
            // acquire() refusing (CircuitOpenError) says nothing new about the upstream, and
            // failure() would free the half-open probe slot another call is holding.
            if (!(error instanceof CircuitOpenError)) this.breakers.failure(targetKey(target), error);
            const retryable = isProviderError(error) && error.retryable && !acc.started && attempt + 1 < this.retry.attempts;
            const retryAfter = isProviderError(error) ? error.details.retryAfterMs : undefined;
            if (!retryable || (retryAfter !== undefined && retryAfter > this.retry.maxRetryAfterMs)) throw error;
            await this.pause(retryAfter ?? backoffDelayMs(this.retry, attempt), ctx.signal, target.providerId);
          }
        }
        settled = true;
        const meta = await this.succeeded(ctx, plan, target, step, acc.response(vendor), attempts, started, tryStarted, firstChunkMs);
        yield { type: "meta", meta };
        return;
      } catch (error) {
        settled = true;
        lastError = error;
        if (acc.started) {
          // Content went out: the vendor billed it, so it is settled, not released.
          const usage = acc.response(vendor).usage;
          const costNano = entry ? costNanoUsd(usage, entry.price) : 0;
          if (hold) await this.options.budgets!.settle(hold, subject, costNano);
          const meta = this.meta(plan, target, usage, costNano, started, false, attempts);
          this.record(ctx, target, meta, isProviderError(error) && error.kind === "cancelled" ? "cancelled" : "error", error);
          throw error;
        }
        if (hold) await this.options.budgets!.release(hold);
        this.failed(ctx, target, attempts, error, performance.now() - tryStarted);
        if (!canFallBack(error)) throw error;
      } finally {
        ctx.signal?.removeEventListener("abort", onAbort);
        if (!settled) {
          // The consumer stopped reading (generator returned early): stop the vendor too.
          const stopped = new ProviderError("cancelled", "The client stopped reading the stream.", { provider: target.providerId });
          upstream.abort(stopped);
          // Neither success nor failure was reported: if this stream was the half-open probe,
          // free its slot (a non-retryable error counts no failure), or the circuit refuses forever.
          this.breakers.failure(targetKey(target), stopped);
          const usage = acc.response(vendor).usage;
          const costNano = entry ? costNanoUsd(usage, entry.price) : 0;
          if (hold) await this.options.budgets!.settle(hold, subject, costNano);
          this.record(ctx, target, this.meta(plan, target, usage, costNano, started, false, attempts), "cancelled");
        }
      }
    }
    throw this.exhausted(lastError, attempts);
  }

  /**
   * Everything before a target is called: the context check, the cache, and the budget
   * hold. A budgeted call without max_tokens is capped (so the hold is a true worst
   * case), and its answer is then not cached: it is not what an uncapped caller asked for.
   */
  private async prepare(ctx: CallContext, plan: Plan, target: ModelTarget, attempts: Attempt[], signal: AbortSignal | undefined): Promise<TargetStep> {
    const entry = plan.runtime.catalog.find(target.model);
    if (!this.fitsContext(plan.request, entry, target, attempts)) return { kind: "skip" };
    const vendor = vendorRequest(plan.request, target.model, signal);
    const key = this.cacheKeyFor(ctx, plan, vendor);
    const cached = key ? await this.lookup(key) : null;
    if (cached) return { kind: "hit", cached };
    const subject: SpendSubject = { teamId: ctx.teamId, userId: ctx.userId ?? null, providerId: target.providerId, model: target.model };
    const uncapped = vendor.maxTokens === undefined;
    const hold = await this.reserve(ctx, subject, vendor, entry, target);
    const storeKey = uncapped && vendor.maxTokens !== undefined ? null : key;
    return { kind: "call", entry, vendor, subject, hold, storeKey };
  }

  /** After a target answered: latency, cost, the budget settled, the cache filled, the usage recorded. */
  private async succeeded(
    ctx: CallContext,
    plan: Plan,
    target: ModelTarget,
    step: CallStep,
    response: ChatResponse,
    attempts: Attempt[],
    started: number,
    tryStarted: number,
    firstChunkMs?: number,
  ): Promise<CallMeta> {
    const latencyMs = performance.now() - tryStarted;
    this.latency.record(targetKey(target), latencyMs);
    attempts.push({ target: `${target.providerName}/${target.model}`, outcome: "ok", latencyMs });
    const costNano = step.entry ? costNanoUsd(response.usage, step.entry.price) : 0;
    if (step.hold) await this.options.budgets!.settle(step.hold, step.subject, costNano);
    if (step.storeKey && response.finishReason !== "error") this.store(step.storeKey, response, plan.runtime.config.cache.ttlMs);
    const meta = { ...this.meta(plan, target, response.usage, costNano, started, false, attempts), ...(firstChunkMs !== undefined ? { firstChunkMs } : {}) };
    this.record(ctx, target, meta, "ok");
    return meta;
  }

  /** Answers each request once so later identical ones hit the cache; returns how many were stored. */
  async warm(ctx: CallContext, requests: GatewayRequest[]): Promise<{ warmed: number; failed: { index: number; message: string }[] }> {
    let warmed = 0;
    const failed: { index: number; message: string }[] = [];
    for (const [index, request] of requests.entries()) {
      try {
        const { meta } = await this.chat(ctx, { ...request, cache: true });
        if (!meta.cacheHit) warmed++;
      } catch (error) {
        failed.push({ index, message: describe(error).message });
      }
    }
    return { warmed, failed };
  }

  // -------------------------------------------------------------------------------------

  private async runtime(teamId: string): Promise<TeamRuntime> {
    const config = await this.options.loadTeam(teamId);
    let runtime = this.runtimes.get(config);
    if (!runtime) {
      runtime = this.buildRuntime(config);
      this.runtimes.set(config, runtime);
    }
    return runtime;
  }

  private buildRuntime(config: TeamGatewayConfig): TeamRuntime {
    const providers = config.providers.length ? config.providers : [BUILTIN_OFFLINE];
    const catalog = config.catalogOverrides.length ? SHIPPED.withOverrides(config.catalogOverrides) : SHIPPED;
    const byId = new Map<string, { config: ConfiguredProvider; client: Provider }>();
    const targets: ModelTarget[] = [];
    for (const p of providers) {
      byId.set(p.id, { config: p, client: this.cachedClient(p) });
      for (const model of p.models) targets.push({ providerId: p.id, providerName: p.name, kind: p.kind, model, priority: p.priority });
    }
    return { config, targets, catalog, providers: byId };
  }

  /** SDK clients keep connection pools; reuse them until the provider's row changes. */
  private cachedClient(config: ConfiguredProvider): Provider {
    const key = `${config.id}:${config.version}`;
    let client = this.clients.get(key);
    if (!client) {
      client = this.options.createProvider(config);
      for (const old of this.clients.keys()) if (old.startsWith(`${config.id}:`)) this.clients.delete(old);
      this.clients.set(key, client);
    }
    return client;
  }

  private client(runtime: TeamRuntime, target: ModelTarget): Provider {
    return runtime.providers.get(target.providerId)!.client;
  }

  private async plan(ctx: CallContext, request: GatewayRequest): Promise<Plan> {
    if (!request.messages?.length) throw new ValidationError("A chat needs at least one message.");
    const runtime = await this.runtime(ctx.teamId);
    const withPreset = applyPreset(request);
    const { strategy, targets } = planRoute({
      request: withPreset,
      policy: runtime.config.policy,
      targets: runtime.targets,
      catalog: runtime.catalog,
      latency: this.latency,
      isOpen: (t) => this.breakers.state(targetKey(t)) === "open",
    });
    return { request: withPreset, runtime, strategy, targets };
  }

  private cacheKeyFor(ctx: CallContext, plan: Plan, vendor: ChatRequest): string | null {
    if (!plan.runtime.config.cache.enabled || !isCacheable(vendor, plan.request.cache)) return null;
    return cacheKey(ctx.teamId, vendor);
  }

  /** A cache that cannot answer (Redis down) is a miss, not a failed call. */
  private async lookup(key: string): Promise<ChatResponse | null> {
    try {
      return await this.options.cache.get(key);
    } catch (error) {
      logger.warn("gateway.cache_read_failed", { error: describe(error).message });
      return null;
    }
  }

  /** Best effort: a failed cache write (Redis down or full) must not fail the call, nor go unhandled and crash the process. */
  private store(key: string, response: ChatResponse, ttlMs: number): void {
    this.options.cache.set(key, response, ttlMs).catch(() => {});
  }

  /** The wait between retries; the caller aborting during it is a cancellation, reported as the adapters report one. */
  private async pause(ms: number, signal: AbortSignal | undefined, provider: string): Promise<void> {
    try {
      await this.sleep(ms, signal);
    } catch (error) {
      if (signal?.aborted) throw new ProviderError("cancelled", "The call was cancelled.", { provider, cause: error });
      throw error;
    }
  }

  /**
   * Skips a target whose context window cannot hold the prompt. Counting tokens costs
   * time on every call, so it only happens when the text could possibly not fit
   * (a token is at least one byte).
   */
  private fitsContext(request: GatewayRequest, entry: CatalogEntry | undefined, target: ModelTarget, attempts: Attempt[]): boolean {
    if (!entry) return true;
    // An upper bound of estimateInputTokens: UTF-8 bytes, not string length (the tokenizer
    // is byte-level: a token covers at least one byte, but a CJK character or an emoji can
    // be two or three tokens), plus the per-message framing, tool calls and tool definitions.
    let bound = 3 + (request.system ? Buffer.byteLength(request.system) + 4 : 0);
    for (const m of request.messages) {
      bound += Buffer.byteLength(m.content) + 4;
      if (m.role === "assistant") for (const c of m.toolCalls ?? []) bound += Buffer.byteLength(c.name + c.arguments);
    }
    for (const t of request.tools ?? []) bound += Buffer.byteLength(t.name + (t.description ?? "") + JSON.stringify(t.parameters));
    const room = entry.contextWindow - (request.maxTokens ?? 0);
    if (bound <= room) return true;
    const tokens = estimateInputTokens(request);
    if (tokens <= room) return true;
    attempts.push({
      target: `${target.providerName}/${target.model}`,
      outcome: "skipped",
      errorKind: "context_length",
      message: `About ${tokens} input tokens${request.maxTokens ? ` plus ${request.maxTokens} output tokens` : ""} exceed the context window of ${entry.contextWindow}.`,
      latencyMs: 0,
    });
    return false;
  }

  private async reserve(ctx: CallContext, subject: SpendSubject, vendor: ChatRequest, entry: CatalogEntry | undefined, target: ModelTarget): Promise<BudgetHold | null> {
    const budgets = this.options.budgets;
    if (!budgets || !(await budgets.applies(subject))) return null;
    if (vendor.maxTokens === undefined) vendor.maxTokens = Math.min(entry?.maxOutputTokens ?? BUDGETED_DEFAULT_MAX_TOKENS, BUDGETED_DEFAULT_MAX_TOKENS);
    const worst = entry ? costNanoUsd({ inputTokens: estimateInputTokens(vendor), outputTokens: vendor.maxTokens, cachedInputTokens: 0 }, entry.price) : 0;
    const ttl = this.options.reservationTtlMs ?? DEFAULT_RESERVATION_TTL_MS;
    try {
      return await budgets.reserve(subject, worst, ttl);
    } catch (error) {
      this.account(ctx, target, { usage: zeroUsage(), costNano: 0, latencyMs: 0, cacheHit: false }, "refused", error);
      throw error;
    }
  }

  private fromCache(ctx: CallContext, plan: Plan, target: ModelTarget, cached: ChatResponse, attempts: Attempt[], started: number): GatewayResult {
    attempts.push({ target: `${target.providerName}/${target.model}`, outcome: "ok", latencyMs: 0 });
    // The answer was paid for once already; a hit costs nothing.
    const meta = this.meta(plan, target, cached.usage, 0, started, true, attempts);
    this.record(ctx, target, meta, "ok");
    return { response: cached, meta };
  }

  private meta(plan: Plan, target: ModelTarget, usage: Usage, costNano: number, started: number, cacheHit: boolean, attempts: Attempt[]): CallMeta {
    return {
      providerId: target.providerId,
      providerName: target.providerName,
      providerKind: target.kind,
      model: target.model,
      usage,
      costNano,
      latencyMs: performance.now() - started,
      cacheHit,
      attempts,
      strategy: plan.strategy,
    };
  }

  private record(ctx: CallContext, target: ModelTarget, meta: CallMeta, outcome: "ok" | "error" | "cancelled", error?: unknown): void {
    this.account(ctx, target, meta, outcome, error);
  }

  /** One usage event: who called, which target, what it cost and how it ended. */
  private account(
    ctx: CallContext,
    target: ModelTarget,
    result: Pick<CallMeta, "usage" | "costNano" | "latencyMs" | "cacheHit">,
    outcome: UsageEvent["outcome"],
    error?: unknown,
  ): void {
    this.options.usage?.record({
      teamId: ctx.teamId,
      userId: ctx.userId ?? null,
      apiKeyId: ctx.apiKeyId ?? null,
      runId: ctx.runId ?? null,
      stepId: ctx.stepId ?? null,
      operation: ctx.operation,
      providerId: target.providerId,
      providerName: target.providerName,
      providerKind: target.kind,
      model: target.model,
      usage: result.usage,
      costNano: result.costNano,
      latencyMs: Math.round(result.latencyMs),
      cacheHit: result.cacheHit,
      outcome,
      ...(error ? describeForUsage(error) : {}),
      createdAt: new Date(),
    });
  }

  private failed(ctx: CallContext, target: ModelTarget, attempts: Attempt[], error: unknown, latencyMs: number): void {
    const { errorKind, message } = describe(error);
    attempts.push({ target: `${target.providerName}/${target.model}`, outcome: "error", errorKind, message, latencyMs });
    const cancelled = isProviderError(error) && error.kind === "cancelled";
    this.account(ctx, target, { usage: zeroUsage(), costNano: 0, latencyMs, cacheHit: false }, cancelled ? "cancelled" : "error", error);
  }

  private exhausted(lastError: unknown, attempts: Attempt[]): unknown {
    if (lastError) return lastError;
    const skipped = attempts.filter((a) => a.outcome === "skipped");
    return new ValidationError(skipped[0]?.message ?? "No model could take this request.", { attempts });
  }
}

function describeForUsage(error: unknown): { errorKind: string; errorMessage: string } {
  const { errorKind, message } = describe(error);
  return { errorKind, errorMessage: message.slice(0, 1000) };
}

/** Rebuilds a complete response from stream events, for the cache, the cost and the usage record. */
class StreamAccumulator {
  started = false;
  private text = "";
  private readonly calls: ToolCall[] = [];
  private usage: Usage | undefined;
  private finish: { reason: ChatResponse["finishReason"]; id: string; model: string } | undefined;

  constructor(private readonly model: string) {}

  add(event: StreamEvent): void {
    switch (event.type) {
      case "text-delta":
        this.started = true;
        this.text += event.text;
        break;
      case "tool-call-delta": {
        this.started = true;
        const call = (this.calls[event.index] ??= { id: event.id ?? "", name: event.name ?? "", arguments: "" });
        if (event.id) call.id = event.id;
        if (event.name) call.name = event.name;
        call.arguments += event.argumentsDelta;
        break;
      }
      case "usage":
        this.usage = event.usage;
        break;
      case "finish":
        this.finish = { reason: event.reason, id: event.id, model: event.model };
        break;
    }
  }

  /** When the vendor sent no usage (or the stream was cut), tokens are estimated. */
  response(request: ChatRequest): ChatResponse {
    const toolCalls = this.calls.filter(Boolean);
    const usage = this.usage ?? {
      inputTokens: estimateInputTokens(request),
      outputTokens: estimateTextTokens(this.text) + toolCalls.reduce((n, c) => n + estimateTextTokens(c.name + c.arguments), 0),
      cachedInputTokens: 0,
    };
    return {
      id: this.finish?.id ?? "",
      model: this.finish?.model ?? this.model,
      content: this.text,
      toolCalls,
      finishReason: this.finish?.reason ?? "error",
      usage,
    };
  }
}

/** A cached answer as a stream: words, then tool calls in two pieces each, usage, finish. */
export function* replay(response: ChatResponse): Generator<StreamEvent> {
  for (const piece of response.content.match(/\S+\s*|\s+/g) ?? []) yield { type: "text-delta", text: piece };
  for (const [index, call] of response.toolCalls.entries()) {
    yield { type: "tool-call-delta", index, id: call.id, name: call.name, argumentsDelta: call.arguments };
  }
  yield { type: "usage", usage: response.usage };
  yield { type: "finish", reason: response.finishReason, id: response.id, model: response.model };
}
