// Checks a value against a declared TypeSpec (the definition's JSON-Schema subset) and
// names each problem by its path, so a model asked to repair its answer knows what to fix.
import type { TypeSpec, ValueType } from "../../shared/workflow-definition.ts";

/** The type a JSON value has, in TypeSpec words ("null" for null). */
export function typeOfValue(value: unknown): ValueType | "null" | "undefined" {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  if (typeof value === "string" || typeof value === "boolean" || typeof value === "object") return typeof value as ValueType;
  return "any";
}

/** Does a value have the declared type (a definition's inputs, a TypeSpec, a tool's argument)? */
export function valueFits(value: unknown, type: ValueType): boolean {
  switch (type) {
    case "any":
      return true;
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "integer":
      return Number.isInteger(value);
    case "boolean":
      return typeof value === "boolean";
    case "array":
      return Array.isArray(value);
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
  }
}

/** The type named after "got" in a problem. An integer is a number too: "got number" reads better than "got integer" for 3 vs a string. */
export const describeType = (value: unknown) => (typeOfValue(value) === "integer" ? "number" : typeOfValue(value));

const at = (path: string, problem: string) => (path ? `${path}: ${problem}` : problem);
const child = (path: string, key: string) => (path ? `${path}.${key}` : key);

/** Human-readable problems (`subtasks[0].title: expected string, got number`); empty when the value fits. */
export function checkAgainstTypeSpec(value: unknown, spec: TypeSpec, path = ""): string[] {
  if (!valueFits(value, spec.type)) {
    const expected = spec.type === "integer" && typeof value === "number" ? "integer" : spec.type;
    const got = spec.type === "integer" && typeof value === "number" ? `${value}` : describeType(value);
    return [at(path, `expected ${expected}, got ${got}`)];
  }
  const problems: string[] = [];
  if (spec.enum && !spec.enum.some((option) => option === value)) {
    problems.push(at(path, `expected one of ${spec.enum.map((o) => JSON.stringify(o)).join(", ")}, got ${JSON.stringify(value) ?? describeType(value)}`));
  }
  if (Array.isArray(value) && spec.items) {
    const items = spec.items;
    value.forEach((item, index) => problems.push(...checkAgainstTypeSpec(item, items, `${path}[${index}]`)));
  }
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    for (const key of spec.required ?? []) {
      if (record[key] === undefined) problems.push(`${child(path, key)}: missing (required)`);
    }
    for (const [key, propertySpec] of Object.entries(spec.properties ?? {})) {
      if (record[key] !== undefined) problems.push(...checkAgainstTypeSpec(record[key], propertySpec, child(path, key)));
    }
  }
  return problems;
}
