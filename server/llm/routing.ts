// The gateway's routing layer: turns a request, the team's policy and its enabled
// provider models into the ordered list of targets the gateway walks. Pure and
// synchronous on purpose — it runs on every call, so it does no I/O and keeps its
// work proportional to the (small) number of enabled targets.
import { ValidationError } from "../errors.ts";
import type { Capability, ModelCatalog } from "./catalog.ts";
import type { GatewayRequest, ModelTarget, RoutingPolicy, Strategy, TaskPreset } from "./gateway-types.ts";

// ---------------------------------------------------------------------------
// Task presets
// ---------------------------------------------------------------------------

export interface PresetDefaults {
  system: string;
  temperature: number;
  maxTokens: number;
  strategy: Strategy;
  requires: Capability[];
  /** Set for presets whose answer a program parses, so the vendor's JSON mode is asked for. */
  responseFormat?: "json";
}

export const TASK_PRESET_DEFAULTS: Record<TaskPreset, PresetDefaults> = {
  chat: {
    system:
      "You are Maestro's assistant for a software team. Answer clearly and concisely, use Markdown, " +
      "and put code in fenced blocks with a language tag. If a question is ambiguous or you are not sure, say so instead of guessing.",
    temperature: 0.7,
    maxTokens: 2048,
    strategy: "cost",
    requires: [],
  },
  "code-generation": {
    system:
      "You are an expert software engineer. Write correct, idiomatic, production-ready code that follows the conventions " +
      "of the code and language you are given, and handles errors and edge cases. Return code in fenced blocks with a " +
      "language tag and keep explanations short unless asked. Do not invent APIs; state any assumption you had to make.",
    temperature: 0.2,
    maxTokens: 4096,
    strategy: "primary",
    requires: [],
  },
  "issue-analysis": {
    system:
      "You triage software issues. From the issue text and any logs or code provided, answer with one JSON object and nothing else, shaped as " +
      '{"summary": string, "type": "bug" | "feature" | "question" | "chore", "severity": "critical" | "high" | "medium" | "low", ' +
      '"components": string[], "likelyCause": string | null, "missingInformation": string[], "nextSteps": string[]}. ' +
      "Base every field on the evidence given; use null or an empty array rather than guessing.",
    temperature: 0,
    maxTokens: 2048,
    strategy: "primary",
    requires: ["json"],
    responseFormat: "json",
  },
  "code-review": {
    system:
      "You are a meticulous senior code reviewer. Review the change for, in order of importance: correctness bugs, security " +
      "issues, data loss, concurrency and error handling, performance, then readability. For each finding give the file and " +
      "line, why it matters and a concrete fix. Skip nitpicks a formatter or linter would catch. If the change is sound, say so briefly.",
    temperature: 0.1,
    maxTokens: 4096,
    strategy: "primary",
    requires: [],
  },
  "fix-suggestion": {
    system:
      "You fix bugs. From the error, logs and code provided, find the root cause, then propose the smallest change that fixes " +
      "it without altering unrelated behaviour. Explain the cause in a few sentences, show the fix as a unified diff or the " +
      "complete changed code, and name a test that should cover it. If the evidence is not enough, say what is missing instead of guessing.",
    temperature: 0.2,
    maxTokens: 4096,
    strategy: "primary",
    requires: [],
  },
  "code-explanation": {
    system:
      "You explain code to a developer who is new to it. Describe what it does and why: the main flow, the key data " +
      "structures, and any non-obvious behaviour, side effects or pitfalls. Be accurate and concise, quote short snippets " +
      "where they help, and do not speculate about code you were not shown.",
    temperature: 0.3,
    maxTokens: 2048,
    strategy: "cost",
    requires: [],
  },
};

function mergeCapabilities(a: readonly Capability[] | undefined, b: readonly Capability[] | undefined): Capability[] {
  const out: Capability[] = [];
  if (a) for (const c of a) if (!out.includes(c)) out.push(c);
  if (b) for (const c of b) if (!out.includes(c)) out.push(c);
  return out;
}

/**
 * Fills the preset's defaults into the fields the request left unset; `requires` is
 * merged. A system message among `messages` counts as a system prompt: stacking the
 * preset's prompt on top of the caller's own would give the model conflicting orders.
 */
