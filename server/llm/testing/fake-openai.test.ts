// The fake OpenAI server, driven with plain fetch: its wire format must be OpenAI's,
// or every test built on it proves nothing.
import { describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "./fake-openai.ts";
import { readBody, withFakeServer } from "./test-helpers.ts";

let fake: FakeOpenAI;

withFakeServer(startFakeOpenAI, (started) => (fake = started));

const USER = [
  { role: "system", content: "Be brief." },
  { role: "user", content: "hello there world" },
];

function post(body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${fake.url}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer sk-test", ...headers },
    body: JSON.stringify(body),
  });
}

/** The `data:` payloads of an SSE body, "[DONE]" included. */
function sseData(text: string): string[] {
  expect(text.endsWith("\n\n")).toBe(true);
  return text
    .split("\n\n")
    .filter(Boolean)
    .map((event) => {
      expect(event.startsWith("data: ")).toBe(true);
      return event.slice("data: ".length);
    });
}

async function streamChunks(body: Record<string, unknown>) {
  const res = await post({ ...body, stream: true });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const data = sseData(await res.text());
  expect(data.at(-1)).toBe("[DONE]");
  return data.slice(0, -1).map((d) => JSON.parse(d));
}

describe("fake OpenAI: chat completions", () => {
  it("echoes the last user message with deterministic word-count usage", async () => {
    const res = await post({ model: "gpt-4o-mini", messages: USER });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({
      object: "chat.completion",
      model: "gpt-4o-mini",
      choices: [{ index: 0, message: { role: "assistant", content: "Echo: hello there world" }, finish_reason: "stop" }],
      // prompt: 2 + 3 words; completion: 4 words
      usage: { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9, prompt_tokens_details: { cached_tokens: 0 } },
    });
    expect(body.id).toMatch(/^chatcmpl-/);
    const last = fake.requests.at(-1)!;
    expect(last).toMatchObject({ method: "POST", path: "/v1/chat/completions", body: { model: "gpt-4o-mini" } });
    expect(last.headers.authorization).toBe("Bearer sk-test");
  });

  it("streams role first, content in several chunks, finish_reason, then a usage chunk with no choices", async () => {
    const chunks = await streamChunks({ model: "gpt-4o", messages: USER, stream_options: { include_usage: true } });
    expect(chunks[0].choices[0].delta).toMatchObject({ role: "assistant", content: "" });
    const content = chunks.slice(1, -2);
    expect(content.length).toBeGreaterThan(2);
    expect(content.map((c) => c.choices[0].delta.content).join("")).toBe("Echo: hello there world");
    for (const c of chunks.slice(0, -1)) {
      expect(c).toMatchObject({ object: "chat.completion.chunk", model: "gpt-4o", usage: null });
      expect(c.id).toBe(chunks[0].id);
    }
    expect(chunks.at(-2).choices[0]).toMatchObject({ delta: {}, finish_reason: "stop" });
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 } });
  });

  it("sends no usage chunk unless stream_options.include_usage is set", async () => {
    const chunks = await streamChunks({ model: "gpt-4o", messages: USER });
    expect(chunks.at(-1).choices[0].finish_reason).toBe("stop");
    expect(chunks.every((c) => !("usage" in c))).toBe(true);
  });

  it("returns a tool call, and streams it with id and name first and the arguments in pieces", async () => {
    const args = JSON.stringify({ city: "Paris", unit: "celsius" });
    fake.enqueue({ kind: "tool_call", name: "get_weather", arguments: args, id: "call_1" });
    const res = await post({ model: "gpt-4o", messages: USER });
    const body = await res.json();
    expect(body.choices[0]).toMatchObject({
      finish_reason: "tool_calls",
      message: { content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: args } }] },
    });

    fake.enqueue({ kind: "tool_call", name: "get_weather", arguments: args });
    const chunks = await streamChunks({ model: "gpt-4o", messages: USER });
    const deltas = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(deltas[0]).toMatchObject({ index: 0, type: "function", function: { name: "get_weather", arguments: "" } });
    expect(deltas[0].id).toMatch(/^call_/);
    expect(deltas.length).toBeGreaterThan(2);
    expect(deltas.slice(1).every((d) => d.id === undefined && d.function.name === undefined)).toBe(true);
    expect(deltas.map((d) => d.function.arguments).join("")).toBe(args);
    expect(chunks.at(-1).choices[0].finish_reason).toBe("tool_calls");
  });

  it("plays scenarios first-in first-out, then the default, then the echo again", async () => {
    fake.enqueue({ kind: "text", text: "one" }, { kind: "text", text: "two", usage: { prompt_tokens: 10, completion_tokens: 1, cached_tokens: 8 } });
    fake.setDefault({ kind: "text", text: "default" });
    const replies = [];
    for (let i = 0; i < 3; i++) replies.push(await (await post({ model: "m", messages: USER })).json());
    expect(replies.map((r) => r.choices[0].message.content)).toEqual(["one", "two", "default"]);
    expect(replies[1].usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 8 } });
    fake.setDefault(null);
    expect((await (await post({ model: "m", messages: USER })).json()).choices[0].message.content).toBe("Echo: hello there world");
  });

  it("stops at max_tokens (counted in words) with finish_reason length", async () => {
    const body = await (await post({ model: "m", messages: USER, max_tokens: 2 })).json();
    expect(body.choices[0]).toMatchObject({ message: { content: "Echo: hello" }, finish_reason: "length" });
    expect(body.usage.completion_tokens).toBe(2);
  });

  it("answers JSON mode with a JSON object", async () => {
    const body = await (await post({ model: "m", messages: USER, response_format: { type: "json_object" } })).json();
    expect(JSON.parse(body.choices[0].message.content)).toEqual({ echo: "hello there world" });
  });

  it("delays a slow scenario and then plays its follow-up", async () => {
    fake.enqueue({ kind: "slow", delayMs: 50, then: { kind: "text", text: "late" } });
    const body = await (await post({ model: "m", messages: USER })).json();
    expect(body.choices[0].message.content).toBe("late");
  });
});

