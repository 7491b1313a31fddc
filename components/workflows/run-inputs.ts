// The Run form, generated from the workflow's typed inputs: which control each input gets,
// what it starts with, and how the typed text becomes the run's input (or per-field errors).
import type { InputSpec, ValueType } from "@/server/shared/workflow-definition";

export type InputControl = "text" | "number" | "boolean" | "json";

export interface InputField {
  name: string;
  spec: InputSpec;
  control: InputControl;
  /** Required unless it has a default or says `required: false`. */
  required: boolean;
}

export type InputValues = Record<string, string | boolean>;

const CONTROLS: Record<ValueType, InputControl> = {
  string: "text",
  number: "number",
  integer: "number",
  boolean: "boolean",
  object: "json",
  array: "json",
  any: "json",
};

export function inputFields(inputs: Record<string, InputSpec>): InputField[] {
  return Object.entries(inputs).map(([name, spec]) => ({
    name,
    spec,
    control: CONTROLS[spec.type],
    required: spec.required !== false && spec.default === undefined,
  }));
}

/** Each field's starting text: its default, shown the way it would be typed. */
export function initialInputValues(fields: readonly InputField[]): InputValues {
  const values: InputValues = {};
  for (const field of fields) {
    const fallback = field.spec.default;
    if (field.control === "boolean") values[field.name] = fallback === true;
    else if (fallback === undefined) values[field.name] = "";
    else if (field.control === "json") values[field.name] = JSON.stringify(fallback, null, 2);
    else values[field.name] = String(fallback);
  }
  return values;
}

export interface ParsedInput {
  input: Record<string, unknown>;
  /** Per field name, what is wrong (in words that follow the field's name). */
  errors: Record<string, string>;
}

function jsonKind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** The run's input from the form: empty optional fields are left out, so defaults apply. */
export function parseInputValues(fields: readonly InputField[], values: InputValues): ParsedInput {
  const input: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const raw = values[field.name];
    if (field.control === "boolean") {
      input[field.name] = raw === true;
      continue;
    }
    const text = typeof raw === "string" ? raw : "";
    if (text.trim() === "") {
      if (field.required) errors[field.name] = "is required";
      continue;
    }
    if (field.control === "text") {
      input[field.name] = text;
    } else if (field.control === "number") {
      const value = Number(text.trim());
      if (!Number.isFinite(value)) errors[field.name] = "must be a number";
      else if (field.spec.type === "integer" && !Number.isInteger(value)) errors[field.name] = "must be a whole number";
      else input[field.name] = value;
    } else {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        // "any" also takes plain text.
        if (field.spec.type === "any") input[field.name] = text;
        else errors[field.name] = `is not valid JSON (${error instanceof Error ? error.message : "parse error"})`;
        continue;
      }
      const kind = jsonKind(value);
      if (field.spec.type === "object" && kind !== "object") errors[field.name] = `must be a JSON object, not ${kind === "array" ? "an array" : kind}`;
      else if (field.spec.type === "array" && kind !== "array") errors[field.name] = `must be a JSON array, not ${kind === "object" ? "an object" : kind}`;
      else input[field.name] = value;
    }
  }
  return { input, errors };
}
