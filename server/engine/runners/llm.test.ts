// The llm step through the real Gateway: the offline model, and the fake OpenAI server
// for repairs of malformed JSON and for vendor failures. Retry waits are recorded, not slept.
import { describe, expect, it, vi } from "vitest";
import { BudgetExceededError, RateLimitedError, UpstreamError } from "../../errors.ts";
import { MemoryResponseCache } from "../../llm/cache.ts";
import { BUILTIN_OFFLINE, Gateway } from "../../llm/gateway.ts";
import type { BudgetGuard, ConfiguredProvider, TeamGatewayConfig, UsageEvent } from "../../llm/gateway-types.ts";
import { createProviderClient } from "../../llm/providers/index.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../../llm/testing/fake-openai.ts";
import { withFakeServer } from "../../llm/testing/test-helpers.ts";
import type { TypeSpec } from "../../shared/workflow-definition.ts";
import { fakeOpenAIProvider } from "../testing/fake-provider.ts";
import { stepFailure, testStepContext } from "../testing/step-context.ts";
import type { StepOutcome } from "../types.ts";
import { runLlmStep, stepErrorFromGateway, type LlmStep } from "./llm.ts";

let openai: FakeOpenAI;
withFakeServer(startFakeOpenAI, (started) => (openai = started));

const team = (providers: ConfiguredProvider[]): TeamGatewayConfig => ({
  providers,
  catalogOverrides: [],
  policy: { strategy: "primary", defaultModel: null, fallback: [] },
  cache: { enabled: false, ttlMs: 0 },
});

interface Harness {
  gateway: Gateway;
  usage: UsageEvent[];
  sleeps: number[];
}

function harness(providers: () => ConfiguredProvider[], budgets?: BudgetGuard): Harness {
  const usage: UsageEvent[] = [];
  const sleeps: number[] = [];
  const gateway = new Gateway({
    loadTeam: async () => team(providers()),
    cache: new MemoryResponseCache(),
    usage: { record: (event) => void usage.push(event), flush: async () => {} },
    createProvider: createProviderClient,
    retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 60_000 },
    sleep: async (ms) => void sleeps.push(ms),
    ...(budgets ? { budgets } : {}),
  });
  return { gateway, usage, sleeps };
}

const offline = () => harness(() => [BUILTIN_OFFLINE]);
const viaOpenAI = (budgets?: BudgetGuard) => harness(() => [fakeOpenAIProvider(openai.url)], budgets);

function run(h: Harness, step: LlmStep, signal: AbortSignal = new AbortController().signal): { outcome: Promise<StepOutcome>; logs: string[] } {
  const { ctx, logs } = testStepContext(step, {
    stepKey: "ask",
    signal,
    gateway: (request, callSignal) => h.gateway.chat({ teamId: "team-a", runId: "run-1", stepId: "ask", operation: "workflow.step", signal: callSignal }, request),
  });
  return { outcome: runLlmStep(ctx), logs };
}

const sumOf = (events: UsageEvent[], pick: (e: UsageEvent) => number) => events.reduce((n, e) => n + pick(e), 0);

const PLAN: TypeSpec = {
  type: "object",
  required: ["goal", "subtasks"],
  properties: { goal: { type: "string" }, subtasks: { type: "array", items: { type: "object", required: ["title"], properties: { title: { type: "string" } } } } },
};

const posts = (from: number) => openai.requests.slice(from).filter((r) => r.method === "POST");

