import { describe, expect, it } from "vitest";
import { ValidationError, isDomainError } from "../errors.ts";
import { ModelCatalog } from "./catalog.ts";
import type { GatewayRequest, ModelTarget, RoutingPolicy } from "./gateway-types.ts";
import {
  LatencyTracker,
  NoRouteError,
  TASK_PRESET_DEFAULTS,
  applyPreset,
  parseModelRef,
  planRoute,
  requiredCapabilities,
  resolveRef,
  targetKey,
  type PlanRouteInput,
} from "./routing.ts";

const openai = (model: string): ModelTarget => ({ providerId: "p-openai", providerName: "openai", kind: "openai", model, priority: 0 });
const anthropic = (model: string): ModelTarget => ({ providerId: "p-anthropic", providerName: "anthropic", kind: "anthropic", model, priority: 1 });
const vllm = (model: string): ModelTarget => ({ providerId: "p-vllm", providerName: "vllm", kind: "openai-compatible", model, priority: 3 });
const offline: ModelTarget = { providerId: "p-offline", providerName: "offline", kind: "offline", model: "maestro-offline", priority: 5 };

const gpt41 = openai("gpt-4.1");
const gpt4oMini = openai("gpt-4o-mini");
const sonnet = anthropic("claude-sonnet-4-5");
const haiku = anthropic("claude-haiku-4-5");
const llama = vllm("meta-llama/Llama-3-8B");
const TARGETS = [offline, sonnet, llama, gpt41, haiku, gpt4oMini];

// A local model the catalog knows can neither call tools nor emit JSON, and that costs nothing.
const catalog = new ModelCatalog().withOverrides([
  { id: "local-small", provider: "openai-compatible", contextWindow: 8192, maxOutputTokens: 2048, price: { input: 0, cachedInput: 0, output: 0 }, capabilities: ["streaming"] },
]);
const localSmall = vllm("local-small");

const msg = (content = "hi"): GatewayRequest["messages"] => [{ role: "user", content }];
const tool = { name: "lookup", parameters: { type: "object" } };
const policy = (p: Partial<RoutingPolicy> = {}): RoutingPolicy => ({ strategy: "primary", defaultModel: null, fallback: [], ...p });

function plan(request: Partial<GatewayRequest>, over: Partial<Omit<PlanRouteInput, "request">> = {}) {
  return planRoute({
    request: { messages: msg(), ...request },
    policy: policy(),
    targets: TARGETS,
    catalog,
    latency: new LatencyTracker(),
    ...over,
  });
}
const names = (targets: ModelTarget[]) => targets.map((t) => `${t.providerName}/${t.model}`);
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("task presets", () => {
  it("defines every preset with the intended defaults", () => {
    expect(TASK_PRESET_DEFAULTS.chat).toMatchObject({ strategy: "cost", temperature: 0.7 });
    expect(TASK_PRESET_DEFAULTS["code-generation"]).toMatchObject({ strategy: "primary", temperature: 0.2 });
    expect(TASK_PRESET_DEFAULTS["issue-analysis"]).toMatchObject({ temperature: 0, requires: ["json"], responseFormat: "json" });
    expect(TASK_PRESET_DEFAULTS["code-review"].temperature).toBe(0.1);
    expect(TASK_PRESET_DEFAULTS["fix-suggestion"].temperature).toBe(0.2);
    expect(TASK_PRESET_DEFAULTS["code-explanation"]).toMatchObject({ strategy: "cost", temperature: 0.3 });
    for (const preset of Object.values(TASK_PRESET_DEFAULTS)) {
      expect(preset.system.length).toBeGreaterThan(40);
      expect(preset.maxTokens).toBeGreaterThan(0);
      expect(preset.requires).not.toContain("streaming");
    }
  });

  it("fills only the fields the request left unset and merges requires", () => {
    const out = applyPreset({ messages: msg(), preset: "issue-analysis", temperature: 0.5, requires: ["tools"] });
    expect(out).toMatchObject({
      system: TASK_PRESET_DEFAULTS["issue-analysis"].system,
      temperature: 0.5,
      maxTokens: TASK_PRESET_DEFAULTS["issue-analysis"].maxTokens,
      strategy: "primary",
      responseFormat: "json",
      requires: ["tools", "json"],
    });

    const own = applyPreset({ messages: msg(), preset: "chat", system: "Be terse.", maxTokens: 10, strategy: "latency", responseFormat: "text" });
    expect(own).toMatchObject({ system: "Be terse.", maxTokens: 10, strategy: "latency", temperature: 0.7, responseFormat: "text" });
    expect(own.requires).toBeUndefined();
  });

  it("treats a system message as the caller's own system prompt", () => {
    const out = applyPreset({ messages: [{ role: "system", content: "You are a pirate." }, ...msg()], preset: "code-review" });
    expect(out.system).toBeUndefined();
    expect(out.temperature).toBe(0.1);
  });

  it("leaves a request without a preset untouched and is idempotent", () => {
    const request: GatewayRequest = { messages: msg(), temperature: 1 };
    expect(applyPreset(request)).toBe(request);
    const once = applyPreset({ messages: msg(), preset: "issue-analysis" });
    expect(applyPreset(once)).toEqual(once);
  });
});

