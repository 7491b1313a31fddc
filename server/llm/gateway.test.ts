// The gateway end to end through the real adapters (official SDKs) against the fake
// OpenAI and Anthropic servers: routing, retries, fallbacks, the circuit breaker, the
// response cache, streaming, cancellation, context windows, presets and the budget
// protocol. Waits between retries are recorded, never slept.
import { describe, expect, it } from "vitest";
import { BudgetExceededError, ValidationError } from "../errors.ts";
import { MemoryResponseCache } from "./cache.ts";
import { ModelCatalog, costNanoUsd, type CatalogEntry } from "./catalog.ts";
import { isProviderError } from "./errors.ts";
import { DEFAULT_RESERVATION_TTL_MS, Gateway, type GatewayOptions } from "./gateway.ts";
import type {
  BudgetGuard,
  BudgetHold,
  CallContext,
  ConfiguredProvider,
  GatewayRequest,
  GatewayStreamEvent,
  SpendSubject,
  TeamGatewayConfig,
  UsageEvent,
  UsageSink,
} from "./gateway-types.ts";
import { createProviderClient } from "./providers/index.ts";
import { JSON_MODE_INSTRUCTION } from "./providers/anthropic.ts";
import { CircuitBreakers, abortableSleep } from "./resilience.ts";
import { NoRouteError, TASK_PRESET_DEFAULTS } from "./routing.ts";
import { startFakeAnthropic, type FakeAnthropic } from "./testing/fake-anthropic.ts";
import { startFakeOpenAI, type FakeOpenAI } from "./testing/fake-openai.ts";
import type { RecordedRequest } from "./testing/fake-vendor.ts";
import { failure, withFakeServer, withRawServer } from "./testing/test-helpers.ts";
import { estimateInputTokens, estimateTextTokens } from "./tokens.ts";
import type { ChatMessage, StreamEvent, ToolDefinition } from "./types.ts";

let openai: FakeOpenAI;
let anthropic: FakeAnthropic;

withFakeServer(startFakeOpenAI, (started) => (openai = started));
withFakeServer(startFakeAnthropic, (started) => (anthropic = started));

const CATALOG = new ModelCatalog();
const price = (model: string) => CATALOG.find(model)!.price;

// ---------------------------------------------------------------------------------
// Team configuration

const openaiProvider = (over: Partial<ConfiguredProvider> = {}): ConfiguredProvider => ({
  id: "prov-openai",
  name: "openai",
  kind: "openai",
  baseUrl: openai.url,
  apiKey: "sk-test",
  models: ["gpt-4o", "gpt-4o-mini"],
  priority: 1,
  timeoutMs: 5_000,
  version: "1",
  ...over,
});

const anthropicProvider = (over: Partial<ConfiguredProvider> = {}): ConfiguredProvider => ({
  id: "prov-anthropic",
  name: "anthropic",
  kind: "anthropic",
  baseUrl: anthropic.url,
  apiKey: "not-a-real-anthropic-key",
  models: ["claude-haiku-4-5"],
  priority: 2,
  timeoutMs: 5_000,
  version: "1",
  ...over,
});

/**
 * OpenAI first (priority 1), Anthropic second; the policy's fallback chain names Haiku, so
 * a call to an OpenAI model that fails goes to Anthropic next. Without a model, `primary`
 * picks gpt-4o (the first OpenAI model by name).
 */
const teamConfig = (over: Partial<TeamGatewayConfig> = {}): TeamGatewayConfig => ({
  providers: [openaiProvider(), anthropicProvider()],
  catalogOverrides: [],
  policy: { strategy: "primary", defaultModel: null, fallback: ["anthropic/claude-haiku-4-5"] },
  cache: { enabled: true, ttlMs: 60_000 },
  ...over,
});

// ---------------------------------------------------------------------------------
// Observers

/** The test's window on the usage ledger. */
class RecordingUsage implements UsageSink {
  readonly events: UsageEvent[] = [];
  record(event: UsageEvent): void {
    this.events.push(event);
  }
  async flush(): Promise<void> {}
}

type BudgetCall =
  | { op: "reserve"; subject: SpendSubject; amountNano: number; ttlMs: number }
  | { op: "settle"; hold: BudgetHold; subject: SpendSubject; actualNano: number }
  | { op: "release"; hold: BudgetHold };

/** Records the gateway's side of the budget protocol; `refuse` makes reserve throw. */
class RecordingBudgets implements BudgetGuard {
  readonly calls: BudgetCall[] = [];
  refuse: Error | null = null;
  private holds = 0;
  constructor(private readonly watching = true) {}
  async applies(): Promise<boolean> {
    return this.watching;
  }
  async reserve(subject: SpendSubject, amountNano: number, ttlMs: number): Promise<BudgetHold> {
    this.calls.push({ op: "reserve", subject, amountNano, ttlMs });
    if (this.refuse) throw this.refuse;
    return { ids: [`budget-${++this.holds}`], amountNano };
  }
  async settle(hold: BudgetHold, subject: SpendSubject, actualNano: number): Promise<void> {
    this.calls.push({ op: "settle", hold, subject, actualNano });
  }
  async release(hold: BudgetHold): Promise<void> {
    this.calls.push({ op: "release", hold });
  }
}

interface Harness {
  gateway: Gateway;
  usage: RecordingUsage;
  sleeps: number[];
  cache: MemoryResponseCache;
}

/** A fresh gateway (fresh cache, breakers and SDK clients) over the given teams' configuration. */
function setup(options: { teams?: Record<string, TeamGatewayConfig> } & Partial<GatewayOptions> = {}): Harness {
  const { teams = {}, ...rest } = options;
  const fallbackTeam = teamConfig();
  const usage = new RecordingUsage();
  const sleeps: number[] = [];
  const cache = new MemoryResponseCache();
  const gateway = new Gateway({
    loadTeam: async (teamId) => teams[teamId] ?? fallbackTeam,
    cache,
    usage,
    createProvider: createProviderClient,
    sleep: async (ms) => void sleeps.push(ms),
    ...rest,
  });
  return { gateway, usage, sleeps, cache };
}