describe("llm step with the offline model", () => {
  it("answers with text, accounts the usage and logs the model", async () => {
    const h = offline();
    const { outcome, logs } = run(h, { kind: "llm", prompt: "Summarise the quarterly report" });
    const { output, usage } = await outcome;
    expect(output).toContain("Summarise the quarterly report");
    expect(usage).toEqual({ inputTokens: h.usage[0]!.usage.inputTokens, outputTokens: h.usage[0]!.usage.outputTokens, costNano: h.usage[0]!.costNano });
    expect(usage!.inputTokens).toBeGreaterThan(0);
    expect(logs).toEqual([expect.stringMatching(/^info: Model offline\/maestro-offline: \d+ in \/ \d+ out$/)]);
  });

  it("json: true yields the parsed object", async () => {
    const { outcome } = run(offline(), { kind: "llm", prompt: "Classify this ticket", json: true });
    expect((await outcome).output).toMatchObject({ answer: expect.stringContaining("Classify this ticket"), offline: true });
  });

  it("a TypeSpec the answer fits needs a single call", async () => {
    const h = offline();
    const spec: TypeSpec = { type: "object", required: ["answer", "offline"], properties: { answer: { type: "string" }, offline: { type: "boolean" } } };
    const { outcome } = run(h, { kind: "llm", prompt: "Plan it", json: spec });
    expect((await outcome).output).toMatchObject({ offline: true });
    expect(h.usage).toHaveLength(1);
  });

  it("a model no provider offers fails for good, with the gateway's explanation", async () => {
    const error = await stepFailure(run(offline(), { kind: "llm", prompt: "Hi", model: "no-such-model-anywhere" }).outcome);
    expect(error).toMatchObject({ retryable: false, code: "LLM_BAD_REQUEST" });
    expect(error.message).toContain("no-such-model-anywhere");
  });

  it("a cancelled step ends with CANCELLED", async () => {
    const controller = new AbortController();
    const { outcome } = run(offline(), { kind: "llm", prompt: "Wait for it [offline:delay=60000]" }, controller.signal);
    setImmediate(() => controller.abort());
    const error = await stepFailure(outcome);
    expect(error.code).toBe("CANCELLED");
    expect(error.retryable).toBe(false);
  });
});

