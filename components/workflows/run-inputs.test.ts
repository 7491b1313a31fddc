import { describe, expect, it } from "vitest";
import { initialInputValues, inputFields, parseInputValues } from "./run-inputs";

const fields = inputFields({
  request: { type: "string", description: "What to do" },
  limit: { type: "integer", default: 3 },
  ratio: { type: "number", required: false },
  dryRun: { type: "boolean", default: true },
  options: { type: "object", default: { deep: true } },
  items: { type: "array" },
  anything: { type: "any", required: false },
});

describe("run form from typed inputs", () => {
  it("picks a control per type and knows what is required", () => {
    expect(fields.map((f) => [f.name, f.control, f.required])).toEqual([
      ["request", "text", true],
      ["limit", "number", false],
      ["ratio", "number", false],
      ["dryRun", "boolean", false],
      ["options", "json", false],
      ["items", "json", true],
      ["anything", "json", false],
    ]);
    expect(initialInputValues(fields)).toEqual({ request: "", limit: "3", ratio: "", dryRun: true, options: '{\n  "deep": true\n}', items: "", anything: "" });
  });

  it("turns typed text into typed values, leaving empty optional fields to their defaults", () => {
    const values = { ...initialInputValues(fields), request: "Ship it", items: "[1, 2]", anything: "plain words" };
    expect(parseInputValues(fields, values)).toEqual({
      input: { request: "Ship it", limit: 3, dryRun: true, options: { deep: true }, items: [1, 2], anything: "plain words" },
      errors: {},
    });
  });

  it("names what is wrong with each field", () => {
    const values = { request: "  ", limit: "2.5", ratio: "abc", dryRun: false, options: "[1]", items: "{bad" };
    const { errors } = parseInputValues(fields, values);
    expect(errors.request).toBe("is required");
    expect(errors.limit).toBe("must be a whole number");
    expect(errors.ratio).toBe("must be a number");
    expect(errors.options).toBe("must be a JSON object, not an array");
    expect(errors.items).toMatch(/^is not valid JSON/);
  });
});
