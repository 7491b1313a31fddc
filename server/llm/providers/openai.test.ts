// The OpenAI adapter with the real SDK against the fake server: what goes on the wire,
// what comes back, and how every failure becomes a ProviderError.
import { describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../testing/fake-openai.ts";
import { collect, failure, freePort, withFakeServer, withStalledServer } from "../testing/test-helpers.ts";
import type { ChatRequest, Provider, ProviderConfig, StreamEvent } from "../types.ts";
import { createOpenAIProvider } from "./openai.ts";

let fake: FakeOpenAI;
let provider: Provider;

const config = (overrides: Partial<ProviderConfig> = {}): ProviderConfig => ({
  id: "openai-test",
  kind: "openai",
  baseUrl: fake.url,
  apiKey: "sk-test",
  timeoutMs: 5_000,
  ...overrides,
});

withFakeServer(startFakeOpenAI, (started) => {
  fake = started;
  provider = createOpenAIProvider(config());
});

const ASK: ChatRequest = { model: "gpt-4o-mini", messages: [{ role: "user", content: "hello there" }] };
const WEATHER = { name: "get_weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } };
const ARGS = JSON.stringify({ city: "Paris", unit: "celsius" });

const lastBody = () => fake.requests.at(-1)!.body;

describe("openai adapter: chat", () => {
  it("answers a plain chat with content, finish reason and usage", async () => {
    const response = await provider.chat({ ...ASK, system: "Be brief." });
    expect(response).toMatchObject({
      model: "gpt-4o-mini",
      content: "Echo: hello there",
      toolCalls: [],
      finishReason: "stop",
      // words: "Be brief." + "hello there" = 4 in, "Echo: hello there" = 3 out
      usage: { inputTokens: 4, outputTokens: 3, cachedInputTokens: 0 },
    });
    expect(response.id).toMatch(/^chatcmpl-/);
    expect(lastBody()).toEqual({
      model: "gpt-4o-mini",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "hello there" },
      ],
      stream: false,
    });
    expect(fake.requests.at(-1)!.headers.authorization).toBe("Bearer sk-test");
  });

  it("sends sampling options, stop, max_completion_tokens and the whole conversation in OpenAI's shape", async () => {
    await provider.chat({
      model: "gpt-4o",
      system: "sys",
      messages: [
        { role: "system", content: "also sys" },
        { role: "user", content: "weather?" },
        { role: "assistant", content: "", toolCalls: [{ id: "call_9", name: "get_weather", arguments: '{"city":"Oslo"}' }] },
        { role: "tool", toolCallId: "call_9", content: '{"temp":3}' },
        { role: "assistant", content: "3 degrees" },
        { role: "user", content: "thanks" },
      ],
      temperature: 0.2,
      topP: 0.9,
      maxTokens: 50,
      stop: ["END"],
    });
    expect(lastBody()).toMatchObject({
      temperature: 0.2,
      top_p: 0.9,
      max_completion_tokens: 50,
      stop: ["END"],
      messages: [
        { role: "system", content: "sys" },
        { role: "system", content: "also sys" },
        { role: "user", content: "weather?" },
        { role: "assistant", content: null, tool_calls: [{ id: "call_9", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } }] },
        { role: "tool", tool_call_id: "call_9", content: '{"temp":3}' },
        { role: "assistant", content: "3 degrees" },
        { role: "user", content: "thanks" },
      ],
    });
    // OpenAI's reasoning models refuse max_tokens.
    expect(lastBody()).not.toHaveProperty("max_tokens");
  });

  it("asks for a JSON object in JSON mode", async () => {
    const response = await provider.chat({ ...ASK, responseFormat: "json" });
    expect(lastBody().response_format).toEqual({ type: "json_object" });
    expect(JSON.parse(response.content)).toEqual({ echo: "hello there" });
    await provider.chat({ ...ASK, responseFormat: "text" });
    expect(lastBody()).not.toHaveProperty("response_format");
  });

  it("sends tool definitions and tool choice, and parses the tool call", async () => {
    fake.enqueue({ kind: "tool_call", name: "get_weather", arguments: ARGS, id: "call_42" });
    const response = await provider.chat({ ...ASK, tools: [WEATHER], toolChoice: { name: "get_weather" } });
    expect(lastBody().tools).toEqual([{ type: "function", function: WEATHER }]);
    expect(lastBody().tool_choice).toEqual({ type: "function", function: { name: "get_weather" } });
    expect(response).toMatchObject({ content: "", finishReason: "tool_calls", toolCalls: [{ id: "call_42", name: "get_weather", arguments: ARGS }] });

    await provider.chat({ ...ASK, tools: [WEATHER], toolChoice: "required" });
    expect(lastBody().tool_choice).toBe("required");
    // OpenAI rejects tool_choice without tools, so it is not sent alone.
    await provider.chat({ ...ASK, toolChoice: "auto" });
    expect(lastBody()).not.toHaveProperty("tool_choice");
    expect(lastBody()).not.toHaveProperty("tools");
  });

  it("reports cached input tokens", async () => {
    fake.enqueue({ kind: "text", text: "cached", usage: { prompt_tokens: 1200, completion_tokens: 7, cached_tokens: 1024 } });
    const response = await provider.chat(ASK);
    expect(response.usage).toEqual({ inputTokens: 1200, outputTokens: 7, cachedInputTokens: 1024 });
  });

  it("maps a max_tokens cut-off to finish reason length", async () => {
    const response = await provider.chat({ ...ASK, maxTokens: 1 });
    expect(response).toMatchObject({ content: "Echo:", finishReason: "length" });
  });
});