describe("required capabilities", () => {
  it("derives tools and json from the request, never streaming, and adds explicit needs once", () => {
    expect(requiredCapabilities({ messages: msg() })).toEqual([]);
    expect(requiredCapabilities({ messages: msg(), tools: [] })).toEqual([]);
    expect(requiredCapabilities({ messages: msg(), tools: [tool], responseFormat: "json", requires: ["json", "vision"] })).toEqual([
      "tools",
      "json",
      "vision",
    ]);
  });
});

describe("model references", () => {
  it("parses provider/model syntactically", () => {
    expect(parseModelRef("gpt-4o")).toEqual({ model: "gpt-4o" });
    expect(parseModelRef("openai/gpt-4o")).toEqual({ providerName: "openai", model: "gpt-4o" });
    expect(parseModelRef("vllm/meta-llama/Llama-3-8B")).toEqual({ providerName: "vllm", model: "meta-llama/Llama-3-8B" });
    expect(parseModelRef("/x")).toEqual({ model: "/x" });
  });

  it("resolves a provider prefix, a bare id, and an id that itself contains a slash", () => {
    expect(resolveRef("anthropic/claude-haiku-4-5", TARGETS)).toEqual([haiku]);
    expect(resolveRef("claude-haiku-4-5", TARGETS)).toEqual([haiku]);
    expect(resolveRef("meta-llama/Llama-3-8B", TARGETS)).toEqual([llama]);
    expect(resolveRef("vllm/meta-llama/Llama-3-8B", TARGETS)).toEqual([llama]);
  });

  it("is exact and case-sensitive", () => {
    expect(resolveRef("GPT-4.1", TARGETS)).toEqual([]);
    expect(resolveRef("anthropic/gpt-4.1", TARGETS)).toEqual([]);
    expect(resolveRef("gpt-4.1-2025-04-14", TARGETS)).toEqual([]);
  });

  it("orders a model served by several providers by priority, preferring the named provider", () => {
    const proxied = vllm("gpt-4o-mini");
    expect(resolveRef("gpt-4o-mini", [proxied, gpt4oMini])).toEqual([gpt4oMini, proxied]);
    expect(resolveRef("vllm/gpt-4o-mini", [proxied, gpt4oMini])).toEqual([proxied]);
  });
});

describe("latency tracker", () => {
  it("keeps an exponentially weighted moving average seeded by the first sample", () => {
    const latency = new LatencyTracker({ alpha: 0.5 });
    latency.record("a", 100);
    expect(latency.get("a")).toEqual({ ewmaMs: 100, samples: 1 });
    latency.record("a", 200);
    expect(latency.get("a")).toEqual({ ewmaMs: 150, samples: 2 });
    latency.record("a", 50);
    expect(latency.get("a")).toEqual({ ewmaMs: 100, samples: 3 });
    expect(latency.get("b")).toBeUndefined();
  });

  it("defaults alpha to 0.2, ignores nonsense samples and snapshots copies", () => {
    const latency = new LatencyTracker();
    latency.record("a", 1000);
    latency.record("a", 500);
    latency.record("a", -5);
    latency.record("a", Number.NaN);
    expect(latency.get("a")!.ewmaMs).toBeCloseTo(900, 10);
    expect(latency.get("a")!.samples).toBe(2);
    const snapshot = latency.snapshot();
    snapshot.a.ewmaMs = 0;
    expect(latency.get("a")!.ewmaMs).toBeCloseTo(900, 10);
    expect(Object.keys(snapshot)).toEqual(["a"]);
  });

  it("rejects an alpha outside (0, 1]", () => {
    expect(() => new LatencyTracker({ alpha: 0 })).toThrow(RangeError);
    expect(() => new LatencyTracker({ alpha: 1.5 })).toThrow(RangeError);
  });
});

