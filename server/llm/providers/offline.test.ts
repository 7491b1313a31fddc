import { describe, expect, it } from "vitest";
import { createOfflineProvider, OFFLINE_MODEL } from "./offline.ts";
import { isProviderError } from "../errors.ts";
import type { StreamEvent } from "../types.ts";

const provider = createOfflineProvider();
const ask = (content: string) => ({ model: OFFLINE_MODEL, messages: [{ role: "user" as const, content }] });

async function collect(events: AsyncIterable<StreamEvent>) {
  const out: StreamEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

describe("offline provider", () => {
  it("answers deterministically with usage", async () => {
    const a = await provider.chat(ask("What is Maestro?"));
    const b = await provider.chat(ask("What is Maestro?"));
    expect(a.content).toBe(b.content);
    expect(a.content).toContain("What is Maestro?");
    expect(a.finishReason).toBe("stop");
    expect(a.usage.inputTokens).toBeGreaterThan(0);
    expect(a.usage.outputTokens).toBeGreaterThan(0);
  });

  it("streams the same answer as text deltas, then usage, then finish", async () => {
    const whole = await provider.chat(ask("Stream this please"));
    const events = await collect(provider.stream(ask("Stream this please")));
    const text = events.filter((e) => e.type === "text-delta").map((e) => (e as { text: string }).text).join("");
    expect(text).toBe(whole.content);
    expect(events.at(-2)?.type).toBe("usage");
    expect(events.at(-1)).toMatchObject({ type: "finish", reason: "stop" });
  });

  it("calls a tool the request names, with arguments that fit its schema, streamed in pieces", async () => {
    const request = {
      ...ask("Please use lookup_weather for Paris"),
      tools: [{ name: "lookup_weather", parameters: { type: "object", properties: { city: { type: "string" }, days: { type: "integer" } }, required: ["city", "days"] } }],
    };
    const response = await provider.chat(request);
    expect(response.finishReason).toBe("tool_calls");
    expect(response.toolCalls[0]!.name).toBe("lookup_weather");
    expect(JSON.parse(response.toolCalls[0]!.arguments)).toMatchObject({ days: 1 });
    const deltas = (await collect(provider.stream(request))).filter((e) => e.type === "tool-call-delta") as { argumentsDelta: string; name?: string }[];
    expect(deltas.length).toBe(2);
    expect(deltas[0]!.name).toBe("lookup_weather");
    expect(JSON.parse(deltas.map((d) => d.argumentsDelta).join(""))).toMatchObject({ days: 1 });
  });

  it("answers a tool result with text, and JSON when JSON is asked for", async () => {
    const afterTool = await provider.chat({
      model: OFFLINE_MODEL,
      messages: [
        { role: "user", content: "weather?" },
        { role: "assistant", content: "", toolCalls: [{ id: "c1", name: "w", arguments: "{}" }] },
        { role: "tool", toolCallId: "c1", content: "sunny" },
      ],
      tools: [{ name: "w", parameters: { type: "object" } }],
    });
    expect(afterTool.content).toContain("sunny");
    const json = await provider.chat({ ...ask("give me json"), responseFormat: "json" });
    expect(JSON.parse(json.content)).toMatchObject({ offline: true });
  });

  it("fails on demand the way a vendor would", async () => {
    const limited = await provider.chat(ask("hi [offline:error=429]")).catch((e: unknown) => e);
    expect(isProviderError(limited) && limited.kind).toBe("rate_limited");
    expect(isProviderError(limited) && limited.retryable).toBe(true);
    const bad = await provider.chat(ask("hi [offline:error=400]")).catch((e: unknown) => e);
    expect(isProviderError(bad) && [bad.kind, bad.retryable]).toEqual(["bad_request", false]);
    const dropped = await collect(provider.stream(ask("hi [offline:error=drop]"))).catch((e: unknown) => e);
    expect(isProviderError(dropped) && dropped.kind).toBe("connection");
  });

  it("stops when the caller aborts", async () => {
    const controller = new AbortController();
    const pending = provider.chat({ ...ask("slow [offline:delay=5000]"), signal: controller.signal });
    controller.abort();
    const error = await pending.catch((e: unknown) => e);
    expect(isProviderError(error) && error.kind).toBe("cancelled");
  });

  it("respects max tokens", async () => {
    const short = await provider.chat({ ...ask("a long question with many words in it to answer"), maxTokens: 3 });
    expect(short.finishReason).toBe("length");
  });
});
