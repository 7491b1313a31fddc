import { describe, expect, it } from "vitest";
import { applyInputDefaults, validateDefinition } from "./index.ts";
import type { DefinitionIssue, WorkflowDefinition, WorkflowDefinitionInput } from "../../shared/workflow-definition.ts";

type RawStep = Record<string, unknown>;

function check(steps: RawStep[], extra: Partial<Record<keyof WorkflowDefinitionInput, unknown>> = {}) {
  return validateDefinition({ name: "Test", ...extra, steps });
}

/** The issues of one code, asserting there are some and no definition came back. */
function issuesOf(result: ReturnType<typeof check>, code: DefinitionIssue["code"]): DefinitionIssue[] {
  expect(result.definition).toBeNull();
  const found = result.issues.filter((issue) => issue.code === code);
  expect(found.length, JSON.stringify(result.issues)).toBeGreaterThan(0);
  return found;
}

const llm = (id: string, prompt: string, more: RawStep = {}): RawStep => ({ id, kind: "llm", prompt, ...more });

describe("validateDefinition: schema", () => {
  it("names the step in schema issues", () => {
    const result = check([llm("summarise", "hi", { timeoutMs: 5 })]);
    expect(issuesOf(result, "schema")).toEqual([
      { code: "schema", stepId: "summarise", path: ["steps", 0, "timeoutMs"], message: 'Step "summarise": timeoutMs must be at least 10' },
    ]);
  });

  it("reports missing fields, bad kinds and bad ids in words", () => {
    const result = check([{ id: "a", kind: "llm" }, { id: "b", kind: "teleport" }, { id: "Bad Id", kind: "llm", prompt: "x" }]);
    const messages = issuesOf(result, "schema").map((issue) => [issue.stepId, issue.message]);
    expect(messages).toContainEqual(["a", 'Step "a": prompt is required']);
    expect(messages).toContainEqual(["b", expect.stringMatching(/^Step "b": kind must be one of "llm", "agent"/)]);
    expect(messages).toContainEqual(["Bad Id", 'Step "Bad Id": id must start with a letter and use lower-case letters, digits and _ (at most 48)']);
  });

  it("reports problems outside steps without a step", () => {
    const result = validateDefinition({ name: "", steps: [] });
    expect(issuesOf(result, "schema")).toEqual([
      { code: "schema", path: ["name"], message: "name must not be empty" },
      { code: "schema", path: ["steps"], message: "steps: a workflow needs at least one step" },
    ]);
  });

  it("never throws, whatever it is given", () => {
    const cyclic: Record<string, unknown> = { name: "x" };
    cyclic.steps = [cyclic];
    for (const raw of [null, undefined, 42, "text", [], cyclic, { steps: "no" }]) {
      const result = validateDefinition(raw);
      expect(result.definition).toBeNull();
      expect(result.issues.length).toBeGreaterThan(0);
    }
    expect(validateDefinition(null).issues[0].message).toBe("A workflow definition must be an object with a name and steps, not null");
  });
});

