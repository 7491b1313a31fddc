import { describe, expect, it } from "vitest";
import { validateDefinition } from "../definition/index.ts";
import { findTemplate, TEMPLATES } from "./index.ts";

describe("workflow templates", () => {
  it.each(TEMPLATES.map((t) => [t.slug, t] as const))("%s is a valid definition", (_slug, template) => {
    const { definition, issues } = validateDefinition(template.definition);
    expect(issues).toEqual([]);
    expect(definition).toEqual(template.definition);
  });

  it("slugs are unique and found by slug", () => {
    expect(new Set(TEMPLATES.map((t) => t.slug)).size).toBe(TEMPLATES.length);
    expect(findTemplate("agent-pipeline")?.name).toBe("Agent pipeline");
    expect(findTemplate("no-such-template")).toBeUndefined();
  });

  it("the agent pipeline plans, reviews, approves when risky, executes and verifies", () => {
    const { definition } = findTemplate("agent-pipeline")!;
    expect(definition.inputs).toEqual({ request: expect.objectContaining({ type: "string" }) });
    expect(definition.steps.map((s) => [s.id, s.kind])).toEqual([
      ["analyze", "agent"],
      ["gate", "agent"],
      ["risky", "condition"],
      ["approve", "approval"],
      ["execute", "agent"],
      ["verify", "agent"],
    ]);
    const byId = new Map(definition.steps.map((s) => [s.id, s]));
    expect(byId.get("gate")!.revise).toMatchObject({ from: "analyze", max: 2 });
    expect(byId.get("verify")!.revise).toMatchObject({ from: "analyze", max: 2 });
    expect(byId.get("risky")).toMatchObject({ then: ["approve"] });
    expect(byId.get("approve")).toMatchObject({ scope: "workflows:run" });
    expect(Object.keys(definition.outputs).sort()).toEqual(["plan", "results", "summary", "verdict"]);
  });
});
