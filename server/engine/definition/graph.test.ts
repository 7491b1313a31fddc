import { describe, expect, it } from "vitest";
import { analyzeWorkflow, naturalOutputType, outputTypeOf, referenceType, templateReferences, validateDefinition } from "./index.ts";
import { workflowDefinitionSchema, type WorkflowDefinition } from "../../shared/workflow-definition.ts";

/** Parsed by the schema only, so graphs of unsound definitions can be examined too. */
const definitionOf = (steps: Record<string, unknown>[]): WorkflowDefinition => workflowDefinitionSchema.parse({ name: "Graph", steps });

describe("analyzeWorkflow", () => {
  const definition = definitionOf([
    { id: "summary", kind: "llm", prompt: "{{ steps.review.output }}", needs: ["fix"] },
    { id: "plan", kind: "agent", agent: "analyst", task: "plan" },
    { id: "fetch", kind: "http", url: "https://example.com/{{ input.x }}" },
    { id: "fanout", kind: "map", items: "{{ steps.plan.output.tasks }}", step: { kind: "llm", prompt: "{{ item }} with {{ steps.fetch.output.body }}" } },
    { id: "check", kind: "condition", if: "steps.fanout.output.length > 0", then: ["fix"], else: ["review"] },
    {
      id: "fix",
      kind: "tool",
      tool: "memory_set",
      arguments: { v: "{{ steps.fanout.output }}" },
      compensate: { kind: "tool", tool: "memory_set", arguments: { undo: "{{ steps.summary.output }}" } },
    },
    { id: "review", kind: "approval", message: "ok?" },
  ]);

  it("collects dependencies from needs, templates, item steps, condition expressions and gating", () => {
    const graph = analyzeWorkflow(definition);
    expect(graph.dependencies).toEqual({
      summary: ["fix", "review"],
      plan: [],
      fetch: [],
      fanout: ["plan", "fetch"],
      check: ["fanout"],
      fix: ["fanout", "check"],
      review: ["check"],
    });
    // Compensation reads "summary" but does not wait for it.
    expect(graph.dependents.summary).toEqual([]);
    expect(graph.dependents.fanout).toEqual(["check", "fix"]);
  });

  it("orders topologically, earliest declared first among ready steps", () => {
    const graph = analyzeWorkflow(definition);
    expect(graph.order).toEqual(["plan", "fetch", "fanout", "check", "fix", "review", "summary"]);
    expect(graph.roots).toEqual(["plan", "fetch"]);
    expect(graph.leaves).toEqual(["summary"]);
  });

  it("records which condition branch gates each step", () => {
    const graph = analyzeWorkflow(definition);
    expect(graph.gates.fix).toEqual([{ conditionId: "check", branch: "then" }]);
    expect(graph.gates.review).toEqual([{ conditionId: "check", branch: "else" }]);
    expect(graph.gates.summary).toEqual([]);
  });

  it("is computed once per definition object", () => {
    expect(analyzeWorkflow(definition)).toBe(analyzeWorkflow(definition));
    const copy = structuredClone(definition);
    expect(analyzeWorkflow(copy)).not.toBe(analyzeWorkflow(definition));
    expect(analyzeWorkflow(copy)).toEqual(analyzeWorkflow(definition));
    expect(Object.isFrozen(analyzeWorkflow(definition).order)).toBe(true);
  });

  it("ignores unknown and self references and puts cyclic steps last instead of failing", () => {
    const graph = analyzeWorkflow(
      definitionOf([
        { id: "a", kind: "llm", prompt: "{{ steps.b.output }}", needs: ["ghost", "a"] },
        { id: "b", kind: "llm", prompt: "{{ steps.a.output }}" },
        { id: "c", kind: "llm", prompt: "free" },
      ]),
    );
    expect(graph.dependencies).toEqual({ a: ["b"], b: ["a"], c: [] });
    expect(graph.order).toEqual(["c", "a", "b"]);
  });
});

describe("static types", () => {
  const definition = validateDefinition({
    name: "Types",
    inputs: { n: { type: "integer" } },
    steps: [
      { id: "ask", kind: "llm", prompt: "x", json: { type: "object", properties: { list: { type: "array", items: { type: "number" } } } } },
      { id: "free", kind: "llm", prompt: "x" },
      { id: "obj", kind: "llm", prompt: "x", json: true },
      { id: "call", kind: "http", url: "x" },
      { id: "decide", kind: "condition", if: "true" },
      { id: "fan", kind: "map", items: "{{ steps.ask.output.list }}", step: { kind: "http", url: "{{ item }}" } },
      { id: "ok", kind: "approval", message: "x" },
      { id: "declared", kind: "code", code: "return 1", output: { type: "boolean" } },
    ],
  }).definition!;
  const steps = new Map(definition.steps.map((step) => [step.id, step]));
  const typeOf = (template: string) => referenceType(templateReferences(template)[0], { inputs: definition.inputs, steps }).type;

  it("gives each kind its natural output type, and a declared output over it", () => {
    expect(definition.steps.map((step) => outputTypeOf(step).type)).toEqual(["object", "string", "object", "object", "object", "array", "object", "boolean"]);
    expect(naturalOutputType(steps.get("fan")!)).toMatchObject({ type: "array", items: { type: "object", properties: { status: { type: "integer" } } } });
  });

  it("walks paths through known properties and items", () => {
    expect(typeOf("{{ steps.ask.output.list }}")).toBe("array");
    expect(typeOf("{{ steps.ask.output.list[3] }}")).toBe("number");
    expect(typeOf("{{ steps.ask.output.other }}")).toBe("any");
    expect(typeOf("{{ steps.call.output.status }}")).toBe("integer");
    expect(typeOf("{{ steps.decide.output.result }}")).toBe("boolean");
    expect(typeOf("{{ steps.ok.output.by }}")).toBe("string");
    expect(typeOf("{{ steps.fan.output[0].headers }}")).toBe("object");
    expect(typeOf("{{ steps.free.status }}")).toBe("string");
    expect(typeOf("{{ input.n }}")).toBe("integer");
    expect(typeOf("{{ input.unknown }}")).toBe("any");
    expect(typeOf("{{ index }}")).toBe("integer");
    expect(typeOf("{{ run.id }}")).toBe("string");
  });
});
