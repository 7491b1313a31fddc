import { describe, expect, it } from "vitest";
import type { WorkflowDefinition } from "@/server/shared/workflow-definition";
import { dependencyEdges, dependenciesByStep, stepsInExpression, stepsInTemplates } from "./dependencies";

const definition = {
  name: "Review",
  steps: [
    { id: "fetch", kind: "http", method: "GET", url: "{{ input.url }}" },
    { id: "plan", kind: "llm", prompt: "Plan from {{ steps.fetch.output.body }}", needs: ["fetch"] },
    { id: "risky", kind: "condition", if: "steps.plan.output.length > 10 && steps['fetch'].output.status === 200", then: ["approve"], else: ["done"] },
    { id: "approve", kind: "approval", message: "Go?", scope: "workflows:run", needs: ["risky"] },
    {
      id: "each",
      kind: "map",
      items: "{{ steps.plan.output }}",
      concurrency: 2,
      step: { kind: "code", code: "return item;", inputs: { from: "{{ steps.approve.output }}" } },
      // Compensation reads another step but must not hold this one back.
      compensate: { kind: "code", code: "return 1;", inputs: { x: "{{ steps.done.output }}" } },
    },
    { id: "done", kind: "code", code: "return 1;", inputs: {}, revise: { from: "plan", if: "false", max: 2 } },
  ],
} as unknown as WorkflowDefinition;

describe("dependency edges", () => {
  it("finds step paths in expressions and templates", () => {
    expect(stepsInExpression("steps.a.output && steps[\"b-c\"].x || mysteps.z")).toEqual(["a", "b-c"]);
    expect(stepsInTemplates({ a: ["{{ steps.x.output }} and {{steps.y}}", "steps.z"], n: 1 })).toEqual(["x", "y"]);
  });

  it("draws needs, data, branch and revise edges once per pair", () => {
    const edges = dependencyEdges(definition);
    const ids = edges.map((e) => e.id).sort();
    expect(ids).toEqual(
      [
        "needs:fetch->plan",
        "data:plan->risky",
        "data:fetch->risky",
        "then:risky->approve",
        "else:risky->done",
        "data:plan->each",
        "data:approve->each",
        "revise:done->plan",
      ].sort(),
    );
  });

  it("lists what each step waits for, without the loop back or the compensation", () => {
    const deps = dependenciesByStep(definition);
    expect(deps.get("each")!.sort()).toEqual(["approve", "plan"]);
    expect(deps.get("plan")).toEqual(["fetch"]);
    expect(deps.get("done")).toEqual(["risky"]);
  });
});
