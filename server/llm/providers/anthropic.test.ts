// The Anthropic adapter with the real SDK against the fake Anthropic server.
import { describe, expect, it } from "vitest";
import { startFakeAnthropic, type FakeAnthropic } from "../testing/fake-anthropic.ts";
import { collect, failure, withFakeServer, withRawServer, withStalledServer } from "../testing/test-helpers.ts";
import type { ChatRequest, Provider, StreamEvent } from "../types.ts";
import { DEFAULT_MAX_TOKENS, JSON_MODE_INSTRUCTION, createAnthropicProvider } from "./anthropic.ts";

const API_KEY = "not-a-real-anthropic-key";
const MODEL = "claude-haiku-4-5";
const TOOLS = [
  {
    name: "get_weather",
    description: "Weather for a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
];

let fake: FakeAnthropic;
let provider: Provider;

withFakeServer(
  () => startFakeAnthropic({ apiKey: API_KEY }),
  (started) => {
    fake = started;
    provider = createAnthropicProvider({ id: "anthropic-test", kind: "anthropic", baseUrl: fake.url, apiKey: API_KEY, timeoutMs: 2_000 });
  },
);

function ask(text: string, extra: Partial<ChatRequest> = {}): ChatRequest {
  return { model: MODEL, messages: [{ role: "user", content: text }], ...extra };
}

function lastBody() {
  return fake.requests.at(-1)!.body;
}

describe("chat", () => {
  it("sends the system prompt and messages, and maps the answer", async () => {
    const response = await provider.chat({
      model: MODEL,
      system: "You are terse.",
      messages: [
        { role: "system", content: "Answer in English." },
        { role: "user", content: "hello there" },
      ],
    });
    expect(lastBody()).toEqual({
      model: MODEL,
      max_tokens: DEFAULT_MAX_TOKENS,
      system: "You are terse.\n\nAnswer in English.",
      messages: [{ role: "user", content: "hello there" }],
    });
    expect(fake.requests.at(-1)!.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(response).toMatchObject({ model: MODEL, content: "Echo: hello there", toolCalls: [], finishReason: "stop" });
    expect(response.id).toMatch(/^msg_fake_/);
    // input = 3 + 3 (system) + 2 (message) words; output = 3 words.
    expect(response.usage).toEqual({ inputTokens: 8, outputTokens: 3, cachedInputTokens: 0 });
  });

  it("sends max_tokens and stop sequences, and never temperature or top_p (API 2026-10-21 refuses them)", async () => {
    fake.enqueue({ kind: "text", text: "one two STOP three" }, { kind: "text", text: "a b c d e" });
    const stopped = await provider.chat(ask("x", { stop: ["STOP"], temperature: 0.2, topP: 0.9, maxTokens: 50 }));
    expect(lastBody()).toMatchObject({ max_tokens: 50, stop_sequences: ["STOP"] });
    expect(lastBody()).not.toHaveProperty("temperature");
    expect(lastBody()).not.toHaveProperty("top_p");
    expect(stopped).toMatchObject({ content: "one two ", finishReason: "stop" });
    const cut = await provider.chat(ask("x", { maxTokens: 2 }));
    expect(cut).toMatchObject({ content: "a b", finishReason: "length" });
  });

  it("turns JSON mode into a system instruction", async () => {
    await provider.chat(ask("give me json", { system: "Be exact.", responseFormat: "json" }));
    expect(lastBody().system).toBe(`Be exact.\n\n${JSON_MODE_INSTRUCTION}`);
  });

  it("reports cache reads and writes as part of the input", async () => {
    fake.enqueue({ kind: "text", text: "cached", usage: { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 80, cache_creation_input_tokens: 30 } });
    const response = await provider.chat(ask("x"));
    expect(response.usage).toEqual({ inputTokens: 120, outputTokens: 5, cachedInputTokens: 80 });
  });
});

describe("tools", () => {
  it("sends tool definitions and tool choice, and parses a tool call", async () => {
    fake.enqueue({ kind: "tool_call", name: "get_weather", arguments: '{"city":"Paris"}', id: "toolu_42" });
    const response = await provider.chat(ask("weather in Paris?", { tools: TOOLS, toolChoice: { name: "get_weather" } }));
    expect(lastBody().tools).toEqual([
      { name: "get_weather", description: "Weather for a city", input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
    ]);
    expect(lastBody().tool_choice).toEqual({ type: "tool", name: "get_weather" });
    expect(response).toMatchObject({ content: "", finishReason: "tool_calls", toolCalls: [{ id: "toolu_42", name: "get_weather", arguments: '{"city":"Paris"}' }] });
  });

  it("maps each tool choice the SDK supports, and sends none without tools", async () => {
    const sent = [];
    for (const toolChoice of ["auto", "required", "none"] as const) {
      await provider.chat(ask("x", { tools: TOOLS, toolChoice }));
      sent.push(lastBody().tool_choice);
    }
    expect(sent).toEqual([{ type: "auto" }, { type: "any" }, { type: "none" }]);
    await provider.chat(ask("x", { toolChoice: "required" }));
    expect(lastBody()).not.toHaveProperty("tool_choice");
    expect(lastBody()).not.toHaveProperty("tools");
  });

  it("maps assistant tool calls and tool results, merging consecutive results into one user turn", async () => {
    await provider.chat({
      model: MODEL,
      tools: TOOLS,
      messages: [
        { role: "user", content: "Weather in Paris and Rome?" },
        {
          role: "assistant",
          content: "Checking both.",
          toolCalls: [
            { id: "toolu_a", name: "get_weather", arguments: '{"city":"Paris"}' },
            { id: "toolu_b", name: "get_weather", arguments: "" },
          ],
        },
        { role: "tool", toolCallId: "toolu_a", content: "sunny" },
        { role: "tool", toolCallId: "toolu_b", content: "rainy" },
        { role: "user", content: "And tomorrow?" },
        { role: "assistant", content: "Same." },
        { role: "user", content: "Thanks" },
      ],
    });
    expect(lastBody().messages).toEqual([
      { role: "user", content: "Weather in Paris and Rome?" },
      {
        role: "assistant",
        content: [
          { type: "text", text: "Checking both." },
          { type: "tool_use", id: "toolu_a", name: "get_weather", input: { city: "Paris" } },
          { type: "tool_use", id: "toolu_b", name: "get_weather", input: {} },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "toolu_a", content: "sunny" },
          { type: "tool_result", tool_use_id: "toolu_b", content: "rainy" },
          { type: "text", text: "And tomorrow?" },
        ],
      },
      { role: "assistant", content: "Same." },
      { role: "user", content: "Thanks" },
    ]);
  });

  it("streams a tool call: index among tool calls, id and name first, arguments from partial_json", async () => {
    const args = '{"city":"Paris","days":3}';
    fake.enqueue({ kind: "tool_call", name: "get_weather", arguments: args, id: "toolu_s", text: "Let me look." });
    const events = await collect(provider.stream(ask("weather?", { tools: TOOLS })));
    const calls = events.filter((e) => e.type === "tool-call-delta");
    expect(calls[0]).toEqual({ type: "tool-call-delta", index: 0, id: "toolu_s", name: "get_weather", argumentsDelta: "" });
    expect(calls.slice(1).every((e) => e.index === 0 && e.id === undefined)).toBe(true);
    expect(calls.map((e) => e.argumentsDelta).join("")).toBe(args);
    expect(events.filter((e) => e.type === "text-delta").map((e) => e.text).join("")).toBe("Let me look.");
    expect(events.at(-1)).toMatchObject({ type: "finish", reason: "tool_calls" });
  });
});

describe("stream", () => {
  it("yields text deltas, then usage, then finish last", async () => {
    const events = await collect(provider.stream(ask("stream this answer", { system: "Short." })));
    expect(lastBody().stream).toBe(true);
    const types = events.map((e) => e.type);
    expect(types.slice(-2)).toEqual(["usage", "finish"]);
    expect(types.slice(0, -2).every((t) => t === "text-delta")).toBe(true);
    expect(events.filter((e) => e.type === "text-delta").map((e) => e.text).join("")).toBe("Echo: stream this answer");
    // input = 1 (system) + 3; output = 4 (message_delta's count, not message_start's).
    expect(events.at(-2)).toEqual({ type: "usage", usage: { inputTokens: 4, outputTokens: 4, cachedInputTokens: 0 } });
    expect(events.at(-1)).toMatchObject({ type: "finish", reason: "stop", model: MODEL, id: expect.stringMatching(/^msg_fake_/) });
  });

  it("counts cache reads in streamed usage", async () => {
    fake.enqueue({ kind: "text", text: "hi", usage: { input_tokens: 3, output_tokens: 1, cache_read_input_tokens: 40 } });
    const events = await collect(provider.stream(ask("x")));
    expect(events.find((e) => e.type === "usage")).toEqual({ type: "usage", usage: { inputTokens: 43, outputTokens: 1, cachedInputTokens: 40 } });
  });
});

describe("errors", () => {
  it("429 with retry-after → rate_limited with retryAfterMs", async () => {
    fake.enqueue({ kind: "error", status: 429, retryAfterSeconds: 7, message: "Slow down." });
    const error = await failure(provider.chat(ask("x")));
    expect(error).toMatchObject({ kind: "rate_limited", retryable: true, message: "Slow down.", details: { provider: "anthropic-test", status: 429, retryAfterMs: 7_000 } });
  });

  it("529 overloaded → server, retryable (streaming too)", async () => {
    fake.enqueue({ kind: "error", status: 529 });
    const error = await failure(collect(provider.stream(ask("x"))));
    expect(error).toMatchObject({ kind: "server", retryable: true, message: "Overloaded", details: { status: 529 } });
  });

  it("500 → server", async () => {
    fake.enqueue({ kind: "error", status: 500 });
    expect(await failure(provider.chat(ask("x")))).toMatchObject({ kind: "server", retryable: true, details: { status: 500 } });
  });

  it("400 → bad_request with the vendor's message", async () => {
    fake.enqueue({ kind: "error", status: 400, message: "messages.0.content: Input should be a valid list" });
    const error = await failure(provider.chat(ask("x")));
    expect(error).toMatchObject({ kind: "bad_request", retryable: false, message: "messages.0.content: Input should be a valid list" });
  });

  it("401 → auth", async () => {
    const wrongKey = createAnthropicProvider({ id: "bad-key", kind: "anthropic", baseUrl: fake.url, apiKey: "sk-wrong" });
    expect(await failure(wrongKey.chat(ask("x")))).toMatchObject({ kind: "auth", retryable: false, message: "invalid x-api-key", details: { status: 401 } });
  });

  it("slow past timeoutMs → timeout", async () => {
    const impatient = createAnthropicProvider({ id: "impatient", kind: "anthropic", baseUrl: fake.url, apiKey: API_KEY, timeoutMs: 100 });
    fake.enqueue({ kind: "slow", delayMs: 1_000, then: { kind: "text", text: "too late" } });
    expect(await failure(impatient.chat(ask("x")))).toMatchObject({ kind: "timeout", retryable: true });
    fake.enqueue({ kind: "slow", delayMs: 1_000, then: { kind: "text", text: "too late" } });
    expect(await failure(collect(impatient.stream(ask("x"))))).toMatchObject({ kind: "timeout" });
  });

  it("dropped stream → connection", async () => {
    fake.enqueue({ kind: "drop", afterChunks: 4 });
    const events: StreamEvent[] = [];
    const error = await failure(
      (async () => {
        for await (const event of provider.stream(ask("a b c d"))) events.push(event);
      })(),
    );
    expect(error).toMatchObject({ kind: "connection", retryable: true });
    expect(events.some((e) => e.type === "finish")).toBe(false);
  });

  it("dropped connection without a response → connection", async () => {
    fake.enqueue({ kind: "drop", afterChunks: 0 });
    expect(await failure(provider.chat(ask("x")))).toMatchObject({ kind: "connection" });
  });

  it("abort → cancelled, before the call and during it", async () => {
    expect(await failure(provider.chat(ask("x", { signal: AbortSignal.abort() })))).toMatchObject({ kind: "cancelled", retryable: false });

    const controller = new AbortController();
    fake.enqueue({ kind: "slow", delayMs: 1_000, then: { kind: "text", text: "never seen" } });
    const pending = failure(provider.chat(ask("x", { signal: controller.signal })));
    setTimeout(() => controller.abort(), 20);
    expect(await pending).toMatchObject({ kind: "cancelled" });
  });

  it("abort mid-stream → cancelled", async () => {
    const controller = new AbortController();
    const error = await failure(
      (async () => {
        for await (const event of provider.stream(ask("one two three four", { signal: controller.signal }))) {
          if (event.type === "text-delta") controller.abort();
        }
      })(),
    );
    expect(error).toMatchObject({ kind: "cancelled" });
  });
});

const MESSAGE_START = `event: message_start\ndata: ${JSON.stringify({
  type: "message_start",
  message: { id: "msg_raw", type: "message", role: "assistant", model: MODEL, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } },
})}\n\n`;

describe("stream failures after the headers", () => {
  it("an error event mid-stream → the kind of its error type", async () => {
    const overloaded = `event: error\ndata: ${JSON.stringify({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } })}\n\n`;
    await withRawServer(
      (res) => {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.end(MESSAGE_START + overloaded);
      },
      async (url) => {
        const raw = createAnthropicProvider({ id: "raw", kind: "anthropic", baseUrl: url, apiKey: API_KEY });
        expect(await failure(collect(raw.stream(ask("x"))))).toMatchObject({ kind: "server", retryable: true, message: "Overloaded" });
      },
    );
  });

  it("no event within timeoutMs → timeout", async () => {
    await withStalledServer(
      MESSAGE_START, // and then nothing
      async (url) => {
        const raw = createAnthropicProvider({ id: "raw", kind: "anthropic", baseUrl: url, apiKey: API_KEY, timeoutMs: 100 });
        expect(await failure(collect(raw.stream(ask("x"))))).toMatchObject({ kind: "timeout", retryable: true });
      },
    );
  });
});

describe("health", () => {
  it("lists the models", async () => {
    const health = await provider.health();
    expect(health.ok).toBe(true);
    expect(health.latencyMs).toBeGreaterThanOrEqual(0);
    expect(health.models).toEqual(expect.arrayContaining(["claude-sonnet-4-5", "claude-haiku-4-5"]));
  });

  it("is not ok on a dead port", async () => {
    const dead = await startFakeAnthropic();
    const url = dead.url;
    await dead.close();
    const health = await createAnthropicProvider({ id: "dead", kind: "anthropic", baseUrl: url, apiKey: API_KEY }).health();
    expect(health.ok).toBe(false);
    expect(health.message).toMatch(/reach|connect/i);
  });

  it("is not ok with a wrong key, and says why", async () => {
    const health = await createAnthropicProvider({ id: "bad-key", kind: "anthropic", baseUrl: fake.url, apiKey: "nope" }).health();
    expect(health).toMatchObject({ ok: false, message: "invalid x-api-key" });
  });
});
