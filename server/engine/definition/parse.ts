// Workflow definitions as text: YAML or JSON in (with syntax errors located by line and
// column), and a stable, readable YAML or JSON out whose keys follow the order people
// read a workflow in. parse(serialize(d)) gives back d.
import { parseDocument, stringify } from "yaml";
import type { DefinitionIssue, StepKind, WorkflowDefinition } from "../../shared/workflow-definition.ts";
import { validateDefinition, type DefinitionResult } from "./validate.ts";

/** Larger documents are refused before parsing (1 MB of UTF-8). */
export const MAX_DEFINITION_BYTES = 1024 * 1024;

function utf8Length(text: string): number {
  // Cheap bound first: no character takes more than 3 bytes in UTF-16 → UTF-8.
  return text.length * 3 <= MAX_DEFINITION_BYTES ? text.length : new TextEncoder().encode(text).length;
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === "\n") {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

const syntaxIssue = (format: "YAML" | "JSON", text: string, offset: number, problem: string): DefinitionIssue => {
  const { line, column } = lineAndColumn(text, offset);
  return { code: "syntax", message: `${format} syntax error at line ${line}, column ${column}: ${problem}` };
};

/** Parses YAML or JSON text (auto: JSON when it starts with "{") and validates it. Never throws. */
export function parseWorkflowText(text: string, format: "yaml" | "json" | "auto" = "auto"): DefinitionResult {
  const bytes = utf8Length(text);
  if (bytes > MAX_DEFINITION_BYTES) {
    return { definition: null, issues: [{ code: "syntax", message: `The definition is ${bytes} bytes; at most ${MAX_DEFINITION_BYTES} are accepted` }] };
  }
  const source = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const asJson = format === "json" || (format === "auto" && source.trimStart().startsWith("{"));
  const parsed = asJson ? readJson(source) : readYaml(source);
  if ("issue" in parsed) return { definition: null, issues: [parsed.issue] };
  return validateDefinition(parsed.value);
}

type Read = { value: unknown } | { issue: DefinitionIssue };

function readYaml(text: string): Read {
  const document = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const error = document.errors[0];
  if (error) return { issue: syntaxIssue("YAML", text, error.pos[0], error.message) };
  try {
    // The alias cap keeps "billion laughs" documents from expanding.
    return { value: document.toJS({ maxAliasCount: 100 }) };
  } catch (failure) {
    return { issue: { code: "syntax", message: `YAML could not be read: ${failure instanceof Error ? failure.message : String(failure)}` } };
  }
}

function readJson(text: string): Read {
  try {
    return { value: JSON.parse(text) };
  } catch (failure) {
    // The engine's message does not always say where; find the spot ourselves.
    const located = locateJsonError(text);
    if (located) return { issue: syntaxIssue("JSON", text, located.offset, located.problem) };
    return { issue: { code: "syntax", message: `JSON syntax error: ${failure instanceof Error ? failure.message : String(failure)}` } };
  }
}

/** Where JSON text first goes wrong, by a small recursive-descent scan (only run after JSON.parse failed). */
function locateJsonError(text: string): { offset: number; problem: string } | null {
  let at = 0;
  class Stop {
    constructor(readonly problem: string) {}
  }
  const describe = () => (at >= text.length ? "unexpected end of text" : `unexpected ${JSON.stringify(text[at])}`);
  const spaces = () => {
    while (at < text.length && " \t\n\r".includes(text[at])) at++;
  };
  const expect = (char: string, what: string) => {
    if (text[at] !== char) throw new Stop(`${describe()}, expected ${what}`);
    at++;
  };
  const string = () => {
    expect('"', 'a double-quoted string');
    for (;;) {
      if (at >= text.length) throw new Stop("unterminated string");
      const char = text[at];
      if (char === '"') return void at++;
      if (char < " ") throw new Stop("control character in string");
      if (char === "\\") {
        at++;
        if (text[at] === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(at + 1, at + 5))) at += 5;
        else if (at < text.length && '"\\/bfnrt'.includes(text[at])) at++;
        else throw new Stop("bad escape in string");
      } else at++;
    }
  };
  const value = (): void => {
    spaces();
    const char = text[at];
    if (char === "{") {
      at++;
      spaces();
      if (text[at] === "}") return void at++;
      for (;;) {
        spaces();
        string();
        spaces();
        expect(":", '":"');
        value();
        spaces();
        if (text[at] === "}") return void at++;
        expect(",", '"," or "}"');
      }
    }
    if (char === "[") {
      at++;
      spaces();
      if (text[at] === "]") return void at++;
      for (;;) {
        value();
        spaces();
        if (text[at] === "]") return void at++;
        expect(",", '"," or "]"');
      }
    }
    if (char === '"') return string();
    const literal = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(at, at + 400));
    if (!literal) throw new Stop(`${describe()}, expected a value`);
    at += literal[0].length;
  };
  try {
    value();
    spaces();
    if (at < text.length) throw new Stop(`${describe()} after the end of the document`);
    return null;
  } catch (stop) {
    if (stop instanceof Stop) return { offset: at, problem: stop.problem };
    return null;
  }
}

