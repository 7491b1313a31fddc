import { describe, expect, it } from "vitest";
import { compileTemplate, conditionReferences, isTemplate, resolveStepTemplates, resolveTemplates, templateReferences, type TemplateScope } from "./index.ts";
import type { MapItemStep, StepDefinition } from "../../shared/workflow-definition.ts";

const scope: TemplateScope = {
  input: { request: "Fix the login bug", count: 3, ok: true, tags: ["a", "b"], nested: { deep: { value: 42 } }, nothing: null },
  steps: {
    plan: { output: { subtasks: [{ title: "Write test" }, { title: "Fix code", files: ["a.ts"] }] }, status: "SUCCEEDED" },
    fetch: { output: { status: 200, headers: { "content-type": "application/json", "it's": "quoted" }, body: { items: [10, 20] } } },
    summarise: { output: "All good." },
  },
  item: { id: "i-7", title: "Item title" },
  index: 2,
  run: { id: "run_123" },
};

const resolve = (value: unknown) => resolveTemplates(value, scope);

describe("resolveTemplates", () => {
  it("yields the value itself for a string that is one whole expression", () => {
    expect(resolve("{{ input.count }}")).toBe(3);
    expect(resolve("{{input.ok}}")).toBe(true);
    expect(resolve("{{ input.tags }}")).toEqual(["a", "b"]);
    expect(resolve("  {{ steps.plan.output }}\n")).toEqual(scope.steps.plan.output);
    expect(resolve("{{ steps.plan.status }}")).toBe("SUCCEEDED");
    expect(resolve("{{ index }}")).toBe(2);
    expect(resolve("{{ run.id }}")).toBe("run_123");
    expect(resolve("{{ item }}")).toEqual({ id: "i-7", title: "Item title" });
  });

  it("interpolates text, writing objects as JSON and missing values as nothing", () => {
    expect(resolve("Task: {{ input.request }} ({{ input.count }} tries, ok={{ input.ok }})")).toBe("Task: Fix the login bug (3 tries, ok=true)");
    expect(resolve("Tags {{ input.tags }} / {{ input.nested }}")).toBe('Tags ["a","b"] / {"deep":{"value":42}}');
    expect(resolve("[{{ input.missing }}][{{ input.nothing }}]")).toBe("[][]");
    expect(resolve("{{ item.id }}-{{ index }}")).toBe("i-7-2");
  });

  it("resolves missing values to null instead of throwing", () => {
    expect(resolve("{{ input.missing }}")).toBeNull();
    expect(resolve("{{ input.nothing }}")).toBeNull();
    expect(resolve("{{ steps.ghost.output.anything }}")).toBeNull();
    expect(resolve("{{ input.request.length }}")).toBeNull();
    expect(resolve("{{ input.nested.deep.value.more }}")).toBeNull();
    expect(resolveTemplates("{{ item.id }}", { input: {}, steps: {}, run: { id: "r" } })).toBeNull();
  });

  it("never reaches prototype members", () => {
    expect(resolve("{{ input.constructor }}")).toBeNull();
    expect(resolve("{{ input.__proto__ }}")).toBeNull();
    expect(resolve('{{ input.tags["map"] }}')).toBeNull();
  });

  it("follows bracket paths and array indices", () => {
    expect(resolve('{{ steps.fetch.output.headers["content-type"] }}')).toBe("application/json");
    expect(resolve("{{ steps.fetch.output.headers['it\\'s'] }}")).toBe("quoted");
    expect(resolve("{{ steps.plan.output.subtasks[1].title }}")).toBe("Fix code");
    expect(resolve("{{ steps.plan.output.subtasks[ 1 ].files[0] }}")).toBe("a.ts");
    expect(resolve("{{ steps.plan.output.subtasks.0.title }}")).toBe("Write test");
    expect(resolve("{{ steps.fetch.output.body.items[5] }}")).toBeNull();
    expect(resolve('{{ steps["summarise"].output }}')).toBe("All good.");
  });

  it("walks objects and arrays and leaves other values untouched", () => {
    const value = { a: ["{{ input.count }}", 5, false, null, { b: "x{{ index }}" }], c: 1.5 };
    expect(resolve(value)).toEqual({ a: [3, 5, false, null, { b: "x2" }], c: 1.5 });
    expect(value.a[0]).toBe("{{ input.count }}");
    expect(resolve(7)).toBe(7);
    expect(resolve(undefined)).toBeUndefined();
  });

  it("keeps a __proto__ key as plain data", () => {
    const value = JSON.parse('{"__proto__": {"polluted": "{{ input.count }}"}}') as Record<string, unknown>;
    const out = resolve(value) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out, "__proto__")?.value).toEqual({ polluted: 3 });
  });

  it("leaves malformed templates as literal text", () => {
    expect(resolve("Hello {{ steps. }} and {{ input.count }}")).toBe("Hello {{ steps. }} and 3");
    expect(resolve("open {{ input.count")).toBe("open {{ input.count");
    expect(resolve("no templates here")).toBe("no templates here");
  });
});