export function applyPreset(request: GatewayRequest): GatewayRequest {
  if (!request.preset) return request;
  const preset = TASK_PRESET_DEFAULTS[request.preset];
  const out: GatewayRequest = { ...request };
  if (out.system === undefined && !out.messages.some((m) => m.role === "system")) out.system = preset.system;
  if (out.temperature === undefined) out.temperature = preset.temperature;
  if (out.maxTokens === undefined) out.maxTokens = preset.maxTokens;
  if (out.strategy === undefined) out.strategy = preset.strategy;
  if (out.responseFormat === undefined && preset.responseFormat) out.responseFormat = preset.responseFormat;
  if (preset.requires.length > 0) out.requires = mergeCapabilities(request.requires, preset.requires);
  return out;
}

/**
 * What a model must support to serve the request. Streaming is not implied: every
 * adapter can stream, falling back to one chunk when the vendor cannot.
 */
export function requiredCapabilities(request: GatewayRequest): Capability[] {
  const out: Capability[] = [];
  if (request.tools && request.tools.length > 0) out.push("tools");
  if (request.responseFormat === "json") out.push("json");
  if (request.requires) for (const c of request.requires) if (!out.includes(c)) out.push(c);
  return out;
}

// ---------------------------------------------------------------------------
// Latency
// ---------------------------------------------------------------------------

/** The key routing, latency tracking and the circuit breakers share for a target. */
export function targetKey(target: Pick<ModelTarget, "providerId" | "model">): string {
  return `${target.providerId}/${target.model}`;
}

export interface LatencyStat {
  ewmaMs: number;
  samples: number;
}

export interface LatencyTrackerOptions {
  /** Weight of the newest sample, in (0, 1]; higher reacts faster but is noisier. */
  alpha?: number;
  /** Samples a target needs before the latency strategy trusts its average. */
  minSamples?: number;
}

/**
 * Per-target exponentially weighted moving average of successful call latency. Only
 * successes are recorded: a fast failure must not make a broken target look quick.
 *
 * Exploration: the latency strategy ranks a target with fewer than `minSamples`
 * samples ahead of every measured one, so a newly enabled (or never yet chosen) target
 * gets measured instead of being starved by whichever target was measured first. A
 * slow target therefore costs at most `minSamples` slow calls before it sinks. A
 * target that keeps failing stays unmeasured, so it is the circuit breaker (routing
 * moves open circuits last) that stops it from being tried first forever.
 */
export class LatencyTracker {
  readonly alpha: number;
  readonly minSamples: number;
  private readonly stats = new Map<string, LatencyStat>();

  constructor(options: LatencyTrackerOptions = {}) {
    const alpha = options.alpha ?? 0.2;
    const minSamples = options.minSamples ?? 3;
    if (!(alpha > 0 && alpha <= 1)) throw new RangeError(`alpha must be in (0, 1], got ${alpha}`);
    if (!Number.isInteger(minSamples) || minSamples < 0) throw new RangeError(`minSamples must be a non-negative integer, got ${minSamples}`);
    this.alpha = alpha;
    this.minSamples = minSamples;
  }

  record(key: string, ms: number): void {
    // A clock step can yield a negative or absurd duration; one such sample would skew the average for many calls.
    if (!Number.isFinite(ms) || ms < 0) return;
    const stat = this.stats.get(key);
    if (!stat) {
      // Seeding with the first sample (not 0) keeps one measurement from looking impossibly fast.
      this.stats.set(key, { ewmaMs: ms, samples: 1 });
      return;
    }
    stat.ewmaMs = this.alpha * ms + (1 - this.alpha) * stat.ewmaMs;
    stat.samples++;
  }

  get(key: string): LatencyStat | undefined {
    const stat = this.stats.get(key);
    return stat && { ewmaMs: stat.ewmaMs, samples: stat.samples };
  }

  /** Whether the latency strategy ranks the target by its average rather than exploring it. */
  isMeasured(key: string): boolean {
    return (this.stats.get(key)?.samples ?? 0) >= this.minSamples;
  }

  snapshot(): Record<string, LatencyStat> {
    const out: Record<string, LatencyStat> = {};
    for (const [key, stat] of this.stats) out[key] = { ewmaMs: stat.ewmaMs, samples: stat.samples };
    return out;
  }
}

// ---------------------------------------------------------------------------
// Model references
// ---------------------------------------------------------------------------

/**
 * Splits "provider/model" syntactically at the first "/". Only a hint: model ids may
 * themselves contain "/" ("meta-llama/Llama-3-8B" on vLLM), so which reading is right
 * depends on what the team has enabled — use `resolveRef` to route.
 */