describe("openai adapter: stream", () => {
  it("streams text deltas, then usage, then finish last, and asks for usage", async () => {
    const events = await collect(provider.stream({ ...ASK, model: "gpt-4o" }));
    expect(lastBody()).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    const types = events.map((e) => e.type);
    expect(types.slice(-2)).toEqual(["usage", "finish"]);
    expect(types.slice(0, -2).every((t) => t === "text-delta")).toBe(true);
    expect(types.filter((t) => t === "text-delta").length).toBeGreaterThan(1);
    const text = events.map((e) => (e.type === "text-delta" ? e.text : "")).join("");
    expect(text).toBe("Echo: hello there");
    expect(events.at(-2)).toEqual({ type: "usage", usage: { inputTokens: 2, outputTokens: 3, cachedInputTokens: 0 } });
    expect(events.at(-1)).toMatchObject({ type: "finish", reason: "stop", model: "gpt-4o", id: expect.stringMatching(/^chatcmpl-/) });
  });

  it("streams a tool call whose arguments assemble from the deltas", async () => {
    fake.enqueue({ kind: "tool_call", name: "get_weather", arguments: ARGS, id: "call_7" });
    const events = await collect(provider.stream({ ...ASK, tools: [WEATHER] }));
    const deltas = events.filter((e) => e.type === "tool-call-delta");
    expect(deltas.length).toBeGreaterThan(2);
    expect(deltas[0]).toMatchObject({ index: 0, id: "call_7", name: "get_weather" });
    expect(deltas.slice(1).every((d) => d.id === undefined && d.name === undefined && d.index === 0)).toBe(true);
    expect(deltas.map((d) => d.argumentsDelta).join("")).toBe(ARGS);
    expect(events.at(-1)).toMatchObject({ type: "finish", reason: "tool_calls" });
    expect(events.at(-2)!.type).toBe("usage");
  });

  it("streams cached input tokens in the usage event", async () => {
    fake.enqueue({ kind: "text", text: "from cache", usage: { prompt_tokens: 2048, completion_tokens: 2, cached_tokens: 1920 } });
    const events = await collect(provider.stream(ASK));
    expect(events.find((e) => e.type === "usage")).toEqual({ type: "usage", usage: { inputTokens: 2048, outputTokens: 2, cachedInputTokens: 1920 } });
  });
});