describe("validateDefinition: semantics", () => {
  it("returns the typed definition, defaults filled, when there is nothing wrong", () => {
    const { definition, issues } = check([llm("a", "hi"), { id: "b", kind: "tool", tool: "memory_get", needs: ["a"] }]);
    expect(issues).toEqual([]);
    expect(definition?.steps[1]).toEqual({ id: "b", kind: "tool", tool: "memory_get", needs: ["a"], arguments: {} });
    expect(definition?.description).toBe("");
  });

  it("reports duplicate step ids", () => {
    const [issue] = issuesOf(check([llm("a", "one"), llm("b", "two"), llm("a", "three")]), "duplicate-step");
    expect(issue).toEqual({ code: "duplicate-step", stepId: "a", path: ["steps", 2, "id"], message: 'Step "a" is declared more than once (steps 1 and 3)' });
  });

  it("reports unknown steps in needs, templates, branches and conditions", () => {
    const result = check([
      llm("a", "hi"),
      llm("b", "{{ steps.ghost.output }}", { needs: ["x"] }),
      { id: "c", kind: "condition", if: "steps.phantom.output.ok", then: ["a"], else: ["nowhere"] },
      { id: "d", kind: "tool", tool: "memory_set", compensate: { kind: "tool", tool: "memory_set", arguments: { v: "{{ steps.gone.output }}" } } },
    ]);
    const issues = issuesOf(result, "unknown-step");
    expect(issues.map((issue) => [issue.stepId, issue.message])).toEqual([
      ["b", 'Step "b" needs "x", which is not a step of this workflow'],
      ["b", 'Step "b" refers to "ghost" in prompt, which is not a step of this workflow'],
      ["c", 'Step "c" lists "nowhere" under else, which is not a step of this workflow'],
      ["c", 'Step "c" reads "phantom" in if, which is not a step of this workflow'],
      ["d", 'Step "d" refers to "gone" in compensate.arguments.v, which is not a step of this workflow'],
    ]);
    expect(issues[0].path).toEqual(["steps", 1, "needs", 0]);
    expect(issues[4].path).toEqual(["steps", 3, "compensate", "arguments", "v"]);
  });

  it("reports unknown steps and inputs in the workflow outputs", () => {
    const result = check([llm("a", "hi")], { outputs: { result: "{{ steps.nope.output }}", echo: { value: "{{ input.missing }}" } } });
    expect(issuesOf(result, "unknown-step")[0]).toMatchObject({ path: ["outputs", "result"], message: 'Output "result" refers to "nope" in result, which is not a step of this workflow' });
    expect(issuesOf(result, "missing-input")[0]).toMatchObject({
      path: ["outputs", "echo", "value"],
      message: 'Output "echo" uses input.missing in echo.value, but the workflow declares no input "missing"',
    });
  });

  it("reports cycles with their path, naming the earliest step", () => {
    const result = check([
      llm("start", "hi"),
      llm("a", "{{ steps.c.output }}"),
      llm("b", "{{ steps.a.output }}"),
      { id: "c", kind: "tool", tool: "memory_get", needs: ["b"] },
    ]);
    expect(issuesOf(result, "cycle")).toEqual([
      { code: "cycle", stepId: "a", path: ["steps", 1], message: 'Step "a" is part of a cycle: a → b → c → a (each step waits for the one before it)' },
    ]);
  });

  it("counts condition branches as edges when looking for cycles", () => {
    const result = check([{ id: "gate", kind: "condition", if: "steps.work.output.ok", then: ["work"] }, llm("work", "go")]);
    expect(issuesOf(result, "cycle")[0].message).toContain("gate → work → gate");
  });

  it("reports templates reading undeclared inputs", () => {
    const result = check([llm("ask", "Answer {{ input.question }} for {{ input.user }}")], { inputs: { user: { type: "string" } } });
    expect(issuesOf(result, "missing-input")).toEqual([
      { code: "missing-input", stepId: "ask", path: ["steps", 0, "prompt"], message: 'Step "ask" uses input.question in prompt, but the workflow declares no input "question"' },
    ]);
  });

  it("reports item and index outside a map's item step, and self references", () => {
    const result = check([
      llm("a", "{{ item.title }}"),
      { id: "m", kind: "map", items: "{{ steps.m.output }}", step: { kind: "llm", prompt: "{{ index }}" } },
      llm("me", "again", { needs: ["me"] }),
      { id: "c", kind: "condition", if: "steps.c.output", then: ["c"] },
    ]);
    const messages = issuesOf(result, "bad-reference").map((issue) => [issue.stepId, issue.message]);
    expect(messages).toEqual([
      ["a", 'Step "a" uses item.title in prompt, but item and index exist only in a map\'s item step'],
      ["m", 'Step "m" refers to itself in items (steps.m.output)'],
      ["me", 'Step "me" needs "me", which is itself'],
      ["c", 'Step "c" lists "c" under then, which is itself'],
      ["c", 'Step "c" reads "c" in if, which is itself'],
    ]);
  });

  it("lets compensation read its own step's output", () => {
    const step = { id: "save", kind: "tool", tool: "memory_set", compensate: { kind: "tool", tool: "memory_set", arguments: { undo: "{{ steps.save.output }}" } } };
    expect(check([step]).issues).toEqual([]);
  });

  it("reports paths that cannot exist", () => {
    const result = check([llm("a", "hi"), llm("b", "{{ steps.a.result }} {{ run.owner }}")]);
    expect(issuesOf(result, "bad-reference").map((issue) => issue.message)).toEqual([
      'Step "b": steps.a.result in prompt reads neither output nor status of step "a"',
      'Step "b": run.owner in prompt does not exist (the run has id, revision and feedback)',
    ]);
  });

  it("checks a step's revise: an earlier step to go back to, and its own output readable in the condition", () => {
    const ok = check([llm("a", "plan"), { ...llm("b", "{{ steps.a.output }}"), revise: { from: "a", if: "steps.b.output === 'again' && run.revision < 2" } }]);
    expect(ok.issues).toEqual([]);
    const bad = check([
      llm("a", "plan"),
      { ...llm("b", "{{ steps.a.output }}"), revise: { from: "c", if: "steps.zzz.output" } },
      { ...llm("c", "{{ steps.b.output }}"), revise: { from: "c", if: "true" } },
      { ...llm("d", "free"), revise: { from: "a", if: "true" } },
    ]);
    expect(bad.issues.map((issue) => issue.message)).toEqual(
      expect.arrayContaining([
        'Step "b" reads "zzz" in revise.if, which is not a step of this workflow',
        'Step "c" revises from "c", which is itself',
        'Step "d" revises from "a", which does not come before it',
      ]),
    );
  });

  it("reports malformed template expressions", () => {
    const result = check([
      llm("a", "Hello {{ steps. }}"),
      llm("b", "Hello {{ input.name"),
      llm("c", "{{ input.a + 1 }}"),
      llm("d", "{{ }}"),
      { id: "e", kind: "http", url: "x", headers: { auth: "{{ secrets.token }}" } },
      { id: "f", kind: "condition", if: "{{ steps.a.output }}" },
      { id: "g", kind: "condition", if: "   " },
    ]);
    const issues = issuesOf(result, "bad-expression");
    expect(issues.map((issue) => issue.stepId)).toEqual(["a", "b", "c", "d", "e", "f", "g"]);
    expect(issues[0].message).toBe('Step "a": prompt has a malformed template: expected a name after "." in "steps."');
    expect(issues[1].message).toBe('Step "b": prompt has a malformed template: "{{" at character 7 is never closed with "}}"');
    expect(issues[2].message).toMatch(/^Step "c": prompt has a malformed template: unexpected "\+ 1" in "input.a \+ 1"/);
    expect(issues[4]).toMatchObject({ path: ["steps", 4, "headers", "auth"], message: expect.stringContaining("must start with input, steps, item, index or run") });
    expect(issues[5].message).toContain("if is a JavaScript expression");
    expect(issues[6].message).toBe('Step "g": if must be a non-empty expression');
  });

  it("reports map items that are not arrays", () => {
    const result = check(
      [
        llm("plan", "hi"),
        { id: "m1", kind: "map", items: "{{ steps.plan.output }}", step: { kind: "llm", prompt: "{{ item }}" } },
        { id: "m2", kind: "map", items: "{{ input.count }}", step: { kind: "llm", prompt: "{{ item }}" } },
        { id: "m3", kind: "map", items: "a, b, c", step: { kind: "llm", prompt: "{{ item }}" } },
        { id: "m4", kind: "map", items: "{{ input.list }}", step: { kind: "llm", prompt: "{{ item }}" } },
      ],
      { inputs: { count: { type: "integer" }, list: { type: "array" } } },
    );
    expect(issuesOf(result, "type-mismatch").map((issue) => [issue.stepId, issue.message])).toEqual([
      ["m1", 'Step "m1": items must yield an array, but steps.plan.output is a string'],
      ["m2", 'Step "m2": items must yield an array, but input.count is an integer'],
      ["m3", expect.stringMatching(/^Step "m3": items must be a single \{\{ … \}\} template that yields an array/)],
    ]);
  });

  it("reports objects and arrays where text is expected, following declared and natural types", () => {
    const result = check(
      [
        { id: "fetch", kind: "http", url: "https://example.com" },
        llm("plan", "hi", { json: { type: "object", properties: { steps: { type: "array" }, title: { type: "string" } } } }),
        { id: "ask", kind: "approval", message: "{{ steps.fetch.output.headers }}" },
        { id: "agent", kind: "agent", agent: "analyst", task: "{{ steps.plan.output.steps }}" },
        llm("fine", "{{ steps.plan.output.title }}", { system: "{{ steps.fetch.output.status }}" }),
        { id: "call", kind: "http", url: "{{ input.target }}", headers: { id: "{{ input.count }}" } },
        { id: "m", kind: "map", items: "{{ input.rows }}", step: { kind: "llm", prompt: "{{ item.meta }}", system: "{{ item.name }} #{{ index }}" } },
      ],
      {
        inputs: {
          target: { type: "object" },
          count: { type: "number" },
          rows: { type: "array" },
        },
      },
    );
    expect(issuesOf(result, "type-mismatch").map((issue) => [issue.stepId, issue.message])).toEqual([
      ["ask", 'Step "ask": message expects text, but steps.fetch.output.headers is an object'],
      ["agent", 'Step "agent": task expects text, but steps.plan.output.steps is an array'],
      ["call", 'Step "call": url expects text, but input.target is an object'],
    ]);
  });

  it("types a map's item from the list it walks", () => {
    const plan = llm("plan", "hi", {
      json: { type: "object", properties: { tasks: { type: "array", items: { type: "object", properties: { title: { type: "string" }, files: { type: "array" } } } } } },
    });
    const map = (prompt: string) => ({ id: "m", kind: "map", items: "{{ steps.plan.output.tasks }}", step: { kind: "llm", prompt } });
    expect(check([plan, map("{{ item.title }}")]).issues).toEqual([]);
    expect(issuesOf(check([plan, map("{{ item.files }}")]), "type-mismatch")[0]).toMatchObject({
      stepId: "m",
      path: ["steps", 1, "step", "prompt"],
      message: 'Step "m": step.prompt expects text, but item.files is an array',
    });
    // A declared output wins over the natural type; a map's output is a list of its item step's output.
    const declared = llm("plan", "hi", { output: { type: "array" } });
    expect(issuesOf(check([declared, llm("use", "{{ steps.plan.output }}")]), "type-mismatch")[0].stepId).toBe("use");
    const fanned = { id: "m", kind: "map", items: "{{ steps.plan.output }}", step: { kind: "llm", prompt: "{{ item }}" } };
    expect(check([declared, fanned, llm("first", "{{ steps.m.output[0] }}")]).issues).toEqual([]);
    expect(issuesOf(check([declared, fanned, llm("all", "{{ steps.m.output }}")]), "type-mismatch")[0].message).toBe(
      'Step "all": prompt expects text, but steps.m.output is an array',
    );
  });

  it("reports input defaults that do not match their type", () => {
    const result = check([llm("a", "hi")], { inputs: { count: { type: "integer", default: 2.5 } } });
    expect(issuesOf(result, "type-mismatch")).toEqual([
      { code: "type-mismatch", path: ["inputs", "count", "default"], message: 'Input "count": its default is a number (2.5), but the input is declared as integer' },
    ]);
  });
});