describe("primary strategy", () => {
  it("picks the team's default model, then the rest by provider priority and model name", () => {
    const { strategy, targets } = plan({}, { policy: policy({ defaultModel: "anthropic/claude-sonnet-4-5" }) });
    expect(strategy).toBe("primary");
    expect(names(targets)).toEqual([
      "anthropic/claude-sonnet-4-5",
      "openai/gpt-4.1",
      "openai/gpt-4o-mini",
      "anthropic/claude-haiku-4-5",
      "vllm/meta-llama/Llama-3-8B",
      "offline/maestro-offline",
    ]);
  });

  it("falls back to priority order when the default model is unset, unknown or lacks a capability", () => {
    expect(plan({}).targets[0]).toBe(gpt41);
    expect(plan({}, { policy: policy({ defaultModel: "gpt-3" }) }).targets[0]).toBe(gpt41);
    const targets = [localSmall, ...TARGETS];
    const noTools = plan({ tools: [tool] }, { targets, policy: policy({ defaultModel: "local-small" }) });
    expect(noTools.targets[0]).toBe(gpt41);
    expect(noTools.targets).not.toContain(localSmall);
  });
});

describe("cost strategy", () => {
  it("orders by input + output price, with uncatalogued models after priced ones", () => {
    const { targets } = plan({ strategy: "cost" });
    expect(names(targets)).toEqual([
      "openai/gpt-4o-mini", // 0.15 + 0.6
      "offline/maestro-offline", // 0.5 + 1.5
      "anthropic/claude-haiku-4-5", // 1 + 5
      "openai/gpt-4.1", // 2 + 8
      "anthropic/claude-sonnet-4-5", // 3 + 15
      "vllm/meta-llama/Llama-3-8B", // not in the catalog: price unknown
    ]);
  });

  it("breaks price ties by provider priority", () => {
    const o3 = openai("o3"); // same price as gpt-4.1
    const viaAzure: ModelTarget = { ...o3, providerId: "p-azure", providerName: "azure", priority: -1 };
    expect(plan({ strategy: "cost" }, { targets: [gpt41, o3, viaAzure] }).targets).toEqual([viaAzure, gpt41, o3]);
  });

  it("only chooses models whose catalog entry has the required capabilities", () => {
    const targets = [localSmall, ...TARGETS];
    expect(plan({ strategy: "cost" }, { targets }).targets[0]).toBe(localSmall);
    expect(plan({ strategy: "cost", tools: [tool] }, { targets }).targets).not.toContain(localSmall);
    const json = plan({ strategy: "cost", responseFormat: "json" }, { targets }).targets;
    expect(json[0]).toBe(gpt4oMini);
    expect(json).not.toContain(localSmall);
    // Uncatalogued models are assumed capable.
    expect(json).toContain(llama);
  });

  it("honours a preset's capability needs even when applyPreset was not called", () => {
    const { strategy, targets } = plan({ preset: "issue-analysis" }, { targets: [localSmall, gpt4oMini] });
    expect(strategy).toBe("primary");
    expect(targets).toEqual([gpt4oMini]);
  });
});