describe("openai adapter: errors", () => {
  it("429 with retry-after → rate_limited with retryAfterMs (chat and stream)", async () => {
    fake.enqueue({ kind: "error", status: 429, retryAfterSeconds: 2, message: "Slow down." });
    const error = await failure(provider.chat(ASK));
    expect(error).toMatchObject({ kind: "rate_limited", retryable: true, message: "Slow down.", details: { provider: "openai-test", status: 429, retryAfterMs: 2000 } });

    fake.enqueue({ kind: "error", status: 429, retryAfterSeconds: 1 });
    const streamed = await failure(collect(provider.stream(ASK)));
    expect(streamed).toMatchObject({ kind: "rate_limited", details: { retryAfterMs: 1000 } });
  });

  it("500 → server, retryable", async () => {
    fake.enqueue({ kind: "error", status: 500 });
    const error = await failure(provider.chat(ASK));
    expect(error).toMatchObject({ kind: "server", retryable: true, details: { status: 500 } });
    expect(error.details.retryAfterMs).toBeUndefined();
  });

  it("400 → bad_request with the vendor's message, not retryable", async () => {
    const message = "Invalid value for 'temperature': must be at most 2.";
    fake.enqueue({ kind: "error", status: 400, message, type: "invalid_request_error" });
    const error = await failure(provider.chat({ ...ASK, temperature: 3 }));
    expect(error).toMatchObject({ kind: "bad_request", retryable: false, message, details: { status: 400 } });
  });

  it("401 from a wrong key → auth", async () => {
    const locked = await startFakeOpenAI({ apiKey: "sk-right" });
    try {
      const wrong = createOpenAIProvider(config({ baseUrl: locked.url, apiKey: "not-a-real-wrong-key-0000" }));
      const error = await failure(wrong.chat(ASK));
      expect(error).toMatchObject({ kind: "auth", retryable: false, details: { status: 401 } });
      expect(error.message).toMatch(/Incorrect API key/);
    } finally {
      await locked.close();
    }
  });

  it("a response slower than timeoutMs → timeout", async () => {
    const hasty = createOpenAIProvider(config({ timeoutMs: 150 }));
    fake.enqueue({ kind: "slow", delayMs: 2_000, then: { kind: "text", text: "too late" } });
    expect(await failure(hasty.chat(ASK))).toMatchObject({ kind: "timeout", retryable: true });
    fake.enqueue({ kind: "slow", delayMs: 2_000, then: { kind: "text", text: "too late" } });
    expect(await failure(collect(hasty.stream(ASK)))).toMatchObject({ kind: "timeout" });
  });

  it("a stream dropped mid-way → connection, after the deltas that did arrive", async () => {
    fake.enqueue({ kind: "drop", afterChunks: 3 });
    const seen: StreamEvent[] = [];
    const error = await failure(
      (async () => {
        for await (const event of provider.stream(ASK)) seen.push(event);
      })(),
    );
    expect(error).toMatchObject({ kind: "connection", retryable: true });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((e) => e.type === "text-delta")).toBe(true);
  });

  it("a connection dropped before the answer → connection", async () => {
    fake.enqueue({ kind: "drop", afterChunks: 0 });
    expect(await failure(provider.chat(ASK))).toMatchObject({ kind: "connection" });
  });

  it("an AbortSignal → cancelled, and the fake sees the request end", async () => {
    fake.enqueue({ kind: "slow", delayMs: 5_000, then: { kind: "text", text: "never" } });
    const controller = new AbortController();
    const before = fake.requests.length;
    const pending = failure(provider.chat({ ...ASK, signal: controller.signal }));
    await expect.poll(() => fake.requests.length).toBe(before + 1);
    const entry = fake.requests.at(-1)!;
    controller.abort();
    expect(await pending).toMatchObject({ kind: "cancelled", retryable: false });
    await expect.poll(() => entry.aborted).toBe(true);
  });

  it("an abort mid-stream → cancelled", async () => {
    const controller = new AbortController();
    const error = await failure(
      (async () => {
        for await (const event of provider.stream({ ...ASK, signal: controller.signal })) {
          if (event.type === "text-delta") controller.abort();
        }
      })(),
    );
    expect(error.kind).toBe("cancelled");
  });

  it("an already aborted signal → cancelled without a request", async () => {
    const before = fake.requests.length;
    const error = await failure(provider.chat({ ...ASK, signal: AbortSignal.abort() }));
    expect(error.kind).toBe("cancelled");
    expect(fake.requests.length).toBe(before);
  });

  it("a stream that goes silent for timeoutMs → timeout", async () => {
    // Headers and one chunk, then nothing: the fake has no scenario for a stall.
    await withStalledServer(
      `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 0, model: "m", choices: [{ index: 0, delta: { content: "hi" }, finish_reason: null }] })}\n\n`,
      async (url) => {
        const stalled = createOpenAIProvider(config({ baseUrl: `${url}/v1`, timeoutMs: 200 }));
        const seen: StreamEvent[] = [];
        const error = await failure(
          (async () => {
            for await (const event of stalled.stream(ASK)) seen.push(event);
          })(),
        );
        expect(error.kind).toBe("timeout");
        expect(seen).toEqual([{ type: "text-delta", text: "hi" }]);
      },
    );
  });
});

