import { describe, expect, it } from "vitest";
import { parseWorkflowText, serializeDefinition } from "./index.ts";
import type { WorkflowDefinition } from "../../shared/workflow-definition.ts";

// Every step kind, a map with an item step, a condition with both branches,
// compensation, typed inputs and outputs.
const RICH_WORKFLOW = `
name: Triage and fix
description: Plans a change, fans it out and asks before shipping.
inputs:
  request: { type: string, description: What to do }
  repository: { type: object }
  maxSubtasks: { type: integer, default: 5 }
  dryRun: { type: boolean, required: false }
outputs:
  summary: "{{ steps.summarise.output }}"
  approved: "{{ steps.sign_off.output.approved }}"
routing: { strategy: cost, fallback: [gpt-4o-mini] }
limits: { maxCostUsd: 2.5, timeoutMs: 600000 }
steps:
  - id: plan
    name: Plan
    kind: agent
    agent: analyst
    task: "Plan this change: {{ input.request }}"
    context:
      repository: "{{ input.repository }}"
      limit: "{{ input.maxSubtasks }}"
    output:
      type: object
      properties:
        subtasks:
          type: array
          items:
            type: object
            properties:
              title: { type: string }
              files: { type: array, items: { type: string } }
  - id: fetch
    kind: http
    method: GET
    url: "https://example.com/repos/{{ input.repository.name }}"
    headers:
      accept: application/json
  - id: parse
    kind: code
    code: |
      const body = input.body;
      return { files: body.files.length };
    inputs:
      body: "{{ steps.fetch.output.body }}"
  - id: work
    kind: map
    items: "{{ steps.plan.output.subtasks }}"
    concurrency: 3
    step:
      kind: llm
      prompt: |
        Subtask {{ index }}: {{ item.title }}
        Files: {{ item.files }}
      json:
        type: object
        properties:
          patch: { type: string }
  - id: check
    kind: condition
    if: steps.work.output.length > 0 && steps.parse.output.files < 100
    then: [store]
    else: [summarise]
  - id: store
    kind: tool
    tool: memory_set
    arguments:
      key: patches
      value: "{{ steps.work.output }}"
    retry: { attempts: 3, backoff: exponential, delayMs: 500, maxDelayMs: 5000 }
    compensate:
      kind: tool
      tool: memory_set
      arguments:
        key: patches
        value: null
        previous: "{{ steps.store.output }}"
  - id: summarise
    kind: llm
    needs: [store]
    system: You write short release notes.
    prompt: |
      Summarise these patches for {{ run.id }}:
      {{ steps.work.output }}
    timeoutMs: 60000
  - id: sign_off
    kind: approval
    message: "Ship {{ steps.summarise.output }}?"
    scope: workflows:run
`;

function parseRich(): WorkflowDefinition {
  const { definition, issues } = parseWorkflowText(RICH_WORKFLOW);
  expect(issues).toEqual([]);
  return definition!;
}

describe("parseWorkflowText", () => {
  it("validates a rich workflow using every step kind with no issues", () => {
    const definition = parseRich();
    expect(new Set(definition.steps.map((step) => step.kind))).toEqual(new Set(["agent", "http", "code", "map", "condition", "tool", "llm", "approval"]));
    expect(definition.schemaVersion).toBe(1);
    expect(definition.inputs.maxSubtasks).toEqual({ type: "integer", default: 5 });
  });

  it("reads JSON when the text starts with a brace, and YAML otherwise", () => {
    const json = JSON.stringify({ name: "J", steps: [{ id: "a", kind: "llm", prompt: "hi" }] });
    expect(parseWorkflowText(`  \n${json}`).definition?.name).toBe("J");
    expect(parseWorkflowText("name: Y\nsteps:\n  - { id: a, kind: llm, prompt: hi }\n").definition?.name).toBe("Y");
    // Forced JSON refuses YAML.
    expect(parseWorkflowText("name: Y", "json").issues[0].code).toBe("syntax");
  });

  it("reports a YAML syntax error with its line and column", () => {
    const text = "name: Broken\nsteps:\n  - id: a\n    kind: llm\n   prompt: [unclosed\n";
    const { definition, issues } = parseWorkflowText(text);
    expect(definition).toBeNull();
    expect(issues).toHaveLength(1);
    expect(issues[0].code).toBe("syntax");
    expect(issues[0].message).toMatch(/^YAML syntax error at line 5, column \d+: /);
  });

  it("reports duplicate YAML keys as a syntax error", () => {
    const { issues } = parseWorkflowText("name: A\nname: B\nsteps: []\n");
    expect(issues).toHaveLength(1);
    expect(issues[0].code).toBe("syntax");
    expect(issues[0].message).toContain("line 2");
  });

  it("reports a JSON syntax error with its line and column", () => {
    const { issues } = parseWorkflowText('{\n  "name": "x",\n  "steps": [}\n}');
    expect(issues).toEqual([{ code: "syntax", message: expect.stringMatching(/^JSON syntax error at line 3, column 13: /) }]);
    const trailing = parseWorkflowText('{\n  "name": "x",\n}');
    expect(trailing.issues[0].message).toMatch(/^JSON syntax error at line 3, column 1: /);
  });

  it("refuses text over 1 MB with an issue instead of an exception", () => {
    const text = `name: big\ndescription: "${"x".repeat(1024 * 1024)}"\nsteps: []\n`;
    const { definition, issues } = parseWorkflowText(text);
    expect(definition).toBeNull();
    expect(issues).toHaveLength(1);
    expect(issues[0].code).toBe("syntax");
    expect(issues[0].message).toMatch(/at most 1048576/);
  });

  it("refuses alias bombs", () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let level = 1; level < 8; level++) lines.push(`${"abcdefgh"[level]}: &${"abcdefgh"[level]} [${Array(10).fill(`*${"abcdefgh"[level - 1]}`).join(",")}]`);
    const { definition, issues } = parseWorkflowText(lines.join("\n"));
    expect(definition).toBeNull();
    expect(issues[0].code).toBe("syntax");
  });

  it("turns empty text and non-object documents into schema issues", () => {
    expect(parseWorkflowText("").issues[0]).toMatchObject({ code: "schema", message: expect.stringContaining("must be an object") });
    expect(parseWorkflowText("- a\n- b\n").issues[0]).toMatchObject({ code: "schema" });
  });
});