describe("latency strategy", () => {
  it("explores unmeasured targets first, then ranks by moving average", () => {
    const latency = new LatencyTracker({ minSamples: 2 });
    const targets = [gpt41, haiku, gpt4oMini];
    for (const ms of [900, 900]) latency.record(targetKey(gpt41), ms);
    for (const ms of [300, 300]) latency.record(targetKey(haiku), ms);
    latency.record(targetKey(gpt4oMini), 50); // one sample: still being explored
    expect(plan({ strategy: "latency" }, { targets, latency }).targets).toEqual([gpt4oMini, haiku, gpt41]);

    latency.record(targetKey(gpt4oMini), 2000); // measured now: ewma 0.2*2000 + 0.8*50 = 440
    expect(latency.get(targetKey(gpt4oMini))!.ewmaMs).toBeCloseTo(440, 10);
    expect(plan({ strategy: "latency" }, { targets, latency }).targets).toEqual([haiku, gpt4oMini, gpt41]);
  });

  it("tries every unmeasured target in priority order before trusting averages", () => {
    const latency = new LatencyTracker();
    const targets = [offline, haiku, gpt41];
    expect(plan({ strategy: "latency" }, { targets, latency }).targets).toEqual([gpt41, haiku, offline]);
    for (let i = 0; i < 3; i++) latency.record(targetKey(gpt41), 100);
    expect(plan({ strategy: "latency" }, { targets, latency }).targets[0]).toBe(haiku);
  });

  it("filters by capability", () => {
    const latency = new LatencyTracker({ minSamples: 0 });
    latency.record(targetKey(localSmall), 1);
    latency.record(targetKey(gpt41), 500);
    expect(plan({ strategy: "latency", tools: [tool] }, { targets: [localSmall, gpt41], latency }).targets).toEqual([gpt41]);
  });
});

describe("fallback chains", () => {
  it("the fallback strategy tries only its chain, in order", () => {
    const { targets } = plan({}, { policy: policy({ strategy: "fallback", fallback: ["claude-haiku-4-5", "openai/gpt-4o-mini", "maestro-offline"] }) });
    expect(names(targets)).toEqual(["anthropic/claude-haiku-4-5", "openai/gpt-4o-mini", "offline/maestro-offline"]);
  });

  it("the fallback strategy without a usable chain behaves like primary", () => {
    const empty = plan({ strategy: "fallback" }, { policy: policy({ defaultModel: "claude-haiku-4-5" }) });
    expect(empty.strategy).toBe("fallback");
    expect(empty.targets[0]).toBe(haiku);
    expect(empty.targets).toHaveLength(TARGETS.length);
    expect(plan({ strategy: "fallback", fallback: ["gone-model"] }).targets[0]).toBe(gpt41);
  });

  it("other strategies try the first choice, then the chain, then the rest, without duplicates", () => {
    const { targets } = plan(
      { strategy: "cost" },
      { policy: policy({ fallback: ["claude-sonnet-4-5", "gpt-4o-mini", "anthropic/claude-sonnet-4-5", "disabled-model"] }) },
    );
    expect(names(targets)).toEqual([
      "openai/gpt-4o-mini",
      "anthropic/claude-sonnet-4-5",
      "offline/maestro-offline",
      "anthropic/claude-haiku-4-5",
      "openai/gpt-4.1",
      "vllm/meta-llama/Llama-3-8B",
    ]);
  });

  it("a request's chain replaces the policy's and is kept even where a capability is missing", () => {
    const targets = [localSmall, ...TARGETS];
    const requested = plan(
      { tools: [tool], fallback: ["local-small"] },
      { targets, policy: policy({ fallback: ["maestro-offline"] }) },
    ).targets;
    expect(requested.slice(0, 2)).toEqual([gpt41, localSmall]);
    const fromPolicy = plan({ tools: [tool] }, { targets, policy: policy({ fallback: ["local-small", "maestro-offline"] }) }).targets;
    expect(fromPolicy.slice(0, 2)).toEqual([gpt41, offline]);
    expect(fromPolicy).not.toContain(localSmall);
  });
});