const CTX: CallContext = { teamId: "team-a", userId: "user-1", apiKeyId: "key-1", runId: "run-1", stepId: "step-1", operation: "test.chat" };
const CTX_B: CallContext = { teamId: "team-b", userId: "user-2", operation: "test.chat" };

const user = (content: string): ChatMessage[] => [{ role: "user", content }];
const HELLO = user("hello there");
const ASK: GatewayRequest = { model: "gpt-4o-mini", messages: HELLO };
const WEATHER: ToolDefinition = {
  name: "get_weather",
  description: "Weather for a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};
const ARGS = JSON.stringify({ city: "Paris" });

// "hello there" is 2 words in and "Echo: hello there" 3 out, at the catalog's per-token prices.
const MINI_HELLO_NANO = 2 * 150 + 3 * 600;
const HAIKU_HELLO_NANO = 2 * 1_000 + 3 * 5_000;

/** Generation requests a fake received since `tap()` was called. */
function tap() {
  const from = { openai: openai.requests.length, anthropic: anthropic.requests.length };
  const generation = (requests: RecordedRequest[], start: number) => requests.slice(start).filter((r) => r.method === "POST");
  return {
    openai: () => generation(openai.requests, from.openai),
    anthropic: () => generation(anthropic.requests, from.anthropic),
  };
}

async function drain<T>(events: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const event of events) out.push(event);
  return out;
}

