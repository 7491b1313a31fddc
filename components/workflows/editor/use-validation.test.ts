import { describe, expect, it } from "vitest";
import { STARTERS } from "../starters";
import { attributeIssues } from "./use-validation";

describe("draft validation", () => {
  it("names the step of an issue found by its path", () => {
    const definition = STARTERS[0]!.definition;
    const [issue] = attributeIssues([{ code: "schema", message: "bad", path: ["steps", 1, "items"] }], definition);
    expect(issue!.stepId).toBe(definition.steps[1]!.id);
    const [kept] = attributeIssues([{ code: "schema", message: "bad", path: ["name"] }], definition);
    expect(kept!.stepId).toBeUndefined();
  });
});
