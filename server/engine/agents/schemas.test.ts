import { describe, expect, it } from "vitest";
import { PLAN_SCHEMA, VERDICT_SCHEMA, planProblems, problemsWith, toJsonSchema, type Plan, type Subtask } from "./schemas.ts";

const subtask = (id: string, dependsOn: string[] = []): Subtask => ({ id, title: id, description: id, dependsOn, tools: [], risk: "low" });
const plan = (...subtasks: Subtask[]): Plan => ({ summary: "s", subtasks, assumptions: [] });

describe("plan checks", () => {
  it("accepts a DAG", () => {
    expect(planProblems(plan(subtask("a"), subtask("b", ["a"]), subtask("c", ["a", "b"])))).toEqual([]);
  });

  it("names unknown, self and duplicate references, and cycles", () => {
    expect(planProblems(plan(subtask("a", ["zz"]), subtask("b", ["b"]), subtask("b")))).toEqual([
      'subtasks[2].id: "b" is used twice',
      'subtasks[0].dependsOn: "zz" is not a sub-task of the plan',
      'subtasks[1].dependsOn: "b" depends on itself',
    ]);
    expect(planProblems(plan(subtask("a", ["c"]), subtask("b", ["a"]), subtask("c", ["b"])))).toEqual([
      "subtasks: the dependencies form a cycle (a → c → b → a); a sub-task cannot wait for itself",
    ]);
    expect(planProblems(plan())).toEqual(["subtasks: the plan needs at least one sub-task"]);
  });

  it("checks the type first, the graph only once the type fits", () => {
    expect(problemsWith({ summary: "s", subtasks: [{ id: "a" }], assumptions: [] }, PLAN_SCHEMA)).toContain("subtasks[0].title: missing (required)");
    expect(problemsWith(plan(subtask("a", ["a"])), PLAN_SCHEMA)).toEqual(['subtasks[0].dependsOn: "a" depends on itself']);
  });
});

describe("JSON Schemas for the submit tool", () => {
  it("closes objects, keeps enums, required fields and descriptions", () => {
    expect(toJsonSchema({ type: "object", properties: { risk: { type: "string", enum: ["low", "high"], description: "How risky" }, note: { type: "any" } }, required: ["risk"] })).toEqual({
      type: "object",
      properties: { risk: { type: "string", enum: ["low", "high"], description: "How risky" }, note: {} },
      required: ["risk"],
      additionalProperties: false,
    });
  });

  it("gives the verifier's scores their bounds, and checks them", () => {
    const scores = (VERDICT_SCHEMA.jsonSchema.properties as Record<string, { properties: Record<string, unknown> }>).scores.properties;
    expect(scores.safety).toMatchObject({ type: "number", minimum: 0, maximum: 1 });
    const verdict = { passed: true, scores: { correctness: 1, transparency: 1, safety: -0.1, autonomy: 1, fairness: 2 }, reasons: [], revisions: [] };
    expect(problemsWith(verdict, VERDICT_SCHEMA)).toEqual(["scores.safety: expected a number from 0 to 1, got -0.1", "scores.fairness: expected a number from 0 to 1, got 2"]);
  });
});
