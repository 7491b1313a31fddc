import { describe, expect, it } from "vitest";
import { STARTERS } from "../starters";
import { definitionToYaml, yamlToDefinition } from "./yaml-text";

describe("the editor's YAML view", () => {
  it("round-trips a definition, with each step's id, name and kind first", () => {
    const definition = STARTERS[0]!.definition;
    const text = definitionToYaml(definition);
    expect(text).toMatch(/^name: Word statistics$/m);
    expect(text).toMatch(/- id: split\n\s+name: Split into words\n\s+kind: code/);
    expect(text.indexOf("position:")).toBeGreaterThan(text.indexOf("code:"));
    const back = yamlToDefinition(text);
    expect(back).toEqual({ ok: true, definition });
  });

  it("reports a syntax error with its line", () => {
    const result = yamlToDefinition("name: x\nsteps:\n  - id: a\n   kind: [code\n");
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues[0]!.message).toMatch(/line \d/);
  });

  it("names the step whose shape is wrong", () => {
    const result = yamlToDefinition("name: x\nsteps:\n  - id: fetch\n    kind: http\n    method: FETCH\n    url: https://example.com\n");
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issues[0]).toMatchObject({ code: "schema", stepId: "fetch" });
    }
  });
});
