import { describe, expect, it } from "vitest";
import { validateDefinition } from "@/server/engine/definition/index";
import { STEP_KINDS, type WorkflowDefinition } from "@/server/shared/workflow-definition";
import {
  addStep,
  blankDefinition,
  canonicalJson,
  freeSpot,
  connectSteps,
  disconnectSteps,
  newStep,
  nextStepId,
  removeSteps,
  renameStep,
  withPositions,
} from "./definition-edit";

function sample(): WorkflowDefinition {
  return {
    schemaVersion: 1,
    name: "Sample",
    description: "",
    inputs: { text: { type: "string" } },
    outputs: { result: "{{ steps.load.output }}" },
    steps: [
      { id: "load", kind: "code", code: "return input.text;", inputs: { text: "{{ input.text }}" } },
      { id: "check", kind: "condition", if: "steps.load.output.length > 3", then: ["long"], else: [] },
      { id: "long", kind: "code", code: "return input.v;", inputs: { v: "{{ steps['load'].output }}" }, needs: ["load"] },
    ],
  };
}

describe("editing a definition", () => {
  it("creates a valid step of every kind with a free id", () => {
    expect(nextStepId("code", ["code_1", "code_2", "llm_1"])).toBe("code_3");
    let definition = blankDefinition("Every kind");
    for (const kind of STEP_KINDS) definition = addStep(definition, newStep(kind, nextStepId(kind, definition.steps.map((s) => s.id)), { x: 10.4, y: 20.6 }));
    expect(definition.steps.map((s) => s.id)).toEqual(["start", ...STEP_KINDS.map((k) => `${k}_1`)]);
    expect(definition.steps[1]!.position).toEqual({ x: 10, y: 21 });
    const { issues } = validateDefinition(definition);
    // Only the fields a person must fill in are reported (an empty map list), never the shape.
    expect(issues.filter((i) => i.code === "schema")).toEqual([]);
  });

  it("connects through needs or a branch, and refuses a cycle", () => {
    let definition = addStep(sample(), newStep("code", "after", { x: 0, y: 0 }));
    const linked = connectSteps(definition, "long", "after");
    expect(linked.ok).toBe(true);
    definition = (linked as { definition: WorkflowDefinition }).definition;
    expect(definition.steps.find((s) => s.id === "after")!.needs).toEqual(["long"]);

    const cycle = connectSteps(definition, "after", "load");
    expect(cycle).toEqual({ ok: false, reason: expect.stringContaining("cycle") });
    expect(connectSteps(definition, "load", "load").ok).toBe(false);

    const branched = connectSteps(definition, "check", "long", "else");
    expect(branched.ok).toBe(true);
    const check = (branched as { definition: WorkflowDefinition }).definition.steps.find((s) => s.id === "check");
    // A step sits on one branch at a time.
    expect(check).toMatchObject({ then: [], else: ["long"] });
  });

  it("disconnects needs and branch links", () => {
    let definition = disconnectSteps(sample(), "load", "long", "needs");
    expect(definition.steps.find((s) => s.id === "long")!.needs).toBeUndefined();
    definition = disconnectSteps(definition, "check", "long", "then");
    expect(definition.steps.find((s) => s.id === "check")).toMatchObject({ then: [] });
  });

  it("removes steps and every link to them", () => {
    const definition = removeSteps(sample(), ["long"]);
    expect(definition.steps.map((s) => s.id)).toEqual(["load", "check"]);
    expect(definition.steps.find((s) => s.id === "check")).toMatchObject({ then: [], else: [] });
  });

  it("renames a step everywhere it is named, and refuses a bad or taken id", () => {
    const renamed = renameStep(sample(), "load", "fetch");
    expect(renamed.ok).toBe(true);
    const definition = (renamed as { definition: WorkflowDefinition }).definition;
    expect(definition.steps[0]!.id).toBe("fetch");
    expect(definition.steps[1]).toMatchObject({ if: "steps.fetch.output.length > 3" });
    expect(definition.steps[2]).toMatchObject({ needs: ["fetch"], inputs: { v: "{{ steps['fetch'].output }}" } });
    expect(definition.outputs).toEqual({ result: "{{ steps.fetch.output }}" });
    expect(validateDefinition(definition).issues).toEqual([]);

    expect(renameStep(sample(), "load", "Bad Id").ok).toBe(false);
    expect(renameStep(sample(), "load", "check").ok).toBe(false);
  });

  it("stores rounded positions and keeps the same object when nothing moved", () => {
    const definition = withPositions(sample(), new Map([["load", { x: 1.4, y: 2.6 }]]));
    expect(definition.steps[0]!.position).toEqual({ x: 1, y: 3 });
    expect(withPositions(definition, new Map([["load", { x: 1, y: 3 }]]))).toBe(definition);
  });
});

describe("comparing definitions", () => {
  it("ignores key order and unset fields", () => {
    expect(canonicalJson({ b: 1, a: { d: undefined, c: [2, { y: 1, x: 2 }] } })).toBe(canonicalJson({ a: { c: [2, { x: 2, y: 1 }] }, b: 1 }));
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: 2 }));
  });
});

describe("placing a new step", () => {
  it("moves down until it covers no drawn step", () => {
    const taken = [{ x: 0, y: 0 }, { x: 10, y: 110 }, { x: 600, y: 220 }];
    expect(freeSpot({ x: 5, y: 20 }, taken)).toEqual({ x: 5, y: 240 });
    expect(freeSpot({ x: 300, y: 0 }, taken)).toEqual({ x: 300, y: 0 });
  });
});
