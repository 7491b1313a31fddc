// The fake Anthropic server over plain fetch: the wire format itself, without the SDK.
import { describe, expect, it } from "vitest";
import { startFakeAnthropic, type FakeAnthropic } from "./fake-anthropic.ts";
import { readBody, withFakeServer } from "./test-helpers.ts";

let fake: FakeAnthropic;

withFakeServer(startFakeAnthropic, (started) => (fake = started));

const HEADERS = { "content-type": "application/json", "anthropic-version": "2026-10-21" };

function post(body: object, headers: Record<string, string> = {}, server = fake) {
  return fetch(`${server.url}/v1/messages`, { method: "POST", headers: { ...HEADERS, ...headers }, body: JSON.stringify(body) });
}

const BASE = { model: "claude-haiku-4-5", max_tokens: 100 };

type Sse = { event: string; data: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

function parseSse(text: string): Sse[] {
  return text
    .split("\n\n")
    .filter((block) => block.trim())
    .map((block) => {
      const lines = block.split("\n");
      const event = lines.find((l) => l.startsWith("event: "))!.slice(7);
      const data = JSON.parse(lines.find((l) => l.startsWith("data: "))!.slice(6));
      return { event, data };
    });
}

describe("POST /v1/messages (JSON)", () => {
  it("echoes the last user message with word-counted usage", async () => {
    const res = await post({
      ...BASE,
      system: "Be brief.",
      messages: [
        { role: "user", content: "first question" },
        { role: "assistant", content: "first answer" },
        { role: "user", content: [{ type: "text", text: "hello there world" }] },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("request-id")).toMatch(/^req_fake_/);
    const body = await res.json();
    expect(body).toMatchObject({
      type: "message",
      role: "assistant",
      model: "claude-haiku-4-5",
      content: [{ type: "text", text: "Echo: hello there world" }],
      stop_reason: "end_turn",
      stop_sequence: null,
      // 2 (system) + 2 + 2 + 3 (messages); the reply has 4 words.
      usage: { input_tokens: 9, output_tokens: 4, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
    });
    expect(body.id).toMatch(/^msg_fake_/);
  });

  it("stops at a stop sequence and at max_tokens (in words)", async () => {
    fake.enqueue({ kind: "text", text: "one two three END four" }, { kind: "text", text: "one two three four" });
    const stopped = await (await post({ ...BASE, stop_sequences: ["END"], messages: [{ role: "user", content: "x" }] })).json();
    expect(stopped).toMatchObject({ content: [{ text: "one two three " }], stop_reason: "stop_sequence", stop_sequence: "END" });
    const cut = await (await post({ ...BASE, max_tokens: 2, messages: [{ role: "user", content: "x" }] })).json();
    expect(cut).toMatchObject({ content: [{ text: "one two" }], stop_reason: "max_tokens", usage: { output_tokens: 2 } });
  });

  it("plays scenarios FIFO, then the default, then the echo again", async () => {
    fake.enqueue({ kind: "text", text: "first" }, { kind: "text", text: "second", usage: { input_tokens: 7, output_tokens: 3, cache_read_input_tokens: 5 } });
    fake.setDefault({ kind: "text", text: "default" });
    const texts: string[] = [];
    for (let i = 0; i < 3; i++) texts.push((await (await post({ ...BASE, messages: [{ role: "user", content: "hi" }] })).json()).content[0].text);
    expect(texts).toEqual(["first", "second", "default"]);
    fake.setDefault(null);
    expect((await (await post({ ...BASE, messages: [{ role: "user", content: "hi" }] })).json()).content[0].text).toBe("Echo: hi");
  });

  it("answers a tool call with a tool_use block holding the parsed input", async () => {
    fake.enqueue({ kind: "tool_call", name: "get_weather", arguments: '{"city":"Paris"}', id: "toolu_1" });
    const body = await (await post({ ...BASE, messages: [{ role: "user", content: "weather?" }] })).json();
    expect(body.content).toEqual([{ type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" }, caller: { type: "direct" } }]);
    expect(body.stop_reason).toBe("tool_use");
  });

  it("waits for a slow scenario, then plays what follows it", async () => {
    fake.enqueue({ kind: "slow", delayMs: 30, then: { kind: "text", text: "late" } });
    const body = await (await post({ ...BASE, messages: [{ role: "user", content: "hi" }] })).json();
    expect(body.content[0].text).toBe("late");
  });

  it("records requests (path, headers, body)", async () => {
    await post({ ...BASE, messages: [{ role: "user", content: "recorded" }] }, { "x-api-key": "k" });
    const last = fake.requests.at(-1)!;
    expect(last).toMatchObject({ method: "POST", path: "/v1/messages", body: { messages: [{ content: "recorded" }] } });
    expect(last.headers["x-api-key"]).toBe("k");
  });
});

describe("POST /v1/messages (SSE)", () => {
  it("streams Anthropic's named events in order", async () => {
    const res = await post({ ...BASE, stream: true, messages: [{ role: "user", content: "stream me please" }] });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = parseSse(await res.text());
    const names = events.map((e) => e.event);
    expect(names).toEqual([
      "message_start",
      "content_block_start",
      "ping",
      ...Array(4).fill("content_block_delta"),
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    for (const e of events) expect(e.data.type).toBe(e.event);
    expect(events[0]!.data.message).toMatchObject({ role: "assistant", content: [], stop_reason: null, usage: { input_tokens: 3 } });
    const text = events.filter((e) => e.event === "content_block_delta").map((e) => e.data.delta.text).join("");
    expect(text).toBe("Echo: stream me please");
    expect(events.at(-2)!.data).toMatchObject({ delta: { stop_reason: "end_turn" }, usage: { output_tokens: 4 } });
  });

  it("streams a tool call as input_json_delta pieces after an optional text block", async () => {
    const args = '{"city":"Paris","unit":"celsius"}';
    fake.enqueue({ kind: "tool_call", name: "get_weather", arguments: args, text: "Let me check." });
    const events = parseSse(await (await post({ ...BASE, stream: true, messages: [{ role: "user", content: "weather?" }] })).text());
    const toolStart = events.find((e) => e.event === "content_block_start" && e.data.content_block.type === "tool_use")!;
    expect(toolStart.data).toMatchObject({ index: 1, content_block: { name: "get_weather", input: {} } });
    const pieces = events.filter((e) => e.data.delta?.type === "input_json_delta").map((e) => e.data.delta.partial_json);
    expect(pieces.length).toBeGreaterThan(2);
    expect(pieces[0]).toBe("");
    expect(pieces.join("")).toBe(args);
    expect(events.find((e) => e.event === "message_delta")!.data.delta.stop_reason).toBe("tool_use");
  });

  it("drops the socket after N events", async () => {
    fake.enqueue({ kind: "drop", afterChunks: 2 });
    const res = await post({ ...BASE, stream: true, messages: [{ role: "user", content: "a b c" }] });
    let received = "";
    await expect(readBody(res, (text) => (received += text))).rejects.toThrow();
    expect(parseSse(received).map((e) => e.event)).toEqual(["message_start", "content_block_start"]);
  });
});

describe("errors", () => {
  it("sends Anthropic's error body with status and retry-after", async () => {
    fake.enqueue({ kind: "error", status: 429, retryAfterSeconds: 3 });
    const res = await post({ ...BASE, messages: [{ role: "user", content: "x" }] });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("3");
    const body = await res.json();
    expect(body).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
    expect(body.error.message).toEqual(expect.any(String));
  });

  it("uses overloaded_error for 529 and the scenario's own message and type", async () => {
    fake.enqueue({ kind: "error", status: 529 }, { kind: "error", status: 400, message: "messages.0: bad", type: "invalid_request_error" });
    const overloaded = await post({ ...BASE, stream: true, messages: [{ role: "user", content: "x" }] });
    expect(overloaded.status).toBe(529);
    expect((await overloaded.json()).error.type).toBe("overloaded_error");
    const bad = await post({ ...BASE, messages: [{ role: "user", content: "x" }] });
    expect(await bad.json()).toMatchObject({ error: { type: "invalid_request_error", message: "messages.0: bad" } });
  });

  it("rejects bodies the real API rejects", async () => {
    const noMax = await post({ model: "claude-haiku-4-5", messages: [] });
    expect(noMax.status).toBe(400);
    expect((await noMax.json()).error).toEqual({ type: "invalid_request_error", message: "max_tokens: Field required" });
    // API version 2026-10-21 refuses sampling parameters; 2023-06-01 still takes them.
    const sampled = { ...BASE, temperature: 1, messages: [{ role: "user", content: "x" }] };
    expect((await (await post(sampled)).json()).error.message).toBe("temperature: Extra inputs are not permitted");
    expect((await post(sampled, { "anthropic-version": "2023-06-01" })).status).toBe(200);
  });

  it("drops a non-streaming request before responding", async () => {
    fake.enqueue({ kind: "drop", afterChunks: 0 });
    await expect(post({ ...BASE, messages: [{ role: "user", content: "x" }] })).rejects.toThrow();
  });

  it("answers unknown paths with not_found_error", async () => {
    const res = await fetch(`${fake.url}/v1/nope`);
    expect(res.status).toBe(404);
    expect((await res.json()).error.type).toBe("not_found_error");
  });
});

describe("API key", () => {
  it("takes the key as x-api-key or bearer token and refuses others with 401", async () => {
    const guarded = await startFakeAnthropic({ apiKey: "sk-right" });
    try {
      const message = { ...BASE, messages: [{ role: "user", content: "x" }] };
      expect((await post(message, { "x-api-key": "sk-right" }, guarded)).status).toBe(200);
      expect((await post(message, { authorization: "Bearer sk-right" }, guarded)).status).toBe(200);
      const wrong = await post(message, { "x-api-key": "sk-wrong" }, guarded);
      expect(wrong.status).toBe(401);
      expect(await wrong.json()).toMatchObject({ type: "error", error: { type: "authentication_error", message: "invalid x-api-key" } });
      expect((await fetch(`${guarded.url}/v1/models`)).status).toBe(401);
    } finally {
      await guarded.close();
    }
  });
});

describe("GET /v1/models", () => {
  it("lists a fixed set in Anthropic's page shape", async () => {
    const body = await (await fetch(`${fake.url}/v1/models`)).json();
    expect(body.has_more).toBe(false);
    expect(body.data.map((m: { id: string }) => m.id)).toEqual(expect.arrayContaining(["claude-sonnet-4-5", "claude-haiku-4-5"]));
    expect(body.data[0]).toEqual({ type: "model", id: body.first_id, display_name: expect.any(String), created_at: expect.any(String) });
    expect(body.last_id).toBe(body.data.at(-1).id);
    expect((await fetch(`${fake.url}/v1/models/claude-haiku-4-5`)).status).toBe(200);
  });
});

describe("recording", () => {
  it("keeps at most 1,000 requests", async () => {
    const server = await startFakeAnthropic();
    try {
      const batch = () => Promise.all(Array.from({ length: 50 }, () => fetch(`${server.url}/v1/models`).then((r) => r.arrayBuffer())));
      for (let i = 0; i < 21; i++) await batch();
      expect(server.requests).toHaveLength(1_000);
    } finally {
      await server.close();
    }
  });
});