describe("openai adapter: configuration and health", () => {
  it("health lists the endpoint's models", async () => {
    const health = await provider.health();
    expect(health.ok).toBe(true);
    expect(health.latencyMs).toBeGreaterThanOrEqual(0);
    expect(health.models).toEqual(expect.arrayContaining(["gpt-4o-mini", "gpt-4o"]));
    expect(fake.requests.at(-1)).toMatchObject({ method: "GET", path: "/v1/models" });
  });

  it("health on a dead port is not ok and says why", async () => {
    const dead = createOpenAIProvider(config({ baseUrl: `http://127.0.0.1:${await freePort()}/v1` }));
    const health = await dead.health();
    expect(health.ok).toBe(false);
    expect(health.message).toMatch(/ECONNREFUSED|connect/i);
    expect(health.models).toBeUndefined();
  });

  it("health with a rejected key is not ok", async () => {
    const locked = await startFakeOpenAI({ apiKey: "sk-right" });
    try {
      const health = await createOpenAIProvider(config({ baseUrl: locked.url, apiKey: "sk-nope" })).health();
      expect(health).toMatchObject({ ok: false, message: expect.stringMatching(/Incorrect API key/) });
    } finally {
      await locked.close();
    }
  });

  it("openai-compatible works without a key and requires a baseUrl", async () => {
    const local = createOpenAIProvider({ id: "ollama", kind: "openai-compatible", baseUrl: fake.url });
    expect(local.kind).toBe("openai-compatible");
    expect((await local.chat(ASK)).content).toBe("Echo: hello there");
    expect(fake.requests.at(-1)!.headers.authorization).toMatch(/^Bearer \S+/);
    // Ollama, vLLM and LM Studio understand max_tokens, not max_completion_tokens.
    await local.chat({ ...ASK, maxTokens: 20 });
    expect(lastBody()).toMatchObject({ max_tokens: 20 });
    expect(lastBody()).not.toHaveProperty("max_completion_tokens");
    expect(() => createOpenAIProvider({ id: "vllm", kind: "openai-compatible" })).toThrow(/baseUrl/);
    expect(() => createOpenAIProvider({ id: "claude", kind: "anthropic" })).toThrow();
  });

  it("openai without a key fails with auth before any request", async () => {
    const keyless = createOpenAIProvider(config({ apiKey: undefined }));
    const before = fake.requests.length;
    expect(await failure(keyless.chat(ASK))).toMatchObject({ kind: "auth" });
    expect(await failure(collect(keyless.stream(ASK)))).toMatchObject({ kind: "auth" });
    expect(await keyless.health()).toMatchObject({ ok: false });
    expect(fake.requests.length).toBe(before);
  });
});