describe("explicit models", () => {
  it("routes a provider-prefixed model, then its fallbacks", () => {
    const { targets } = plan({ model: "anthropic/claude-haiku-4-5", fallback: ["gpt-4o-mini"] });
    expect(names(targets).slice(0, 2)).toEqual(["anthropic/claude-haiku-4-5", "openai/gpt-4o-mini"]);
    expect(targets).toHaveLength(TARGETS.length);
  });

  it("routes an openai-compatible model id that contains a slash", () => {
    expect(plan({ model: "meta-llama/Llama-3-8B" }).targets[0]).toBe(llama);
    expect(plan({ model: "vllm/meta-llama/Llama-3-8B" }).targets[0]).toBe(llama);
  });

  it("keeps an explicitly named model even if the catalog says it lacks a capability", () => {
    const { targets } = plan({ model: "local-small", tools: [tool] }, { targets: [localSmall, gpt41] });
    expect(targets).toEqual([localSmall, gpt41]);
  });

  it("lists every provider of a model by priority and treats 'auto' as no model", () => {
    const proxied = vllm("gpt-4o-mini");
    expect(plan({ model: "gpt-4o-mini" }, { targets: [proxied, gpt4oMini, haiku] }).targets).toEqual([gpt4oMini, proxied, haiku]);
    expect(plan({ model: "auto", strategy: "cost" }).targets[0]).toBe(gpt4oMini);
  });

  it("under the fallback strategy tries the model and its chain only", () => {
    expect(plan({ model: "gpt-4.1", strategy: "fallback", fallback: ["claude-haiku-4-5"] }).targets).toEqual([gpt41, haiku]);
  });

  it("refuses an unknown model, naming what is enabled", () => {
    const error = thrown(() => plan({ model: "gpt-4o" }, { targets: [gpt4oMini, haiku] }));
    expect(error).toBeInstanceOf(NoRouteError);
    expect(error).toBeInstanceOf(ValidationError);
    expect(isDomainError(error)).toBe(true);
    expect((error as NoRouteError).status).toBe(400);
    expect((error as NoRouteError).reason).toBe("unknown_model");
    expect((error as Error).message).toBe('Model "gpt-4o" is not enabled on any provider of this team. Enabled: openai/gpt-4o-mini, anthropic/claude-haiku-4-5');
  });

  it("lists at most ten enabled models", () => {
    const many = Array.from({ length: 13 }, (_, i) => vllm(`model-${String(i).padStart(2, "0")}`));
    const message = (thrown(() => plan({ model: "nope" }, { targets: many })) as Error).message;
    expect(message).toContain("vllm/model-09 and 3 more");
    expect(message).not.toContain("model-10");
  });
});

describe("strategy choice", () => {
  it("prefers the request's strategy, then the preset's, then the policy's", () => {
    const latencyPolicy = { policy: policy({ strategy: "latency" }) };
    expect(plan({ strategy: "cost", preset: "code-generation" }, latencyPolicy).strategy).toBe("cost");
    expect(plan({ preset: "code-generation" }, latencyPolicy).strategy).toBe("primary");
    expect(plan({}, latencyPolicy).strategy).toBe("latency");
  });
});

describe("circuit breakers", () => {
  it("moves targets with an open circuit last, keeping their order", () => {
    const open = new Set([targetKey(gpt4oMini), targetKey(offline)]);
    const { targets } = plan({ strategy: "cost" }, { isOpen: (t) => open.has(targetKey(t)) });
    expect(names(targets)).toEqual([
      "anthropic/claude-haiku-4-5",
      "openai/gpt-4.1",
      "anthropic/claude-sonnet-4-5",
      "vllm/meta-llama/Llama-3-8B",
      "openai/gpt-4o-mini",
      "offline/maestro-offline",
    ]);
  });

  it("still tries everything when every circuit is open", () => {
    expect(plan({ model: "claude-haiku-4-5" }, { targets: [gpt41, haiku], isOpen: () => true }).targets).toEqual([haiku, gpt41]);
  });
});

describe("no route", () => {
  it("refuses when the team has no enabled model", () => {
    const error = thrown(() => plan({}, { targets: [] })) as NoRouteError;
    expect(error).toBeInstanceOf(NoRouteError);
    expect(error.reason).toBe("no_model");
    expect(error.message).toBe("This team has no enabled provider model.");
    expect((thrown(() => plan({ model: "gpt-4.1" }, { targets: [] })) as NoRouteError).reason).toBe("no_model");
  });

  it("refuses when no enabled model has the required capabilities", () => {
    const error = thrown(() => plan({ tools: [tool], responseFormat: "json" }, { targets: [localSmall] })) as NoRouteError;
    expect(error.reason).toBe("no_capable_model");
    expect(error.message).toBe("No enabled model on this team satisfies: tools, json");
    expect(error.details).toMatchObject({ required: ["tools", "json"] });
  });
});