describe("compileTemplate", () => {
  it("classifies literal, whole-value and text templates and lists errors", () => {
    expect(compileTemplate("plain").kind).toBe("literal");
    expect(compileTemplate(" {{ input.x }} ").kind).toBe("value");
    expect(compileTemplate("a {{ input.x }}").kind).toBe("text");
    expect(compileTemplate("{{ input.x }}{{ input.y }}").kind).toBe("text");
    expect(compileTemplate("{{ bogus.x }}").errors).toEqual(['"bogus.x" must start with input, steps, item, index or run']);
    expect(compileTemplate("{{ steps }}").errors).toEqual(['"steps" must name a step, e.g. steps.plan.output']);
    expect(compileTemplate('{{ input["x }}').errors).toEqual(['unterminated string in "input["x"']);
    expect(compileTemplate("{{ input.call() }}").errors[0]).toMatch(/^unexpected "\(\)"/);
  });

  it("reuses the compiled form of a text, within a bounded cache", () => {
    const text = "cached {{ input.request }}";
    const first = compileTemplate(text);
    expect(compileTemplate(text)).toBe(first);
    for (let i = 0; i < 6000; i++) compileTemplate(`filler ${i} {{ input.x }}`);
    const again = compileTemplate(text);
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });
});

describe("templateReferences and isTemplate", () => {
  it("lists every reference in a JSON value with root, step and path", () => {
    const refs = templateReferences({
      prompt: "Do {{ steps.plan.output.subtasks[0].title }} for {{ input.request }}",
      list: ["{{ item.id }}", 3, { deep: '{{ steps.fetch.output["content-type"] }}' }],
      other: "{{ index }} {{ run.id }} {{ broken. }}",
    });
    expect(refs).toEqual([
      { root: "steps", stepId: "plan", path: ["output", "subtasks", 0, "title"], expression: "steps.plan.output.subtasks[0].title" },
      { root: "input", path: ["request"], expression: "input.request" },
      { root: "item", path: ["id"], expression: "item.id" },
      { root: "steps", stepId: "fetch", path: ["output", "content-type"], expression: 'steps.fetch.output["content-type"]' },
      { root: "index", path: [], expression: "index" },
      { root: "run", path: ["id"], expression: "run.id" },
    ]);
  });

  it("tells templates from plain strings", () => {
    expect(isTemplate("{{ input.x }}")).toBe(true);
    expect(isTemplate("before {{x}} after")).toBe(true);
    expect(isTemplate("no braces")).toBe(false);
    expect(isTemplate("only {{ open")).toBe(false);
    expect(isTemplate("}} {{")).toBe(false);
  });

  it("finds the steps a condition expression reads", () => {
    expect(conditionReferences('steps.check.output.ok && steps["plan"].output.n > 2 || input.steps.fake || mysteps.x || steps . check')).toEqual(["check", "plan"]);
  });
});

describe("resolveStepTemplates", () => {
  it("resolves template fields, keeping text fields text and other fields typed", () => {
    const step = {
      id: "call",
      kind: "http",
      method: "POST",
      url: "{{ input.count }}",
      headers: { "x-count": "{{ input.count }}", "x-missing": "{{ input.missing }}" },
      body: { tags: "{{ input.tags }}" },
    } as StepDefinition;
    expect(resolveStepTemplates(step, scope)).toEqual({ ...step, url: "3", headers: { "x-count": "3", "x-missing": "" }, body: { tags: ["a", "b"] } });
  });

  it("resolves a map's items but leaves its item step for each item", () => {
    const map = { id: "m", kind: "map", items: "{{ steps.plan.output.subtasks }}", concurrency: 2, step: { kind: "llm", prompt: "{{ item.title }}" } };
    const resolved = resolveStepTemplates(map as StepDefinition, scope) as typeof map;
    expect(resolved.items).toEqual([{ title: "Write test" }, { title: "Fix code", files: ["a.ts"] }]);
    expect(resolved.step).toEqual({ kind: "llm", prompt: "{{ item.title }}" });
    expect(resolveStepTemplates(map.step as MapItemStep, { ...scope, item: { title: "T" } })).toEqual({ kind: "llm", prompt: "T" });
  });

  it("leaves code bodies and condition expressions alone", () => {
    const code = { id: "c", kind: "code", code: "return '{{ input.count }}'", inputs: { n: "{{ input.count }}" } } as StepDefinition;
    expect(resolveStepTemplates(code, scope)).toEqual({ ...code, inputs: { n: 3 } });
    const condition = { id: "k", kind: "condition", if: "steps.plan.output", then: [], else: [] } as StepDefinition;
    expect(resolveStepTemplates(condition, scope)).toEqual(condition);
  });
});