// ---------------------------------------------------------------- serializing

const TOP_KEYS = ["schemaVersion", "name", "description", "inputs", "outputs", "routing", "limits", "steps"];
const STEP_HEAD = ["id", "name", "kind", "needs"];
const STEP_TAIL = ["description", "timeoutMs", "retry", "output", "compensate", "position"];
const KIND_KEYS: Record<StepKind, string[]> = {
  llm: ["prompt", "system", "model", "strategy", "preset", "json", "temperature", "maxTokens"],
  agent: ["agent", "task", "context"],
  tool: ["tool", "arguments"],
  code: ["code", "inputs", "memoryMb"],
  http: ["method", "url", "headers", "body"],
  condition: ["if", "then", "else"],
  map: ["items", "concurrency", "step"],
  approval: ["message", "scope"],
};
const TYPE_KEYS = ["type", "description", "properties", "items", "required", "enum"];
const INPUT_KEYS = ["type", "description", "required", "default"];
const RETRY_KEYS = ["attempts", "backoff", "delayMs", "maxDelayMs"];

type Plain = Record<string, unknown>;
const isPlain = (value: unknown): value is Plain => typeof value === "object" && value !== null && !Array.isArray(value);
const isEmpty = (value: unknown) => value === "" || (Array.isArray(value) ? value.length === 0 : isPlain(value) && Object.keys(value).length === 0);

/** A copy with `order` first, the remaining keys after, undefined values and listed empty defaults dropped. */
function ordered(source: Plain, order: readonly string[], rewrite: (key: string, value: unknown) => unknown = (_key, value) => value, droppedWhenEmpty: readonly string[] = []): Plain {
  const out: Plain = {};
  const keys = [...order.filter((key) => Object.hasOwn(source, key)), ...Object.keys(source).filter((key) => !order.includes(key))];
  for (const key of keys) {
    const value = source[key];
    if (value === undefined || (droppedWhenEmpty.includes(key) && isEmpty(value))) continue;
    Object.defineProperty(out, key, { value: rewrite(key, value), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function orderType(spec: unknown): unknown {
  if (!isPlain(spec)) return spec;
  return ordered(spec, TYPE_KEYS, (key, value) => {
    if (key === "items") return orderType(value);
    if (key === "properties" && isPlain(value)) return ordered(value, [], (_name, property) => orderType(property));
    return value;
  });
}

function orderStep(step: Plain): Plain {
  const kind = step.kind as StepKind;
  const order = [...STEP_HEAD, ...(KIND_KEYS[kind] ?? []), ...STEP_TAIL];
  // These defaults come back on parse, so leaving them out keeps the text short without losing anything.
  const droppedWhenEmpty = ["arguments", "inputs", "then", "else"];
  return ordered(
    step,
    order,
    (key, value) => {
      if ((key === "step" || key === "compensate") && isPlain(value)) return orderStep(value);
      if (key === "output" || (key === "json" && isPlain(value))) return orderType(value);
      if (key === "retry" && isPlain(value)) return ordered(value, RETRY_KEYS);
      return value;
    },
    droppedWhenEmpty,
  );
}

function orderDefinition(definition: WorkflowDefinition): Plain {
  return ordered(
    definition as unknown as Plain,
    TOP_KEYS,
    (key, value) => {
      if (key === "steps" && Array.isArray(value)) return value.map((step: unknown) => (isPlain(step) ? orderStep(step) : step));
      if (key === "inputs" && isPlain(value)) return ordered(value, [], (_name, spec) => (isPlain(spec) ? ordered(spec, INPUT_KEYS) : spec));
      return value;
    },
    ["description", "inputs", "outputs"],
  );
}

/** Stable, readable text for a definition: YAML in block style (multi-line strings as block scalars) or indented JSON. */
export function serializeDefinition(definition: WorkflowDefinition, format: "yaml" | "json"): string {
  const document = orderDefinition(definition);
  if (format === "json") return `${JSON.stringify(document, null, 2)}\n`;
  return stringify(document, { aliasDuplicateObjects: false, blockQuote: "literal", lineWidth: 0, collectionStyle: "block" });
}