describe("serializeDefinition", () => {
  it("round-trips through YAML and JSON", () => {
    const definition = parseRich();
    for (const format of ["yaml", "json"] as const) {
      const text = serializeDefinition(definition, format);
      const again = parseWorkflowText(text, format);
      expect(again.issues).toEqual([]);
      expect(again.definition).toEqual(definition);
    }
  });

  it("round-trips awkward strings", () => {
    const awkward = ["", " leading space", "trailing space ", "line\n  indented\n", "tabs\there", "#hash", "yes", "null", "123", "- dash", "{{ input.x }}", "multi\n\n\nblank lines\n\n", "quote \" and ' both", "unicode ✓ 🎉", "ends with backslash \\"];
    const definition = parseWorkflowText(
      JSON.stringify({
        name: "Awkward",
        inputs: { x: { type: "any", default: { nested: [1, 2.5, true, null, "s"] } } },
        steps: [{ id: "a", kind: "tool", tool: "memory_set", arguments: Object.fromEntries(awkward.map((value, index) => [`k${index}`, value])) }],
      }),
    ).definition!;
    expect(definition).not.toBeNull();
    expect(parseWorkflowText(serializeDefinition(definition, "yaml"), "yaml").definition).toEqual(definition);
  });

  it("writes keys in reading order and multi-line strings as block scalars", () => {
    const yaml = serializeDefinition(parseRich(), "yaml");
    const topKeys = yaml.split("\n").filter((line) => /^[a-zA-Z]/.test(line)).map((line) => line.split(":")[0]);
    expect(topKeys).toEqual(["schemaVersion", "name", "description", "inputs", "outputs", "routing", "limits", "steps"]);
    expect(yaml).toContain("  - id: plan\n    name: Plan\n    kind: agent\n    agent: analyst\n");
    expect(yaml).toContain("  - id: summarise\n    kind: llm\n    needs:\n      - store\n    prompt: |\n      Summarise these patches for {{ run.id }}:\n");
    expect(yaml).not.toMatch(/: [{[] /); // block style, no flow collections
  });

  it("is stable: serializing twice gives the same text", () => {
    const definition = parseRich();
    const yaml = serializeDefinition(definition, "yaml");
    expect(serializeDefinition(parseWorkflowText(yaml).definition!, "yaml")).toBe(yaml);
    const json = serializeDefinition(definition, "json");
    expect(Object.keys(JSON.parse(json))).toEqual(["schemaVersion", "name", "description", "inputs", "outputs", "routing", "limits", "steps"]);
  });
});

describe("the definition's JSON Schema", () => {
  it("describes every step kind and the top-level fields, for editors", async () => {
    const { workflowJsonSchema } = await import("./json-schema.ts");
    const schema = workflowJsonSchema() as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(["name", "inputs", "outputs", "steps", "routing", "limits"]));
    expect(schema.required).toEqual(expect.arrayContaining(["name", "steps"]));
    const text = JSON.stringify(schema);
    for (const kind of ["agent", "llm", "tool", "code", "http", "condition", "map", "approval"]) expect(text).toContain(`"const":"${kind}"`);
  });
});
