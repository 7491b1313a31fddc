import { describe, expect, it } from "vitest";
import { dependencyDepths, layeredLayout } from "./layout";

const graph = (edges: Record<string, string[]>) => new Map(Object.entries(edges));

describe("layered layout", () => {
  it("puts each step one column after its deepest dependency", () => {
    const deps = graph({ fetch: [], parse: ["fetch"], summary: ["parse", "fetch"], notify: ["summary"], audit: [] });
    const depths = dependencyDepths(["fetch", "parse", "summary", "notify", "audit"], deps);
    expect(Object.fromEntries(depths)).toEqual({ fetch: 0, parse: 1, summary: 2, notify: 3, audit: 0 });

    const positions = layeredLayout(["fetch", "parse", "summary", "notify", "audit"], deps, { columnGap: 100, rowGap: 50 });
    expect(positions.get("summary")).toEqual({ x: 200, y: 0 });
    expect(positions.get("notify")!.x).toBe(300);
    // Two roots share the first column, centred around y = 0.
    expect([positions.get("fetch")!.y, positions.get("audit")!.y]).toEqual([-25, 25]);
  });

  it("orders a column by where the dependencies sit, so edges do not cross", () => {
    const deps = graph({ a: [], b: [], fromB: ["b"], fromA: ["a"] });
    const positions = layeredLayout(["a", "b", "fromB", "fromA"], deps, { rowGap: 10 });
    expect(positions.get("fromA")!.y).toBeLessThan(positions.get("fromB")!.y);
  });

  it("still places every step of a cyclic (invalid) graph, ignoring unknown ids", () => {
    const deps = graph({ a: ["c"], b: ["a"], c: ["b", "ghost"] });
    const positions = layeredLayout(["a", "b", "c"], deps);
    expect(positions.size).toBe(3);
    const xs = new Set([...positions.values()].map((p) => p.x));
    expect(xs.size).toBe(3);
  });
});
