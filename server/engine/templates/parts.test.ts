// The shared template parts: the steps they build fit together into a valid workflow,
// and the report code they splice runs in the sandbox as the reports expect.
import { describe, expect, it } from "vitest";
import { validateDefinition } from "../definition/index.ts";
import { runCode } from "../sandbox/index.ts";
import { analyzeStep, approvalWhen, executeEachSubtask, planStep, reportOutputs, reportStep, verifyStep } from "./parts.ts";
import { pairSubtasksWithResults, verdictSentence } from "./report-code.ts";
import { subtaskResultSpec, summaryAndListSpec } from "./specs.ts";

const ITEMS_SPEC = summaryAndListSpec({
  summary: "In short.",
  list: "items",
  listDescription: "The items.",
  idPrefix: "i",
  title: "The item.",
  description: "What it is.",
  fields: { weight: { type: "integer" } },
});

function arcDefinition(withApproval: boolean) {
  return {
    name: "Arc",
    inputs: { topic: { type: "string" as const } },
    steps: [
      analyzeStep({ name: "Analyze", preset: "issue-analysis", system: "Analyze.", prompt: "{{ input.topic }}", json: ITEMS_SPEC }),
      planStep({ name: "Plan", task: "Plan {{ input.topic }}", context: { items: "{{ steps.analyze.output.items }}" } }),
      ...(withApproval ? approvalWhen({ question: "Risky?", condition: "steps.plan.output.subtasks.length > 3", name: "Approve", message: "Approve?" }) : []),
      executeEachSubtask({
        name: "Execute",
        ...(withApproval && { needs: ["approve"] }),
        preset: "code-generation",
        system: "Do it.",
        prompt: "The topic: {{ input.topic }}",
        json: subtaskResultSpec("done when done.", "The result."),
      }),
      verifyStep({ name: "Verify", task: "Check {{ input.topic }}", context: { items: "{{ steps.analyze.output.items }}" } }),
      reportStep({ inputs: { topic: "{{ input.topic }}" }, approval: withApproval, resultsAs: "drafts", code: "return { summary: input.topic };" }),
    ],
    outputs: reportOutputs({ items: "{{ steps.analyze.output.items }}" }),
  };
}

describe("the steps the templates share", () => {
  it.each([false, true])("fit together into a valid workflow (approval: %s)", (withApproval) => {
    const { definition, issues } = validateDefinition(arcDefinition(withApproval));
    expect(issues).toEqual([]);
    const byId = new Map(definition!.steps.map((step) => [step.id, step]));
    expect(byId.get("plan")).toMatchObject({ agent: "analyst", context: { items: "{{ steps.analyze.output.items }}", feedback: "{{ run.feedback }}" } });
    expect(byId.get("verify")).toMatchObject({ agent: "verifier", context: { plan: "{{ steps.plan.output }}", results: "{{ steps.execute.output }}" }, revise: { from: "plan", max: 1 } });
    expect(byId.get("report")).toMatchObject({ inputs: { drafts: "{{ steps.execute.output }}", verdict: "{{ steps.verify.output }}" } });
    expect("approval" in (byId.get("report") as { inputs: object }).inputs).toBe(withApproval);
    expect(Object.keys(definition!.outputs)).toEqual(["summary", "items", "verdict"]);
  });

  it("the verifier can send the plan back to another planning step, more than once", () => {
    const verify = verifyStep({ name: "Verify", task: "Check", context: {}, planStepId: "analyze", results: "{{ steps.execute.output.results }}", max: 2 });
    expect(verify).toMatchObject({ context: { plan: "{{ steps.analyze.output }}", results: "{{ steps.execute.output.results }}" }, revise: { from: "analyze", max: 2 } });
  });

  it("the sub-task prompt opens with the sub-task", () => {
    const execute = executeEachSubtask({ name: "Execute", preset: "chat", system: "Do it.", prompt: "More.", json: subtaskResultSpec("a", "b") });
    expect(execute.step).toMatchObject({ prompt: "{{ item.title }}.\n{{ item.description }}\n\nMore." });
  });

  it("an analysis list requires every field of its items", () => {
    const list = ITEMS_SPEC.properties!.items!;
    expect(ITEMS_SPEC.required).toEqual(["summary", "items"]);
    expect(list.items!.required).toEqual(["id", "title", "description", "weight"]);
    expect(list.items!.properties!.id!.description).toBe("A short id: i1, i2, ...");
  });
});

describe("the report code the templates share", () => {
  it("pairs each planned sub-task with the result at its index, a missing one as skipped", async () => {
    const code = `${pairSubtasksWithResults({ results: "fixes", as: "changes", fields: ["title: s.title", "risk: s.risk"], output: "fix" })}\nreturn changes;`;
    const plan = { subtasks: [{ id: "s1", title: "First", risk: "low" }, { id: "s2", title: "Second", risk: "high" }] };
    const { value } = await runCode(code, { plan, fixes: [{ status: "done", output: "the fix" }] });
    expect(value).toEqual([
      { subtaskId: "s1", title: "First", risk: "low", status: "done", fix: "the fix" },
      { subtaskId: "s2", title: "Second", risk: "high", status: "skipped", fix: "" },
    ]);
    expect((await runCode(code, { plan: null })).value).toEqual([]);
  });

  it("says whether the verifier passed, with its reasons when not", async () => {
    const code = `const verdict = input.verdict || {};\nreturn ${verdictSentence("document")};`;
    expect((await runCode(code, { verdict: { passed: true, reasons: ["Complete."] } })).value).toBe("The verifier passed the document.");
    expect((await runCode(code, { verdict: { passed: false, reasons: ["Too short.", "No examples."] } })).value).toBe(
      "The verifier did not pass the document: Too short. No examples.",
    );
    expect((await runCode(code, {})).value).toBe("The verifier did not pass the document: ");
  });
});
