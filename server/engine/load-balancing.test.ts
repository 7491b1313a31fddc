import { describe, expect, it } from "vitest";
import { NodeChooser, leastConnections, leastResourceUse, type NodeLoad } from "./load-balancing.ts";

const node = (id: string, fields: Partial<NodeLoad> = {}): NodeLoad => ({ id, capacity: 4, load: 0, cpu: 0, memoryBytes: 100, ...fields });

describe("load balancing", () => {
  it("leaves every job to the shared queue when nodes compete", () => {
    const chooser = new NodeChooser("competing");
    expect(chooser.routes).toBe(false);
    expect(chooser.choose([node("a"), node("b")])).toBeNull();
  });

  it("falls back to the shared queue when no node can take work", () => {
    for (const strategy of ["round-robin", "least-connections", "resource"] as const) {
      const chooser = new NodeChooser(strategy);
      expect(chooser.routes).toBe(true);
      expect(chooser.choose([])).toBeNull();
      expect(chooser.choose([node("web", { capacity: 0 })])).toBeNull();
    }
  });

  it("takes nodes in turn, in a stable order, skipping those without capacity", () => {
    const chooser = new NodeChooser("round-robin");
    const nodes = [node("c"), node("a"), node("web", { capacity: 0 }), node("b")];
    expect(Array.from({ length: 7 }, () => chooser.choose(nodes))).toEqual(["a", "b", "c", "a", "b", "c", "a"]);
    // A node leaving does not stall the rotation.
    expect(chooser.choose([node("a"), node("c")])).toBe("c");
  });

  it("sends the job to the node with the fewest jobs per slot", () => {
    const chooser = new NodeChooser("least-connections");
    expect(chooser.choose([node("a", { load: 3 }), node("b", { load: 1 }), node("c", { load: 2 })])).toBe("b");
    // Twice the capacity carries twice the load for the same share.
    expect(chooser.choose([node("a", { load: 2, capacity: 2 }), node("b", { load: 3, capacity: 8 })])).toBe("b");
    expect(leastConnections([node("b", { load: 1 }), node("a", { load: 1 })])?.id).toBe("a");
    expect(leastConnections([])).toBeUndefined();
  });

  it("sends the job to the node whose busier resource is the least busy", () => {
    const chooser = new NodeChooser("resource");
    const busyCpu = node("a", { cpu: 0.9, memoryBytes: 100 });
    const heavyMemory = node("b", { cpu: 0.1, memoryBytes: 1000 });
    const balanced = node("c", { cpu: 0.4, memoryBytes: 400 });
    expect(chooser.choose([busyCpu, heavyMemory, balanced])).toBe("c");
    expect(leastResourceUse([node("x", { cpu: 0.2, memoryBytes: 500 }), node("y", { cpu: 0.3, memoryBytes: 500 })])?.id).toBe("x");
    expect(leastResourceUse([node("x", { memoryBytes: 0 }), node("y", { memoryBytes: 0, load: 0 })])?.id).toBe("x");
  });
});