export function parseModelRef(ref: string): { providerName?: string; model: string } {
  const slash = ref.indexOf("/");
  if (slash <= 0 || slash === ref.length - 1) return { model: ref };
  return { providerName: ref.slice(0, slash), model: ref.slice(slash + 1) };
}

function byPriority(a: ModelTarget, b: ModelTarget): number {
  return a.priority - b.priority || (a.model < b.model ? -1 : a.model > b.model ? 1 : 0);
}

function isQualifiedRef(ref: string, target: ModelTarget): boolean {
  const name = target.providerName;
  // Compared in place rather than by building `${name}/${model}` for every target.
  return (
    ref.length === name.length + 1 + target.model.length &&
    ref.charCodeAt(name.length) === 47 /* "/" */ &&
    ref.startsWith(name) &&
    ref.endsWith(target.model)
  );
}

/**
 * The targets a model reference names, in priority order: the `providerName/model`
 * match if there is one, otherwise every target whose model id is exactly `ref`
 * (which is how "meta-llama/Llama-3-8B" on an openai-compatible server is found).
 * Case-sensitive, because vendors' model ids are.
 */
export function resolveRef(ref: string, targets: readonly ModelTarget[]): ModelTarget[] {
  const qualified: ModelTarget[] = [];
  if (ref.includes("/")) for (const t of targets) if (isQualifiedRef(ref, t)) qualified.push(t);
  const matches = qualified.length > 0 ? qualified : targets.filter((t) => t.model === ref);
  if (matches.length > 1) matches.sort(byPriority);
  return matches;
}

// ---------------------------------------------------------------------------
// Planning
// ---------------------------------------------------------------------------

export type NoRouteReason = "unknown_model" | "no_capable_model" | "no_model";

/** The call cannot be routed: nothing enabled matches what it asked for. */
export class NoRouteError extends ValidationError {
  constructor(
    readonly reason: NoRouteReason,
    message: string,
    details?: Record<string, unknown>,
  ) {
    super(message, { reason, ...details });
  }
}

const MAX_LISTED = 10;

function unknownModelError(ref: string, targets: readonly ModelTarget[]): NoRouteError {
  const enabled: string[] = [];
  for (const t of [...targets].sort(byPriority)) {
    const name = `${t.providerName}/${t.model}`;
    if (!enabled.includes(name)) enabled.push(name);
  }
  const shown = enabled.slice(0, MAX_LISTED).join(", ");
  const more = enabled.length > MAX_LISTED ? ` and ${enabled.length - MAX_LISTED} more` : "";
  return new NoRouteError("unknown_model", `Model "${ref}" is not enabled on any provider of this team. Enabled: ${shown}${more}`, {
    model: ref,
    enabled: enabled.slice(0, MAX_LISTED),
  });
}

export interface PlanRouteInput {
  request: GatewayRequest;
  policy: RoutingPolicy;
  targets: ModelTarget[];
  catalog: ModelCatalog;
  latency: LatencyTracker;
  /** Whether the target's circuit breaker is open. */
  isOpen?: (target: ModelTarget) => boolean;
}

export interface RoutePlan {
  strategy: Strategy;
  /** Distinct targets to try in order: the first is the choice, the rest fallbacks within the call. */
  targets: ModelTarget[];
}

/**
 * Orders the targets for one call.
 *
 * - An explicit `request.model` (not "auto") picks its matches, even ones the catalog
 *   says lack a required capability: the caller asked for that model and the vendor
 *   will say if it cannot comply. Otherwise the strategy chooses among capable targets
 *   (models missing from the catalog count as capable).
 * - Then the fallback chain (`request.fallback ?? policy.fallback`), then — except for
 *   the `fallback` strategy, which tries only its chain — the remaining capable targets
 *   in the strategy's own order (cost order for `cost`, so the next try is the next
 *   cheapest; priority order for `primary`).
 * - Names from the team's policy (default model, policy fallback chain) are filtered by
 *   capability like automatic choices; names from the request are kept as given.
 *   Unresolvable fallback entries are skipped: a provider disabled since the chain was
 *   written must not break every call.
 * - Targets whose circuit is open go last, in the same relative order: if all are
 *   open, trying beats failing without a try.
 */
