import { describe, expect, it } from "vitest";
import type { TypeSpec } from "../../shared/workflow-definition.ts";
import { checkAgainstTypeSpec } from "./type-check.ts";

const PLAN: TypeSpec = {
  type: "object",
  required: ["goal", "subtasks"],
  properties: {
    goal: { type: "string" },
    priority: { type: "string", enum: ["low", "high"] },
    subtasks: {
      type: "array",
      items: { type: "object", required: ["title"], properties: { title: { type: "string" }, hours: { type: "integer" } } },
    },
  },
};

describe("checkAgainstTypeSpec", () => {
  it("accepts a value that fits, extra properties included", () => {
    expect(checkAgainstTypeSpec({ goal: "ship", priority: "high", subtasks: [{ title: "a", hours: 2, note: "x" }] }, PLAN)).toEqual([]);
  });

  it("names every problem by its path", () => {
    const problems = checkAgainstTypeSpec({ subtasks: [{ title: 1 }, { hours: 1.5 }], priority: "urgent" }, PLAN);
    expect(problems).toEqual([
      "goal: missing (required)",
      'priority: expected one of "low", "high", got "urgent"',
      "subtasks[0].title: expected string, got number",
      "subtasks[1].title: missing (required)",
      "subtasks[1].hours: expected integer, got 1.5",
    ]);
  });

  it("reports a wrong type at the top without a path", () => {
    expect(checkAgainstTypeSpec("text", PLAN)).toEqual(["expected object, got string"]);
    expect(checkAgainstTypeSpec([1], PLAN)).toEqual(["expected object, got array"]);
    expect(checkAgainstTypeSpec(null, { type: "string" })).toEqual(["expected string, got null"]);
  });

  it("treats integers as numbers and any as anything", () => {
    expect(checkAgainstTypeSpec(3, { type: "number" })).toEqual([]);
    expect(checkAgainstTypeSpec(3.5, { type: "integer" })).toEqual(["expected integer, got 3.5"]);
    expect(checkAgainstTypeSpec({ deep: [1, "x"] }, { type: "any" })).toEqual([]);
    expect(checkAgainstTypeSpec("yes", { type: "boolean" })).toEqual(["expected boolean, got string"]);
  });
});
