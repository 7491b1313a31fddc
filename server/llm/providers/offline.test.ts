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

  describe("structured answers", () => {
    const list = (items: Record<string, unknown>) => ({ type: "array", items });
    const strings = { type: "array", items: { type: "string" } };
    const PLAN = {
      type: "object",
      required: ["summary", "subtasks", "assumptions"],
      properties: {
        summary: { type: "string" },
        subtasks: list({
          type: "object",
          required: ["id", "title", "description", "dependsOn", "tools", "risk"],
          properties: { id: { type: "string" }, title: { type: "string" }, description: { type: "string" }, dependsOn: strings, tools: strings, risk: { type: "string", enum: ["low", "medium", "high"] } },
        }),
        assumptions: strings,
      },
    };
    const REVIEW = {
      type: "object",
      required: ["decision", "reasons", "priority", "order", "requiresApproval", "risky"],
      properties: {
        decision: { type: "string", enum: ["approve", "revise", "reject"] },
        reasons: strings,
        priority: { type: "string", enum: ["low", "normal", "high", "urgent"] },
        order: strings,
        requiresApproval: { type: "boolean" },
        risky: strings,
      },
    };
    const submitting = (content: string, parameters: Record<string, unknown>, extra: object = {}) => ({
      ...ask(content),
      tools: [{ name: "memory_get", parameters: { type: "object", properties: { key: { type: "string" } }, required: ["key"] } }, { name: "submit_result", parameters }],
      toolChoice: "required" as const,
      ...extra,
    });
    const submitted = async (request: Parameters<typeof provider.chat>[0]) => {
      const response = await provider.chat(request);
      expect(response.toolCalls.map((c) => c.name)).toEqual(["submit_result"]);
      return JSON.parse(response.toolCalls[0]!.arguments) as Record<string, unknown>;
    };

    it("plans a request into one sub-task per step, ordered where the text says so", async () => {
      const request = submitting("Summarise the open issues, then draft a release note and post it to the team", PLAN);
      const plan = await submitted(request);
      expect(plan).toEqual(await submitted(request));
      expect(plan.subtasks).toEqual([
        expect.objectContaining({ id: "t1", title: "Summarise the open issues", dependsOn: [], tools: [], risk: "low" }),
        expect.objectContaining({ id: "t2", title: "Draft a release note", dependsOn: ["t1"], risk: "low" }),
        expect.objectContaining({ id: "t3", title: "Post it to the team", dependsOn: ["t2"], risk: "medium" }),
      ]);
      expect(plan.summary).toBe("A plan in 3 steps: Summarise the open issues \u2192 Draft a release note \u2192 Post it to the team.");
      expect(plan.assumptions).toHaveLength(2);
    });

    it("reads numbered lists, and marks destructive steps high risk", async () => {
      const plan = await submitted(submitting("Clean up:\n1. Export the old tickets\n2. Delete the staging database\n3. Deploy the new schema to production", PLAN));
      expect((plan.subtasks as { title: string; risk: string; dependsOn: string[] }[]).map((s) => [s.title, s.risk, s.dependsOn])).toEqual([
        ["Export the old tickets", "low", []],
        ["Delete the staging database", "high", []],
        ["Deploy the new schema to production", "high", []],
      ]);
    });

    it("reviews the plan in its context: dependency order, and approval only for high risk", async () => {
      const subtasks = [
        { id: "a", title: "Second", dependsOn: ["b"], risk: "low" },
        { id: "b", title: "First", dependsOn: [], risk: "low" },
      ];
      const context = (risk: string) => JSON.stringify({ plan: { subtasks: [...subtasks, { id: "c", title: "Ship", dependsOn: ["a"], risk }] } }, null, 2);
      const calm = await submitted(submitting(`Review the plan\n\nContext (JSON):\n${context("medium")}`, REVIEW));
      expect(calm).toMatchObject({ decision: "approve", priority: "normal", order: ["b", "a", "c"], requiresApproval: false, risky: [] });
      expect(calm.reasons).toContain("No sub-task is high risk.");
      const risky = await submitted(submitting(`Review the plan\n\nContext (JSON):\n${context("high")}`, REVIEW));
      expect(risky).toMatchObject({ requiresApproval: true, risky: ["c"] });
    });

    it("scores in 0..1 and passes by default", async () => {
      const verdict = await submitted(
        submitting("Check it", {
          type: "object",
          properties: { passed: { type: "boolean" }, scores: { type: "object", properties: { safety: { type: "number", minimum: 0, maximum: 1 } } }, count: { type: "integer" } },
        }),
      );
      expect(verdict).toEqual({ passed: true, scores: { safety: 0.9 }, count: 1 });
    });

    it("submits after a tool's answer when it can, and still answers with text when it cannot", async () => {
      const request = submitting("Look it up with memory_get", { type: "object", required: ["answer"], properties: { answer: { type: "string" } } });
      const first = await provider.chat(request);
      expect(first.toolCalls[0]!.name).toBe("memory_get");
      const afterTool = await submitted({
        ...request,
        messages: [...request.messages, { role: "assistant" as const, content: "", toolCalls: first.toolCalls }, { role: "tool" as const, toolCallId: first.toolCalls[0]!.id, content: "42" }],
      });
      expect(afterTool).toEqual({ answer: "Offline answer to: Look it up with memory_get" });
    });

    it("fills a JSON answer from a schema given in the system prompt", async () => {
      const response = await provider.chat({
        ...ask("Triage: the login page times out"),
        responseFormat: "json",
        system: `Answer with JSON only, matching this shape:\n${JSON.stringify({ type: "object", required: ["title", "severity"], properties: { title: { type: "string" }, severity: { type: "string", enum: ["minor", "major"] } } })}`,
      });
      expect(JSON.parse(response.content)).toEqual({ title: "Triage: the login page times out", severity: "minor" });
    });

    it("keeps honouring directives when asked for structure", async () => {
      const error = await provider.chat(submitting("Plan this [offline:error=500]", PLAN)).catch((e: unknown) => e);
      expect(isProviderError(error) && error.kind).toBe("server");
    });
  });
});