export function planRoute(input: PlanRouteInput): RoutePlan {
  const { request, policy, targets, catalog, latency, isOpen } = input;
  const preset = request.preset ? TASK_PRESET_DEFAULTS[request.preset] : undefined;
  const strategy: Strategy = request.strategy ?? preset?.strategy ?? policy.strategy;
  // The preset's needs count even when the caller did not run applyPreset first.
  const required = preset ? mergeCapabilities(requiredCapabilities(request), preset.requires) : requiredCapabilities(request);

  if (targets.length === 0) throw new NoRouteError("no_model", "This team has no enabled provider model.");

  const explicit = request.model && request.model !== "auto" ? request.model : undefined;
  let explicitMatches: ModelTarget[] = [];
  if (explicit) {
    explicitMatches = resolveRef(explicit, targets);
    if (explicitMatches.length === 0) throw unknownModelError(explicit, targets);
  }

  const capable = new Set<ModelTarget>();
  for (const t of targets) {
    const entry = catalog.find(t.model);
    if (!entry || required.every((c) => entry.capabilities.includes(c))) capable.add(t);
  }
  const fromPolicy = (refs: readonly string[]): ModelTarget[] => {
    const out: ModelTarget[] = [];
    for (const ref of refs) for (const t of resolveRef(ref, targets)) if (capable.has(t)) out.push(t);
    return out;
  };
  const fromRequest = (refs: readonly string[]): ModelTarget[] => refs.flatMap((ref) => resolveRef(ref, targets));

  const chain = request.fallback ? fromRequest(request.fallback) : fromPolicy(policy.fallback);
  // The `fallback` strategy tries only its chain; with no usable chain it acts as `primary`.
  const appendRest = strategy !== "fallback" || (!explicit && chain.length === 0);
  const ranked = appendRest ? rank(strategy, [...capable].sort(byPriority), catalog, latency) : [];

  let first: ModelTarget[];
  if (explicit) first = explicitMatches;
  else if (!appendRest) first = [];
  else if ((strategy === "primary" || strategy === "fallback") && policy.defaultModel && policy.defaultModel !== "auto") {
    const defaults = fromPolicy([policy.defaultModel]);
    first = defaults.length > 0 ? defaults : ranked.slice(0, 1);
  } else first = ranked.slice(0, 1);

  const seen = new Set<string>();
  const ordered: ModelTarget[] = [];
  const add = (list: readonly ModelTarget[]) => {
    for (const t of list) {
      const key = targetKey(t);
      if (seen.has(key)) continue;
      seen.add(key);
      ordered.push(t);
    }
  };
  add(first);
  add(chain);
  add(ranked);

  if (ordered.length === 0) {
    throw new NoRouteError("no_capable_model", `No enabled model on this team satisfies: ${required.join(", ")}`, { required });
  }

  return { strategy, targets: isOpen ? openLast(ordered, isOpen) : ordered };
}

/** Capable targets (already in priority order) in the strategy's order; the sorts are stable, so ties keep priority order. */
function rank(strategy: Strategy, capable: ModelTarget[], catalog: ModelCatalog, latency: LatencyTracker): ModelTarget[] {
  if (strategy === "cost") {
    // A typical call's cost is approximated by input + output price per million tokens:
    // calls read more than they write, but output costs 4-5x more, so the two weigh
    // roughly equally in real spend. Unpriced (uncatalogued) models go after priced ones.
    const costed = capable.map((t) => {
      const price = catalog.find(t.model)?.price;
      return { t, cost: price ? price.input + price.output : Number.POSITIVE_INFINITY };
    });
    costed.sort((a, b) => (a.cost < b.cost ? -1 : a.cost > b.cost ? 1 : 0));
    return costed.map((c) => c.t);
  }
  if (strategy === "latency") {
    const timed = capable.map((t) => {
      const stat = latency.get(targetKey(t));
      // Unmeasured targets rank first (-1) so they get explored; see LatencyTracker.
      return { t, ms: stat && stat.samples >= latency.minSamples ? stat.ewmaMs : -1 };
    });
    timed.sort((a, b) => (a.ms < 0 && b.ms < 0 ? 0 : a.ms - b.ms));
    return timed.map((x) => x.t);
  }
  return capable;
}

function openLast(targets: ModelTarget[], isOpen: (target: ModelTarget) => boolean): ModelTarget[] {
  const closed: ModelTarget[] = [];
  const open: ModelTarget[] = [];
  for (const t of targets) (isOpen(t) ? open : closed).push(t);
  return open.length === 0 ? targets : closed.concat(open);
}
