import { describe, expect, it } from "vitest";
import { ModelCatalog, SHIPPED_CATALOG, catalogEntrySchema, costNanoUsd, nanoToUsd } from "./catalog.ts";
import { estimateInputTokens, estimateTextTokens } from "./tokens.ts";

describe("model catalog", () => {
  const catalog = new ModelCatalog();

  it("ships the common OpenAI and Anthropic models with prices and context windows", () => {
    for (const id of ["gpt-4o", "gpt-4o-mini", "gpt-4.1", "claude-sonnet-4-5", "claude-haiku-4-5", "maestro-offline"]) {
      const entry = catalog.find(id);
      expect(entry, id).toBeDefined();
      expect(entry!.contextWindow).toBeGreaterThan(0);
      expect(entry!.price.output).toBeGreaterThanOrEqual(entry!.price.input);
    }
    expect(new Set(SHIPPED_CATALOG.map((e) => e.id)).size).toBe(SHIPPED_CATALOG.length);
  });

  it("recognises dated snapshots of a known model", () => {
    expect(catalog.find("gpt-4o-2024-08-06")?.id).toBe("gpt-4o");
    expect(catalog.find("claude-sonnet-4-5-20250929")?.id).toBe("claude-sonnet-4-5");
    expect(catalog.find("some-local-model")).toBeUndefined();
  });

  it("lets overrides replace a shipped price", () => {
    const edited = catalog.withOverrides([{ ...catalog.find("gpt-4o")!, price: { input: 1, cachedInput: 0.5, output: 4 } }]);
    expect(edited.find("gpt-4o")!.price.input).toBe(1);
    expect(catalog.find("gpt-4o")!.price.input).toBe(2.5);
  });

  it("refuses prices finer than a nano-dollar per token", () => {
    const entry = { ...catalog.find("gpt-4o")!, price: { input: 0.0001, cachedInput: 0, output: 1 } };
    expect(catalogEntrySchema.safeParse(entry).success).toBe(false);
  });
});

describe("cost arithmetic", () => {
  it("bills input, cached input and output at their own prices, exactly", () => {
    // gpt-4o-mini: $0.15 / $0.075 cached / $0.60 per million tokens.
    const price = new ModelCatalog().find("gpt-4o-mini")!.price;
    const nano = costNanoUsd({ inputTokens: 1_000_000, cachedInputTokens: 200_000, outputTokens: 500_000 }, price);
    // 800k × 0.15 + 200k × 0.075 + 500k × 0.60 = 0.12 + 0.015 + 0.30 = $0.435
    expect(nano).toBe(435_000_000);
    expect(nanoToUsd(nano)).toBeCloseTo(0.435, 12);
  });

  it("adds up many small calls without floating-point drift", () => {
    const price = { input: 0.1, cachedInput: 0.025, output: 0.4 };
    let total = 0;
    for (let i = 0; i < 10_000; i++) total += costNanoUsd({ inputTokens: 7, cachedInputTokens: 3, outputTokens: 11 }, price);
    // per call: 4 × 100 + 3 × 25 + 11 × 400 = 4875 nano-dollars
    expect(total).toBe(48_750_000);
  });

  it("never bills more cached tokens than input tokens", () => {
    expect(costNanoUsd({ inputTokens: 10, cachedInputTokens: 50, outputTokens: 0 }, { input: 1, cachedInput: 0.1, output: 1 })).toBe(10 * 100);
  });
});

describe("token estimates", () => {
  it("counts with a real BPE tokenizer, not characters/4", () => {
    expect(estimateTextTokens("")).toBe(0);
    expect(estimateTextTokens("hello world")).toBe(2);
    const code = "function add(a, b) {\n  return a + b;\n}";
    expect(estimateTextTokens(code)).not.toBe(Math.ceil(code.length / 4));
  });

  it("includes message framing, the system prompt and tool definitions", () => {
    const base = estimateInputTokens({ messages: [{ role: "user", content: "hello world" }] });
    expect(base).toBe(2 + 4 + 3);
    const withSystem = estimateInputTokens({ system: "be brief", messages: [{ role: "user", content: "hello world" }] });
    expect(withSystem).toBeGreaterThan(base);
    const withTools = estimateInputTokens({
      messages: [{ role: "user", content: "hello world" }],
      tools: [{ name: "search", description: "Search the web", parameters: { type: "object", properties: { q: { type: "string" } } } }],
    });
    expect(withTools).toBeGreaterThan(base + 10);
  });
});