describe("fake OpenAI: errors", () => {
  it("answers an error scenario with OpenAI's error body and retry-after", async () => {
    fake.enqueue({ kind: "error", status: 429, retryAfterSeconds: 3 });
    const res = await post({ model: "m", messages: USER, stream: true });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("3");
    expect(await res.json()).toEqual({
      error: { message: expect.stringContaining("Rate limit"), type: "requests", param: null, code: "rate_limit_exceeded" },
    });

    fake.enqueue({ kind: "error", status: 400, message: "Invalid 'messages': empty.", type: "invalid_request_error" });
    const bad = await post({ model: "m", messages: USER });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("retry-after")).toBeNull();
    expect((await bad.json()).error).toMatchObject({ message: "Invalid 'messages': empty.", type: "invalid_request_error", param: null });
  });

  it("rejects invalid bodies and unknown paths the way OpenAI does", async () => {
    const noModel = await post({ messages: USER });
    expect(noModel.status).toBe(400);
    expect((await noModel.json()).error.message).toMatch(/model/);
    const notJson = await fetch(`${fake.url}/chat/completions`, { method: "POST", body: "{nope" });
    expect(notJson.status).toBe(400);
    const unknown = await fetch(`${fake.url}/embeddings`, { method: "POST", body: "{}" });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.message).toBe("Invalid URL (POST /v1/embeddings)");
  });

  it("drops a stream after N chunks without [DONE]", async () => {
    fake.enqueue({ kind: "drop", afterChunks: 2 });
    const res = await post({ model: "m", messages: USER, stream: true });
    expect(res.status).toBe(200);
    let received = "";
    await expect(readBody(res, (text) => (received += text))).rejects.toThrow();
    const data = sseData(received);
    expect(data).toHaveLength(2);
    expect(data).not.toContain("[DONE]");
    await expect.poll(() => fake.requests.at(-1)!.aborted).toBe(true);
  });

  it("drops a non-streaming request before answering", async () => {
    fake.enqueue({ kind: "drop", afterChunks: 0 });
    await expect(post({ model: "m", messages: USER })).rejects.toThrow();
  });
});

describe("fake OpenAI: models and keys", () => {
  it("lists the fixed models plus every model seen in requests", async () => {
    await post({ model: "my-local-llama", messages: USER });
    const res = await fetch(`${fake.url}/models`);
    const body = await res.json();
    expect(body.object).toBe("list");
    const ids = body.data.map((m: { id: string }) => m.id);
    expect(ids).toEqual(expect.arrayContaining(["gpt-4o-mini", "gpt-4o", "my-local-llama"]));
    expect(body.data[0]).toEqual({ id: "gpt-4o-mini", object: "model", created: expect.any(Number), owned_by: expect.any(String) });
    expect((await fetch(`${fake.url}/models/gpt-4o`)).status).toBe(200);
    expect((await fetch(`${fake.url}/models/nope`)).status).toBe(404);
  });

  it("with an apiKey, answers other keys with OpenAI's 401", async () => {
    const locked = await startFakeOpenAI({ apiKey: "sk-right" });
    try {
      const wrong = await fetch(`${locked.url}/models`, { headers: { authorization: "Bearer not-a-real-wrong-key-123" } });
      expect(wrong.status).toBe(401);
      expect((await wrong.json()).error).toMatchObject({ type: "invalid_request_error", code: "invalid_api_key", param: null, message: expect.stringContaining("Incorrect API key") });
      const right = await fetch(`${locked.url}/models`, { headers: { authorization: "Bearer sk-right" } });
      expect(right.status).toBe(200);
    } finally {
      await locked.close();
    }
  });

  it("keeps at most 1,000 recorded requests, the newest", async () => {
    const own = await startFakeOpenAI();
    try {
      for (let i = 0; i < 1_010; i += 10) {
        await Promise.all(Array.from({ length: 10 }, (_, j) => fetch(`${own.url}/models?n=${i + j}`).then((r) => r.arrayBuffer())));
      }
      expect(own.requests).toHaveLength(1_000);
      const numbers = own.requests.map((r) => Number(r.path.split("n=")[1]));
      expect(Math.min(...numbers)).toBeGreaterThanOrEqual(10);
    } finally {
      await own.close();
    }
  });
});