/** What a promise rejects with (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error,
  );
}

const textOf = (events: GatewayStreamEvent[]) => events.map((e) => (e.type === "text-delta" ? e.text : "")).join("");
const metaOf = (events: GatewayStreamEvent[]) => {
  const last = events.at(-1);
  if (last?.type !== "meta") throw new Error(`the stream did not end with meta: ${JSON.stringify(last)}`);
  return last.meta;
};
const toolDeltas = (events: GatewayStreamEvent[]) => events.filter((e): e is Extract<StreamEvent, { type: "tool-call-delta" }> => e.type === "tool-call-delta");

// ---------------------------------------------------------------------------------

describe("gateway: chat", () => {
  it("answers through the routed provider with exact cost and one complete usage record", async () => {
    const { gateway, usage, sleeps } = setup();
    const seen = tap();
    const { response, meta } = await gateway.chat(CTX, ASK);

    expect(response).toMatchObject({
      model: "gpt-4o-mini",
      content: "Echo: hello there",
      toolCalls: [],
      finishReason: "stop",
      usage: { inputTokens: 2, outputTokens: 3, cachedInputTokens: 0 },
    });
    expect(meta.costNano).toBe(MINI_HELLO_NANO);
    expect(meta.costNano).toBe(costNanoUsd(response.usage, price("gpt-4o-mini")));
    expect(Number.isInteger(meta.costNano)).toBe(true);
    expect(meta).toMatchObject({
      providerId: "prov-openai",
      providerName: "openai",
      providerKind: "openai",
      model: "gpt-4o-mini",
      cacheHit: false,
      strategy: "primary",
      attempts: [{ target: "openai/gpt-4o-mini", outcome: "ok" }],
    });
    expect(meta.latencyMs).toBeGreaterThan(0);
    expect(meta.firstChunkMs).toBeUndefined();

    // The vendor got a plain request: none of the gateway's own fields.
    expect(seen.openai()).toHaveLength(1);
    expect(seen.openai()[0]!.body).toEqual({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hello there" }], stream: false });
    expect(seen.anthropic()).toHaveLength(0);
    expect(sleeps).toEqual([]);

    expect(usage.events).toEqual([
      {
        teamId: "team-a",
        userId: "user-1",
        apiKeyId: "key-1",
        runId: "run-1",
        stepId: "step-1",
        operation: "test.chat",
        providerId: "prov-openai",
        providerName: "openai",
        providerKind: "openai",
        model: "gpt-4o-mini",
        usage: { inputTokens: 2, outputTokens: 3, cachedInputTokens: 0 },
        costNano: MINI_HELLO_NANO,
        latencyMs: expect.any(Number),
        cacheHit: false,
        outcome: "ok",
        createdAt: expect.any(Date),
      },
    ]);
    expect(Number.isInteger(usage.events[0]!.latencyMs)).toBe(true);
  });

  it("rejects a request without messages before routing", async () => {
    const { gateway } = setup();
    expect(await rejection(gateway.chat(CTX, { messages: [] }))).toBeInstanceOf(ValidationError);
  });
});

describe("gateway: retries", () => {
  it("waits a 429's retry-after, then succeeds within the same call", async () => {
    const { gateway, usage, sleeps } = setup();
    const seen = tap();
    openai.enqueue({ kind: "error", status: 429, retryAfterSeconds: 2 });
    const { response, meta } = await gateway.chat(CTX, ASK);
    expect(response.content).toBe("Echo: hello there");
    expect(sleeps).toEqual([2_000]);
    expect(seen.openai()).toHaveLength(2);
    expect(meta.attempts).toEqual([expect.objectContaining({ target: "openai/gpt-4o-mini", outcome: "ok" })]);
    expect(usage.events.map((e) => e.outcome)).toEqual(["ok"]);
  });

  it("retries 500, 500 with jittered backoff, then succeeds", async () => {
    const { gateway, usage, sleeps } = setup();
    const seen = tap();
    openai.enqueue({ kind: "error", status: 500 }, { kind: "error", status: 500 });
    const { meta } = await gateway.chat(CTX, ASK);
    expect(meta.providerName).toBe("openai");
    expect(seen.openai()).toHaveLength(3);
    expect(seen.anthropic()).toHaveLength(0);
    expect(sleeps).toHaveLength(2);
    expect(sleeps[0]).toBeGreaterThanOrEqual(0);
    expect(sleeps[0]).toBeLessThanOrEqual(250);
    expect(sleeps[1]).toBeLessThanOrEqual(500);
    expect(usage.events.map((e) => e.outcome)).toEqual(["ok"]);
  });

  it("surfaces a 400 at once with the vendor's message: no retry, no fallback", async () => {
    const { gateway, usage, sleeps } = setup();
    const seen = tap();
    const message = "Invalid value for 'temperature': must be at most 2.";
    openai.enqueue({ kind: "error", status: 400, message });
    const error = await failure(gateway.chat(CTX, { ...ASK, temperature: 3 }));
    expect(error).toMatchObject({ kind: "bad_request", message, details: { status: 400 } });
    expect(seen.openai()).toHaveLength(1);
    expect(seen.anthropic()).toHaveLength(0);
    expect(sleeps).toEqual([]);
    expect(usage.events).toEqual([
      expect.objectContaining({ providerName: "openai", outcome: "error", errorKind: "bad_request", errorMessage: message, costNano: 0, cacheHit: false }),
    ]);
  });

  it("surfaces a 401 at once: no retry, no fallback", async () => {
    const { gateway, sleeps } = setup();
    const seen = tap();
    openai.enqueue({ kind: "error", status: 401 });
    const error = await failure(gateway.chat(CTX, ASK));
    expect(error).toMatchObject({ kind: "auth", details: { status: 401 } });
    expect(error.message).toMatch(/Incorrect API key/);
    expect(seen.openai()).toHaveLength(1);
    expect(seen.anthropic()).toHaveLength(0);
    expect(sleeps).toEqual([]);
  });
});

describe("gateway: fallback", () => {
  it("answers from Anthropic within the same call when OpenAI keeps failing", async () => {
    const { gateway, usage, sleeps } = setup();
    const seen = tap();
    openai.setDefault({ kind: "error", status: 500 });
    const { response, meta } = await gateway.chat(CTX, ASK);

    expect(response.content).toBe("Echo: hello there");
    expect(seen.openai()).toHaveLength(3); // every attempt of the retry policy
    expect(seen.anthropic()).toHaveLength(1);
    expect(seen.anthropic()[0]!.body).toMatchObject({ model: "claude-haiku-4-5" });
    expect(sleeps).toHaveLength(2);
    expect(meta).toMatchObject({ providerName: "anthropic", providerKind: "anthropic", model: "claude-haiku-4-5", costNano: HAIKU_HELLO_NANO });
    expect(meta.attempts).toEqual([
      expect.objectContaining({ target: "openai/gpt-4o-mini", outcome: "error", errorKind: "server" }),
      expect.objectContaining({ target: "anthropic/claude-haiku-4-5", outcome: "ok" }),
    ]);
    expect(usage.events).toEqual([
      expect.objectContaining({ providerName: "openai", model: "gpt-4o-mini", outcome: "error", errorKind: "server", costNano: 0 }),
      expect.objectContaining({ providerName: "anthropic", model: "claude-haiku-4-5", outcome: "ok", costNano: HAIKU_HELLO_NANO }),
    ]);
  });

  it("surfaces the last error when every target fails", async () => {
    const { gateway, usage } = setup({ retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 } });
    openai.setDefault({ kind: "error", status: 503 });
    anthropic.setDefault({ kind: "error", status: 529 });
    const seen = tap();
    const error = await failure(gateway.chat(CTX, ASK));
    expect(error).toMatchObject({ kind: "server", details: { provider: "prov-openai" } }); // gpt-4o tried last
    expect(seen.openai().map((r) => r.body.model)).toEqual(["gpt-4o-mini", "gpt-4o"]);
    expect(seen.anthropic()).toHaveLength(1);
    expect(usage.events.map((e) => `${e.providerName}/${e.model}:${e.outcome}`)).toEqual([
      "openai/gpt-4o-mini:error",
      "anthropic/claude-haiku-4-5:error",
      "openai/gpt-4o:error",
    ]);
  });
});

describe("gateway: dropped streams", () => {
  it("retries a stream dropped before any content", async () => {
    const { gateway, usage, sleeps } = setup();
    const seen = tap();
    openai.enqueue({ kind: "drop", afterChunks: 0 });
    const events = await drain(gateway.stream(CTX, ASK));
    expect(textOf(events)).toBe("Echo: hello there");
    expect(seen.openai()).toHaveLength(2);
    expect(sleeps).toHaveLength(1);
    expect(metaOf(events)).toMatchObject({ providerName: "openai", costNano: MINI_HELLO_NANO });
    expect(usage.events.map((e) => e.outcome)).toEqual(["ok"]);
  });

  it("retries an Anthropic stream dropped before any text", async () => {
    const { gateway } = setup();
    const seen = tap();
    // message_start and content_block_start carry no content.
    anthropic.enqueue({ kind: "drop", afterChunks: 2 });
    const events = await drain(gateway.stream(CTX, { ...ASK, model: "anthropic/claude-haiku-4-5" }));
    expect(textOf(events)).toBe("Echo: hello there");
    expect(seen.anthropic()).toHaveLength(2);
  });

  it("ends with the error once content went out, and bills the partial output", async () => {
    const { gateway, usage, sleeps } = setup();
    const seen = tap();
    // The role chunk, "Echo: ", "hello ", then the socket dies.
    openai.enqueue({ kind: "drop", afterChunks: 3 });
    const received: GatewayStreamEvent[] = [];
    const error = await failure(
      (async () => {
        for await (const event of gateway.stream(CTX, ASK)) received.push(event);
      })(),
    );
    expect(error.kind).toBe("connection");
    expect(textOf(received)).toBe("Echo: hello ");
    expect(received.every((e) => e.type === "text-delta")).toBe(true);
    expect(seen.openai()).toHaveLength(1);
    expect(seen.anthropic()).toHaveLength(0);
    expect(sleeps).toEqual([]);

    // No usage event arrived, so the billed tokens are the gateway's estimate.
    const billed = { inputTokens: estimateInputTokens({ messages: HELLO }), outputTokens: estimateTextTokens("Echo: hello "), cachedInputTokens: 0 };
    expect(usage.events).toEqual([
      expect.objectContaining({
        providerName: "openai",
        model: "gpt-4o-mini",
        outcome: "error",
        errorKind: "connection",
        usage: billed,
        costNano: costNanoUsd(billed, price("gpt-4o-mini")),
      }),
    ]);
    expect(usage.events[0]!.costNano).toBeGreaterThan(0);
  });
});

describe("gateway: circuit breaker", () => {
  function breakerSetup() {
    const clock = { now: 1_000_000 };
    const breakers = new CircuitBreakers({ failureThreshold: 2, openMs: 30_000 }, () => clock.now);
    return { clock, breakers, ...setup({ breakers }) };
  }
  const MINI = "prov-openai/gpt-4o-mini";

  it("opens after N failures, skips the open target, and closes after a successful half-open probe", async () => {
    const { gateway, clock, breakers } = breakerSetup();
    openai.setDefault({ kind: "error", status: 500 });

    let seen = tap();
    const first = await gateway.chat(CTX, ASK);
    expect(first.meta.providerName).toBe("anthropic");
    expect(seen.openai()).toHaveLength(2); // the third attempt met the open circuit
    expect(breakers.state(MINI)).toBe("open");

    // Open: straight to the fallback, the failing upstream is not touched.
    seen = tap();
    const second = await gateway.chat(CTX, { ...ASK, messages: user("second call") });
    expect(second.meta.providerName).toBe("anthropic");
    expect(second.meta.attempts).toEqual([expect.objectContaining({ target: "anthropic/claude-haiku-4-5", outcome: "ok" })]);
    expect(seen.openai()).toHaveLength(0);

    // After openMs one probe goes through; it succeeds and closes the circuit.
    clock.now += 30_000;
    expect(breakers.state(MINI)).toBe("half-open");
    openai.setDefault(null);
    seen = tap();
    const third = await gateway.chat(CTX, { ...ASK, messages: user("third call") });
    expect(third.meta.providerName).toBe("openai");
    expect(seen.openai()).toHaveLength(1);
    expect(breakers.state(MINI)).toBe("closed");
  });

  it("reopens when the half-open probe fails, after a single upstream request", async () => {
    const { gateway, clock, breakers } = breakerSetup();
    openai.setDefault({ kind: "error", status: 500 });
    await gateway.chat(CTX, ASK);
    expect(breakers.state(MINI)).toBe("open");

    clock.now += 30_000;
    const seen = tap();
    const { meta } = await gateway.chat(CTX, { ...ASK, messages: user("probe") });
    expect(seen.openai()).toHaveLength(1);
    expect(meta.providerName).toBe("anthropic");
    expect(breakers.state(MINI)).toBe("open");
  });

  it("a half-open probe stream the client abandons frees the probe slot", async () => {
    const { gateway, clock, breakers } = breakerSetup();
    openai.setDefault({ kind: "error", status: 500 });
    await gateway.chat(CTX, ASK);
    clock.now += 30_000;
    openai.setDefault(null);

    // The probe is a stream the consumer leaves after its first delta.
    for await (const event of gateway.stream(CTX, { ...ASK, messages: user("abandoned probe") })) {
      if (event.type === "text-delta") break;
    }
    // The next call may probe again rather than meet a circuit that refuses forever.
    const seen = tap();
    const { meta } = await gateway.chat(CTX, { ...ASK, messages: user("after the probe") });
    expect(seen.openai()).toHaveLength(1);
    expect(meta.providerName).toBe("openai");
    expect(breakers.state(MINI)).toBe("closed");
  });

  it("a stream refused by a half-open circuit does not free the probe slot held by another call", async () => {
    const { gateway, clock } = breakerSetup();
    openai.setDefault({ kind: "error", status: 500 });
    await gateway.chat(CTX, ASK);
    clock.now += 30_000;
    openai.setDefault(null);

    const seen = tap();
    // The probe hangs until the test lets it go, so the calls below surely overlap it.
    openai.enqueue({ kind: "slow", delayMs: 5_000, then: { kind: "text", text: "too late" } });
    const release = new AbortController();
    const probe = failure(gateway.chat({ ...CTX, signal: release.signal }, { ...ASK, messages: user("slow probe") }));
    await expect.poll(() => seen.openai().length).toBe(1);

    // While the probe is out, a stream and then a chat are both turned away to Anthropic.
    const streamed = await drain(gateway.stream(CTX, { ...ASK, messages: user("stream meanwhile") }));
    expect(metaOf(streamed).providerName).toBe("anthropic");
    const meanwhile = await gateway.chat(CTX, { ...ASK, messages: user("chat meanwhile") });
    expect(meanwhile.meta.providerName).toBe("anthropic");
    expect(seen.openai()).toHaveLength(1);

    release.abort();
    expect((await probe).kind).toBe("cancelled");
  });
});

describe("gateway: response cache", () => {
  it("serves a second identical deterministic call from the cache, free and without an upstream request", async () => {
    const { gateway, usage } = setup();
    const request: GatewayRequest = { ...ASK, temperature: 0 };
    const first = await gateway.chat(CTX, request);
    const seen = tap();
    const second = await gateway.chat(CTX, request);
    expect(seen.openai()).toHaveLength(0);
    expect(second.response).toEqual(first.response);
    expect(second.meta).toMatchObject({ cacheHit: true, costNano: 0, providerName: "openai", model: "gpt-4o-mini", usage: first.response.usage });
    expect(usage.events.map((e) => [e.cacheHit, e.costNano, e.outcome])).toEqual([
      [false, MINI_HELLO_NANO, "ok"],
      [true, 0, "ok"],
    ]);
  });

  it("does not cache a call with temperature above zero unless asked to", async () => {
    const { gateway } = setup();
    const warm: GatewayRequest = { ...ASK, temperature: 0.7 };
    let seen = tap();
    await gateway.chat(CTX, warm);
    expect((await gateway.chat(CTX, warm)).meta.cacheHit).toBe(false);
    expect(seen.openai()).toHaveLength(2);

    seen = tap();
    await gateway.chat(CTX, { ...warm, cache: true });
    expect((await gateway.chat(CTX, { ...warm, cache: true })).meta.cacheHit).toBe(true);
    expect(seen.openai()).toHaveLength(1);
  });

  it("cache: false neither reads nor writes", async () => {
    const { gateway } = setup();
    const seen = tap();
    await gateway.chat(CTX, { ...ASK, cache: false });
    expect((await gateway.chat(CTX, ASK)).meta.cacheHit).toBe(false); // nothing was written
    expect((await gateway.chat(CTX, { ...ASK, cache: false })).meta.cacheHit).toBe(false); // an entry exists now, but is not read
    expect(seen.openai()).toHaveLength(3);
    expect((await gateway.chat(CTX, ASK)).meta.cacheHit).toBe(true);
  });

  it("replays a cached answer as a stream to a streaming caller", async () => {
    const { gateway, usage } = setup();
    const { response } = await gateway.chat(CTX, ASK);
    const seen = tap();
    const events = await drain(gateway.stream(CTX, ASK));
    expect(seen.openai()).toHaveLength(0);
    expect(textOf(events)).toBe(response.content);
    expect(events.filter((e) => e.type === "text-delta").length).toBeGreaterThan(1);
    expect(events.slice(-3, -1)).toEqual([
      { type: "usage", usage: response.usage },
      { type: "finish", reason: "stop", id: response.id, model: response.model },
    ]);
    expect(metaOf(events)).toMatchObject({ cacheHit: true, costNano: 0 });
    expect(usage.events.at(-1)).toMatchObject({ cacheHit: true, costNano: 0, outcome: "ok" });
  });

  it("caches what a stream assembled, tool calls included, for a later chat", async () => {
    const { gateway } = setup();
    openai.enqueue({ kind: "tool_call", name: "get_weather", arguments: ARGS, id: "call_1" });
    const request: GatewayRequest = { ...ASK, tools: [WEATHER] };
    await drain(gateway.stream(CTX, request));
    const seen = tap();
    const { response, meta } = await gateway.chat(CTX, request);
    expect(seen.openai()).toHaveLength(0);
    expect(meta.cacheHit).toBe(true);
    expect(response).toMatchObject({ finishReason: "tool_calls", toolCalls: [{ id: "call_1", name: "get_weather", arguments: ARGS }] });
  });

  it("keeps teams apart", async () => {
    const { gateway } = setup({ teams: { "team-a": teamConfig(), "team-b": teamConfig() } });
    await gateway.chat(CTX, ASK);
    const seen = tap();
    expect((await gateway.chat(CTX_B, ASK)).meta.cacheHit).toBe(false);
    expect(seen.openai()).toHaveLength(1);
    expect((await gateway.chat(CTX_B, ASK)).meta.cacheHit).toBe(true);
  });

  it("is off for a team that disabled it", async () => {
    const { gateway } = setup({ teams: { "team-a": teamConfig({ cache: { enabled: false, ttlMs: 60_000 } }) } });
    const seen = tap();
    await gateway.chat(CTX, ASK);
    expect((await gateway.chat(CTX, ASK)).meta.cacheHit).toBe(false);
    expect(seen.openai()).toHaveLength(2);
  });

  it("invalidates one model's entries and keeps the others", async () => {
    const { gateway } = setup();
    const haiku: GatewayRequest = { ...ASK, model: "anthropic/claude-haiku-4-5" };
    await gateway.chat(CTX, ASK);
    await gateway.chat(CTX, haiku);
    expect(await gateway.cache.invalidate("team-a", "gpt-4o-mini:*")).toBe(1);
    expect((await gateway.chat(CTX, ASK)).meta.cacheHit).toBe(false);
    expect((await gateway.chat(CTX, haiku)).meta.cacheHit).toBe(true);
  });

  it("warm() stores answers so that later calls hit", async () => {
    const { gateway } = setup();
    const requests: GatewayRequest[] = [{ ...ASK, temperature: 0.5 }, { ...ASK, messages: user("second") }, { ...ASK, model: "nope" }];
    const result = await gateway.warm(CTX, requests);
    expect(result.warmed).toBe(2);
    expect(result.failed).toEqual([{ index: 2, message: expect.stringContaining('Model "nope"') }]);
    expect((await gateway.warm(CTX, requests.slice(0, 2))).warmed).toBe(0);
    expect((await gateway.chat(CTX, { ...ASK, temperature: 0.5, cache: true })).meta.cacheHit).toBe(true);
  });

  it("a cache write that fails does not fail the call or go unhandled", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const memory = new MemoryResponseCache();
      const broken = {
        get: (key: string) => memory.get(key),
        set: async () => {
          throw new Error("OOM command not allowed when used memory > 'maxmemory'.");
        },
        invalidate: (teamId: string, pattern?: string) => memory.invalidate(teamId, pattern),
        stats: () => memory.stats(),
      };
      const { gateway } = setup({ cache: broken });
      const { response } = await gateway.chat(CTX, ASK);
      expect(response.content).toBe("Echo: hello there");
      await drain(gateway.stream(CTX, ASK));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});

describe("gateway: streaming", () => {
  it("streams OpenAI text, then usage, finish and a meta event with cost and first-chunk time", async () => {
    const { gateway, usage } = setup();
    const events = await drain(gateway.stream(CTX, ASK));
    expect(textOf(events)).toBe("Echo: hello there");
    expect(events.slice(-3).map((e) => e.type)).toEqual(["usage", "finish", "meta"]);
    expect(events.at(-3)).toEqual({ type: "usage", usage: { inputTokens: 2, outputTokens: 3, cachedInputTokens: 0 } });
    const meta = metaOf(events);
    expect(meta).toMatchObject({ providerName: "openai", model: "gpt-4o-mini", costNano: MINI_HELLO_NANO, cacheHit: false });
    expect(meta.firstChunkMs).toBeGreaterThan(0);
    expect(meta.firstChunkMs).toBeLessThanOrEqual(meta.latencyMs);
    expect(usage.events).toEqual([expect.objectContaining({ outcome: "ok", costNano: MINI_HELLO_NANO, cacheHit: false })]);
  });

  it("streams an OpenAI tool call whose arguments assemble from the deltas", async () => {
    const { gateway } = setup();
    openai.enqueue({ kind: "tool_call", name: "get_weather", arguments: ARGS, id: "call_7" });
    const events = await drain(gateway.stream(CTX, { ...ASK, tools: [WEATHER] }));
    const deltas = toolDeltas(events);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas[0]).toMatchObject({ index: 0, id: "call_7", name: "get_weather" });
    expect(deltas.map((d) => d.argumentsDelta).join("")).toBe(ARGS);
    expect(events.at(-2)).toMatchObject({ type: "finish", reason: "tool_calls" });
    expect(metaOf(events).costNano).toBeGreaterThan(0);
  });

  it("streams Anthropic text and a tool call", async () => {
    const { gateway } = setup();
    const haiku: GatewayRequest = { ...ASK, model: "anthropic/claude-haiku-4-5" };
    const text = await drain(gateway.stream(CTX, haiku));
    expect(textOf(text)).toBe("Echo: hello there");
    expect(metaOf(text)).toMatchObject({ providerName: "anthropic", costNano: HAIKU_HELLO_NANO });
    expect(metaOf(text).firstChunkMs).toBeGreaterThan(0);

    anthropic.enqueue({ kind: "tool_call", name: "get_weather", arguments: ARGS, id: "toolu_1", text: "Let me check." });
    const events = await drain(gateway.stream(CTX, { ...haiku, tools: [WEATHER] }));
    expect(textOf(events)).toBe("Let me check.");
    const deltas = toolDeltas(events);
    expect(deltas[0]).toMatchObject({ index: 0, id: "toolu_1", name: "get_weather" });
    expect(JSON.parse(deltas.map((d) => d.argumentsDelta).join(""))).toEqual({ city: "Paris" });
    expect(events.at(-2)).toMatchObject({ type: "finish", reason: "tool_calls" });
    expect(metaOf(events).usage.outputTokens).toBeGreaterThan(0);
  });

  it("leaving the loop early aborts the upstream and records a cancelled, billed call", async () => {
    let closed = false;
    const chunk = { id: "c1", object: "chat.completion.chunk", created: 0, model: "gpt-4o-mini", choices: [{ index: 0, delta: { content: "hi" }, finish_reason: null }] };
    await withRawServer(
      (res) => {
        // One chunk, then silence: only the client can end this response.
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write(`data: ${JSON.stringify(chunk)}\n\n`);
        res.once("close", () => (closed = true));
      },
      async (url) => {
        const { gateway, usage } = setup({ teams: { "team-a": teamConfig({ providers: [openaiProvider({ id: "prov-stall", baseUrl: `${url}/v1` })] }) } });
        const seen: GatewayStreamEvent[] = [];
        for await (const event of gateway.stream(CTX, ASK)) {
          seen.push(event);
          if (event.type === "text-delta") break;
        }
        expect(seen).toEqual([{ type: "text-delta", text: "hi" }]);
        await expect.poll(() => closed).toBe(true);
        const billed = { inputTokens: estimateInputTokens({ messages: HELLO }), outputTokens: estimateTextTokens("hi"), cachedInputTokens: 0 };
        expect(usage.events).toEqual([
          expect.objectContaining({ providerId: "prov-stall", outcome: "cancelled", usage: billed, costNano: costNanoUsd(billed, price("gpt-4o-mini")), cacheHit: false }),
        ]);
      },
    );
  });
});

describe("gateway: cancellation", () => {
  it("ctx.signal aborts a slow upstream call promptly, without retry or fallback", async () => {
    const { gateway, usage, sleeps } = setup();
    const seen = tap();
    openai.enqueue({ kind: "slow", delayMs: 5_000, then: { kind: "text", text: "too late" } });
    const controller = new AbortController();
    const pending = failure(gateway.chat({ ...CTX, signal: controller.signal }, ASK));
    await expect.poll(() => seen.openai().length).toBe(1);
    const started = performance.now();
    controller.abort();
    const error = await pending;
    expect(error.kind).toBe("cancelled");
    expect(performance.now() - started).toBeLessThan(1_000);
    await expect.poll(() => seen.openai()[0]!.aborted).toBe(true);
    expect(seen.openai()).toHaveLength(1);
    expect(seen.anthropic()).toHaveLength(0);
    expect(sleeps).toEqual([]);
    expect(usage.events).toEqual([expect.objectContaining({ outcome: "cancelled", errorKind: "cancelled", costNano: 0 })]);
  });

  it("ctx.signal aborts a slow upstream stream", async () => {
    const { gateway, usage } = setup();
    const seen = tap();
    openai.enqueue({ kind: "slow", delayMs: 5_000, then: { kind: "text", text: "too late" } });
    const controller = new AbortController();
    const pending = failure(drain(gateway.stream({ ...CTX, signal: controller.signal }, ASK)));
    await expect.poll(() => seen.openai().length).toBe(1);
    controller.abort();
    expect((await pending).kind).toBe("cancelled");
    expect(seen.openai()).toHaveLength(1);
    expect(seen.anthropic()).toHaveLength(0);
    expect(usage.events.map((e) => e.outcome)).toEqual(["cancelled"]);
  });

  it("an abort while waiting to retry is a cancellation too (chat and stream)", async () => {
    for (const mode of ["chat", "stream"] as const) {
      const controller = new AbortController();
      const waits: number[] = [];
      const { gateway, usage } = setup({
        // The caller goes away during the wait; the real abortable sleep sees it.
        sleep: (ms, signal) => {
          waits.push(ms);
          controller.abort();
          return abortableSleep(ms, signal);
        },
      });
      const seen = tap();
      openai.enqueue({ kind: "error", status: 429, retryAfterSeconds: 1 });
      const ctx = { ...CTX, signal: controller.signal };
      const call = mode === "chat" ? gateway.chat(ctx, ASK) : drain(gateway.stream(ctx, ASK));
      const error = await rejection(call);
      expect(isProviderError(error) && error.kind, mode).toBe("cancelled");
      expect(waits, mode).toEqual([1_000]);
      expect(seen.openai(), mode).toHaveLength(1);
      expect(seen.anthropic(), mode).toHaveLength(0);
      expect(usage.events.map((e) => e.outcome), mode).toEqual(["cancelled"]);
    }
  });
});

describe("gateway: routing", () => {
  it("strategy cost picks the cheapest configured model; primary picks by priority", async () => {
    const { gateway } = setup();
    const { meta } = await gateway.chat(CTX, { strategy: "cost", messages: HELLO });
    expect(meta).toMatchObject({ strategy: "cost", providerName: "openai", model: "gpt-4o-mini" });
    const primary = await gateway.chat(CTX, { messages: HELLO });
    expect(primary.meta).toMatchObject({ strategy: "primary", model: "gpt-4o" });
  });

  it("an explicit provider/model pins the provider", async () => {
    const { gateway } = setup();
    const seen = tap();
    const { response, meta } = await gateway.chat(CTX, { model: "anthropic/claude-haiku-4-5", messages: HELLO });
    expect(meta).toMatchObject({ providerId: "prov-anthropic", providerName: "anthropic", model: "claude-haiku-4-5" });
    expect(response.content).toBe("Echo: hello there");
    expect(seen.openai()).toHaveLength(0);
    expect(seen.anthropic().map((r) => r.body.model)).toEqual(["claude-haiku-4-5"]);
  });

  it("an unknown model is a NoRouteError listing the enabled models", async () => {
    const { gateway, usage } = setup();
    const seen = tap();
    const error = await rejection(gateway.chat(CTX, { model: "gpt-9", messages: HELLO }));
    expect(error).toBeInstanceOf(NoRouteError);
    expect(error).toMatchObject({ reason: "unknown_model" });
    expect((error as Error).message).toContain("Enabled: openai/gpt-4o, openai/gpt-4o-mini, anthropic/claude-haiku-4-5");
    expect(seen.openai()).toHaveLength(0);
    expect(seen.anthropic()).toHaveLength(0);
    expect(usage.events).toEqual([]);
  });

  it("without providers the built-in offline model answers, priced from the catalog", async () => {
    const { gateway } = setup({ teams: { "team-a": teamConfig({ providers: [], policy: { strategy: "primary", fallback: [] } }) } });
    const { response, meta } = await gateway.chat(CTX, { messages: HELLO });
    expect(response.content).toContain("offline");
    expect(meta).toMatchObject({ providerKind: "offline", model: "maestro-offline" });
    const { inputTokens, outputTokens } = meta.usage;
    expect(inputTokens).toBeGreaterThan(0);
    expect(outputTokens).toBeGreaterThan(0);
    expect(meta.costNano).toBe(inputTokens * 500 + outputTokens * 1_500);
    expect(meta.costNano).toBe(costNanoUsd(meta.usage, price("maestro-offline")));

    const { targets } = await gateway.routable("team-a");
    expect(targets.map((t) => `${t.providerName}/${t.model}`)).toEqual(["offline/maestro-offline"]);
  });
});

describe("gateway: context window", () => {
  const tiny = (id: string): CatalogEntry => ({ ...CATALOG.find(id)!, contextWindow: 50 });
  const LONG = user("word ".repeat(80).trim());

  it("skips a model whose window cannot hold the prompt and falls to the next", async () => {
    const { gateway, usage } = setup({ teams: { "team-a": teamConfig({ catalogOverrides: [tiny("gpt-4o-mini")] }) } });
    const seen = tap();
    const { meta } = await gateway.chat(CTX, { model: "gpt-4o-mini", messages: LONG });
    expect(seen.openai()).toHaveLength(0);
    expect(meta.providerName).toBe("anthropic");
    const tokens = estimateInputTokens({ messages: LONG });
    expect(meta.attempts).toEqual([
      { target: "openai/gpt-4o-mini", outcome: "skipped", errorKind: "context_length", message: `About ${tokens} input tokens exceed the context window of 50.`, latencyMs: 0 },
      expect.objectContaining({ target: "anthropic/claude-haiku-4-5", outcome: "ok" }),
    ]);
    expect(usage.events.map((e) => `${e.providerName}:${e.outcome}`)).toEqual(["anthropic:ok"]);
  });

  it("is a ValidationError naming the token count when no model fits", async () => {
    const overrides = ["gpt-4o", "gpt-4o-mini", "claude-haiku-4-5"].map(tiny);
    const { gateway } = setup({ teams: { "team-a": teamConfig({ catalogOverrides: overrides }) } });
    const seen = tap();
    const error = await rejection(gateway.chat(CTX, { messages: LONG }));
    expect(error).toBeInstanceOf(ValidationError);
    const tokens = estimateInputTokens({ messages: LONG });
    expect((error as Error).message).toBe(`About ${tokens} input tokens exceed the context window of 50.`);
    expect(seen.openai()).toHaveLength(0);
    expect(seen.anthropic()).toHaveLength(0);
    expect(await rejection(drain(gateway.stream(CTX, { messages: LONG, maxTokens: 10 })))).toMatchObject({
      message: `About ${tokens} input tokens plus 10 output tokens exceed the context window of 50.`,
    });
  });

  it("counts text whose characters are several tokens each (CJK) rather than trusting its length", async () => {
    const { gateway } = setup({ teams: { "team-a": teamConfig({ catalogOverrides: [tiny("gpt-4o-mini")] }) } });
    // 40 characters, but about 80 tokens: far over the 50-token window.
    const cjk = user("龘".repeat(40));
    expect(estimateInputTokens({ messages: cjk })).toBeGreaterThan(50);
    const seen = tap();
    const { meta } = await gateway.chat(CTX, { model: "gpt-4o-mini", messages: cjk });
    expect(seen.openai()).toHaveLength(0);
    expect(meta.attempts[0]).toMatchObject({ target: "openai/gpt-4o-mini", outcome: "skipped" });
    expect(meta.providerName).toBe("anthropic");
  });

  it("counts tool definitions toward the prompt", async () => {
    const { gateway } = setup({ teams: { "team-a": teamConfig({ catalogOverrides: [tiny("gpt-4o-mini")] }) } });
    const verbose: ToolDefinition = { ...WEATHER, description: "Looks up the current weather for a city. ".repeat(10) };
    const request: GatewayRequest = { model: "gpt-4o-mini", messages: user("hi"), tools: [verbose] };
    expect(estimateInputTokens(request)).toBeGreaterThan(50);
    const seen = tap();
    const { meta } = await gateway.chat(CTX, request);
    expect(seen.openai()).toHaveLength(0);
    expect(meta.attempts[0]).toMatchObject({ target: "openai/gpt-4o-mini", outcome: "skipped" });
    expect(meta.providerName).toBe("anthropic");
  });
});

describe("gateway: presets", () => {
  const preset = TASK_PRESET_DEFAULTS["issue-analysis"];

  it("issue-analysis sends its system prompt, JSON mode, temperature and max tokens", async () => {
    const { gateway } = setup();
    const seen = tap();
    const { response, meta } = await gateway.chat(CTX, { preset: "issue-analysis", messages: user("The app crashes on login") });
    expect(meta).toMatchObject({ strategy: "primary", providerName: "openai" });
    const body = seen.openai()[0]!.body;
    expect(body.messages).toEqual([
      { role: "system", content: preset.system },
      { role: "user", content: "The app crashes on login" },
    ]);
    expect(body).toMatchObject({ response_format: { type: "json_object" }, temperature: 0, max_completion_tokens: preset.maxTokens });
    expect(JSON.parse(response.content)).toEqual({ echo: "The app crashes on login" });
  });

  it("on Anthropic the preset's prompt comes with the JSON-mode instruction", async () => {
    const { gateway } = setup();
    const seen = tap();
    await gateway.chat(CTX, { preset: "issue-analysis", model: "anthropic/claude-haiku-4-5", messages: user("Login fails") });
    const body = seen.anthropic()[0]!.body;
    expect(body.system).toBe(`${preset.system}\n\n${JSON_MODE_INSTRUCTION}`);
    expect(body.max_tokens).toBe(preset.maxTokens);
    expect(body).not.toHaveProperty("temperature");
  });
});

describe("gateway: budget protocol", () => {
  const subject = (providerId: string, model: string): SpendSubject => ({ teamId: "team-a", userId: "user-1", providerId, model });

  it("caps max tokens, reserves the worst case, then settles the actual cost", async () => {
    const budgets = new RecordingBudgets();
    const { gateway } = setup({ budgets, reservationTtlMs: 90_000 });
    const seen = tap();
    const { meta } = await gateway.chat(CTX, ASK);
    expect(seen.openai()[0]!.body.max_completion_tokens).toBe(4096);
    const worst = estimateInputTokens({ messages: HELLO }) * 150 + 4096 * 600;
    expect(budgets.calls).toEqual([
      { op: "reserve", subject: subject("prov-openai", "gpt-4o-mini"), amountNano: worst, ttlMs: 90_000 },
      { op: "settle", hold: { ids: ["budget-1"], amountNano: worst }, subject: subject("prov-openai", "gpt-4o-mini"), actualNano: MINI_HELLO_NANO },
    ]);
    expect(meta.costNano).toBe(MINI_HELLO_NANO);
  });

  it("keeps the caller's max tokens and uses the default reservation TTL", async () => {
    const budgets = new RecordingBudgets();
    const { gateway } = setup({ budgets });
    const seen = tap();
    await gateway.chat(CTX, { ...ASK, system: "Be brief.", maxTokens: 100 });
    expect(seen.openai()[0]!.body.max_completion_tokens).toBe(100);
    expect(budgets.calls[0]).toEqual({
      op: "reserve",
      subject: subject("prov-openai", "gpt-4o-mini"),
      amountNano: estimateInputTokens({ messages: HELLO, system: "Be brief." }) * 150 + 100 * 600,
      ttlMs: DEFAULT_RESERVATION_TTL_MS,
    });
  });

  it("leaves max tokens alone when no budget applies", async () => {
    const budgets = new RecordingBudgets(false);
    const { gateway } = setup({ budgets });
    const seen = tap();
    await gateway.chat(CTX, ASK);
    expect(seen.openai()[0]!.body).not.toHaveProperty("max_completion_tokens");
    expect(budgets.calls).toEqual([]);
  });

  it("releases the reservation when the call fails", async () => {
    const budgets = new RecordingBudgets();
    const { gateway } = setup({ budgets });
    openai.enqueue({ kind: "error", status: 400 });
    await failure(gateway.chat(CTX, ASK));
    expect(budgets.calls.map((c) => c.op)).toEqual(["reserve", "release"]);
    expect(budgets.calls[1]).toMatchObject({ hold: { ids: ["budget-1"] } });
  });

  it("releases on the failed target and settles on the one that answered", async () => {
    const budgets = new RecordingBudgets();
    const { gateway } = setup({ budgets });
    openai.setDefault({ kind: "error", status: 500 });
    await gateway.chat(CTX, ASK);
    expect(budgets.calls.map((c) => (c.op === "release" ? c.op : `${c.op}:${c.subject.model}`))).toEqual([
      "reserve:gpt-4o-mini",
      "release",
      "reserve:claude-haiku-4-5",
      "settle:claude-haiku-4-5",
    ]);
    expect(budgets.calls.at(-1)).toMatchObject({ actualNano: HAIKU_HELLO_NANO });
  });

  it("settles a stream cut after content with what was billed", async () => {
    const budgets = new RecordingBudgets();
    const { gateway, usage } = setup({ budgets });
    openai.enqueue({ kind: "drop", afterChunks: 3 });
    await failure(drain(gateway.stream(CTX, ASK)));
    expect(budgets.calls.map((c) => c.op)).toEqual(["reserve", "settle"]);
    expect(budgets.calls[1]).toMatchObject({ actualNano: usage.events[0]!.costNano });
    expect(usage.events[0]!.costNano).toBeGreaterThan(0);
  });

  it("a refusal surfaces unchanged, records a refused usage event and calls no provider", async () => {
    const budgets = new RecordingBudgets();
    const refusal = new BudgetExceededError(
      { id: "b1", name: "Team monthly", scope: "team", period: "monthly", limitNano: 1_000_000, spentNano: 999_000, reservedNano: 0 },
      2_458_950,
    );
    budgets.refuse = refusal;
    const { gateway, usage } = setup({ budgets });
    const seen = tap();
    expect(await rejection(gateway.chat(CTX, ASK))).toBe(refusal);
    expect(await rejection(drain(gateway.stream(CTX, ASK)))).toBe(refusal);
    expect(seen.openai()).toHaveLength(0);
    expect(seen.anthropic()).toHaveLength(0);
    expect(budgets.calls.map((c) => c.op)).toEqual(["reserve", "reserve"]);
    const refused = {
      teamId: "team-a",
      userId: "user-1",
      apiKeyId: "key-1",
      providerId: "prov-openai",
      model: "gpt-4o-mini",
      outcome: "refused",
      costNano: 0,
      cacheHit: false,
      errorKind: "BudgetExceededError",
      errorMessage: refusal.message,
    };
    expect(usage.events).toEqual([expect.objectContaining(refused), expect.objectContaining(refused)]);
  });
});