describe("applyInputDefaults", () => {
  const definition = validateDefinition({
    name: "Inputs",
    inputs: {
      request: { type: "string" },
      count: { type: "integer", default: 3 },
      ratio: { type: "number", required: false },
      flags: { type: "object", default: { fast: true } },
      tags: { type: "array", required: false },
      anything: { type: "any", required: false },
      dry: { type: "boolean", required: false },
    },
    steps: [{ id: "a", kind: "llm", prompt: "{{ input.request }}" }],
  }).definition as WorkflowDefinition;

  it("fills defaults and keeps given values", () => {
    const result = applyInputDefaults(definition, { request: "go", ratio: 2, anything: null });
    expect(result).toEqual({ value: { request: "go", count: 3, ratio: 2, flags: { fast: true }, anything: null }, issues: [] });
    // Defaults are copies: changing one run's input cannot change the definition.
    (result.value.flags as Record<string, unknown>).fast = false;
    expect(applyInputDefaults(definition, { request: "go" }).value.flags).toEqual({ fast: true });
  });

  it("reports missing required inputs, wrong types and undeclared keys", () => {
    const result = applyInputDefaults(definition, { count: 1.5, tags: "a,b", dry: "yes", extra: 1 });
    expect(result.issues).toEqual([
      'Input "extra" is not declared by this workflow.',
      'Input "request" is required (string).',
      'Input "count" must be an integer, not a number (1.5).',
      'Input "tags" must be an array, not a string.',
      'Input "dry" must be a boolean, not a string.',
    ]);
    expect(result.value).not.toHaveProperty("extra");
  });

  it("treats null as not given, and refuses input that is not an object", () => {
    expect(applyInputDefaults(definition, { request: null }).issues).toEqual(['Input "request" is required (string).']);
    expect(applyInputDefaults(definition, { request: "x", count: null }).value.count).toBe(3);
    expect(applyInputDefaults(definition, ["x"]).issues).toEqual(["The run input must be an object of named values, not an array."]);
    expect(applyInputDefaults(definition, undefined).issues).toEqual(['Input "request" is required (string).']);
  });

  it("accepts integers for number inputs and objects only for object inputs", () => {
    expect(applyInputDefaults(definition, { request: "x", ratio: 4 }).issues).toEqual([]);
    expect(applyInputDefaults(definition, { request: "x", flags: [] }).issues).toEqual(['Input "flags" must be an object, not an array.']);
    expect(applyInputDefaults(definition, { request: "x", ratio: Number.NaN }).issues).toEqual(['Input "ratio" must be a number, not NaN.']);
  });
});