describe("llm step against the fake OpenAI server", () => {
  it("passes the step's model, system, temperature and max tokens to the vendor", async () => {
    const from = openai.requests.length;
    const { outcome } = run(viaOpenAI(), { kind: "llm", prompt: "Hello there", system: "Be terse.", model: "gpt-4o-mini", temperature: 0.2, maxTokens: 50 });
    expect((await outcome).output).toBe("Echo: Hello there");
    const [request] = posts(from);
    expect(request!.body).toMatchObject({
      model: "gpt-4o-mini",
      temperature: 0.2,
      max_completion_tokens: 50,
      messages: [
        { role: "system", content: "Be terse." },
        { role: "user", content: "Hello there" },
      ],
    });
    expect(request!.body.response_format).toBeUndefined();
  });

  it("repairs malformed JSON with one more call and sums the usage of both", async () => {
    const h = viaOpenAI();
    const from = openai.requests.length;
    openai.enqueue({ kind: "text", text: "Sure! Here is the plan: {goal: ship" }, { kind: "text", text: '```json\n{"goal":"ship","subtasks":[{"title":"write"}]}\n```' });
    const { outcome, logs } = run(h, { kind: "llm", prompt: "Plan the launch", system: "You plan.", json: PLAN });
    const { output, usage } = await outcome;
    expect(output).toEqual({ goal: "ship", subtasks: [{ title: "write" }] });

    const [first, repair] = posts(from);
    expect(first!.body.response_format).toEqual({ type: "json_object" });
    expect(first!.body.messages[0].content).toMatch(/^You plan\.\n\nAnswer with JSON only/);
    expect(repair!.body.response_format).toEqual({ type: "json_object" });
    expect(repair!.body.messages.slice(1)).toEqual([
      { role: "user", content: "Plan the launch" },
      { role: "assistant", content: "Sure! Here is the plan: {goal: ship" },
      { role: "user", content: expect.stringMatching(/not valid JSON.*Reply with the corrected JSON only\.$/) },
    ]);

    expect(h.usage).toHaveLength(2);
    expect(usage).toEqual({
      inputTokens: sumOf(h.usage, (e) => e.usage.inputTokens),
      outputTokens: sumOf(h.usage, (e) => e.usage.outputTokens),
      costNano: sumOf(h.usage, (e) => e.costNano),
    });
    expect(usage!.costNano).toBeGreaterThan(h.usage[0]!.costNano);
    expect(logs.filter((line) => line.startsWith("info: Model openai/gpt-4o-mini"))).toHaveLength(2);
    expect(logs.some((line) => line.startsWith("warn: "))).toBe(true);
  });

  it("names the TypeSpec problems in the repair request", async () => {
    const from = openai.requests.length;
    openai.enqueue({ kind: "text", text: '{"subtasks":[{"title":1}]}' }, { kind: "text", text: '{"goal":"g","subtasks":[{"title":"one"}]}' });
    const { outcome } = run(viaOpenAI(), { kind: "llm", prompt: "Plan", json: PLAN });
    expect((await outcome).output).toEqual({ goal: "g", subtasks: [{ title: "one" }] });
    const repairText = posts(from)[1]!.body.messages.at(-1).content as string;
    expect(repairText).toContain("goal: missing (required)");
    expect(repairText).toContain("subtasks[0].title: expected string, got number");
  });

  it("fails with MALFORMED_OUTPUT when the repaired answer is still wrong", async () => {
    const from = openai.requests.length;
    openai.enqueue({ kind: "text", text: "[1, 2]" }, { kind: "text", text: '{"goal": 3, "subtasks": []}' });
    const error = await stepFailure(run(viaOpenAI(), { kind: "llm", prompt: "Plan", json: PLAN }).outcome);
    expect(error).toMatchObject({ code: "MALFORMED_OUTPUT", retryable: false });
    expect(error.message).toContain("goal: expected string, got number");
    expect(posts(from)).toHaveLength(2);
  });

  it("json: true refuses an answer that is not an object", async () => {
    openai.enqueue({ kind: "text", text: "42" }, { kind: "text", text: '"still not"' });
    const error = await stepFailure(run(viaOpenAI(), { kind: "llm", prompt: "Answer", json: true }).outcome);
    expect(error.code).toBe("MALFORMED_OUTPUT");
    expect(error.message).toContain("expected a JSON object");
  });

  it("a 429 becomes a retryable failure carrying the vendor's retry-after", async () => {
    const h = viaOpenAI();
    openai.setDefault({ kind: "error", status: 429, retryAfterSeconds: 7 });
    const error = await stepFailure(run(h, { kind: "llm", prompt: "Hello" }).outcome);
    expect(error).toMatchObject({ retryable: true, code: "LLM_RATE_LIMITED", retryAfterMs: 7_000 });
    expect(error.message).toBe("The model provider is rate limiting: Rate limit reached for requests. Please try again later.");
    expect(h.sleeps).toEqual([7_000]);
  });

  it("a 500 is retryable and a rejected key is not", async () => {
    openai.setDefault({ kind: "error", status: 500 });
    expect(await stepFailure(run(viaOpenAI(), { kind: "llm", prompt: "Hello" }).outcome)).toMatchObject({ retryable: true, code: "LLM_SERVER" });
    openai.setDefault({ kind: "error", status: 401 });
    expect(await stepFailure(run(viaOpenAI(), { kind: "llm", prompt: "Hello" }).outcome)).toMatchObject({ retryable: false, code: "LLM_AUTH" });
    openai.setDefault({ kind: "error", status: 400, message: "Invalid 'messages'." });
    const badRequest = await stepFailure(run(viaOpenAI(), { kind: "llm", prompt: "Hello" }).outcome);
    expect(badRequest).toMatchObject({ retryable: false, code: "LLM_BAD_REQUEST" });
    expect(badRequest.message).toContain("Invalid 'messages'.");
  });

  it("a budget refusal fails the step for good with BUDGET_EXCEEDED", async () => {
    const refusal = new BudgetExceededError({ id: "b1", name: "Team monthly", scope: "team", period: "monthly", limitNano: 1_000, spentNano: 1_000, reservedNano: 0 }, 5_000);
    const budgets: BudgetGuard = {
      applies: async () => true,
      reserve: async () => {
        throw refusal;
      },
      settle: async () => {},
      release: async () => {},
    };
    const from = openai.requests.length;
    const error = await stepFailure(run(viaOpenAI(budgets), { kind: "llm", prompt: "Hello" }).outcome);
    expect(error).toMatchObject({ code: "BUDGET_EXCEEDED", retryable: false, message: refusal.message });
    expect(posts(from)).toHaveLength(0);
  });

  it("cancelling while the vendor is thinking ends the step with CANCELLED", async () => {
    const controller = new AbortController();
    const from = openai.requests.length;
    openai.enqueue({ kind: "slow", delayMs: 60_000, then: { kind: "text", text: "too late" } });
    const { outcome } = run(viaOpenAI(), { kind: "llm", prompt: "Hello" }, controller.signal);
    await vi.waitFor(() => expect(posts(from)).toHaveLength(1));
    controller.abort();
    expect((await stepFailure(outcome)).code).toBe("CANCELLED");
  });
});

describe("stepErrorFromGateway", () => {
  it("sorts the gateway's domain errors too", () => {
    expect(stepErrorFromGateway(new RateLimitedError("slow down", 4))).toMatchObject({ retryable: true, code: "LLM_TOO_MANY_REQUESTS", retryAfterMs: 4_000 });
    expect(stepErrorFromGateway(new UpstreamError("vendor down"))).toMatchObject({ retryable: true, code: "LLM_BAD_GATEWAY" });
    const bug = new TypeError("a bug, not a gateway failure");
    expect(stepErrorFromGateway(bug)).toBe(bug);
  });
});
