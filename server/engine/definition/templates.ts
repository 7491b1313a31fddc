// Templates in step fields: "{{ path }}" alone yields the value itself (typed); with text
// around it, each expression is interpolated as text. Expressions are paths only — no
// operators, no calls — so resolving one is a walk over plain data and can never run code.
// Resolution happens for every step execution, so compiled templates are cached by text.
import type { MapItemStep, StepDefinition, StepKind } from "../../shared/workflow-definition.ts";

export const TEMPLATE_ROOTS = ["input", "steps", "item", "index", "run"] as const;
export type TemplateRoot = (typeof TEMPLATE_ROOTS)[number];
export type PathSegment = string | number;

/** One `{{ expr }}` found in a value: its root, the step for `steps.<id>`, and the path after them. */
export interface TemplateReference {
  root: TemplateRoot;
  /** For `steps.<id>...`: the step id. */
  stepId?: string;
  /** Segments after the root (after the step id for `steps`): `steps.plan.output.a[0]` → ["output", "a", 0]. */
  path: PathSegment[];
  /** The expression as written, trimmed. */
  expression: string;
}

export interface TemplateScope {
  input: Record<string, unknown>;
  steps: Record<string, { output: unknown; status?: string }>;
  item?: unknown;
  index?: number;
  /** revision and feedback: set once a step sent the run back for another round (`revise`). */
  run: { id: string; revision?: number; feedback?: unknown };
}

interface CompiledExpression {
  reference: TemplateReference;
  root: TemplateRoot;
  /** What to walk from the root's value (the step id first for `steps`). */
  segments: readonly PathSegment[];
}

/** A template string, parsed once. */
export interface CompiledTemplate {
  /** "literal": no expressions; "value": one expression and nothing else; "text": interpolation. */
  kind: "literal" | "value" | "text";
  references: readonly TemplateReference[];
  /** Malformed expressions (kept as literal text when resolving). */
  errors: readonly string[];
  parts: readonly (string | CompiledExpression)[];
}

// ---------------------------------------------------------------- parsing

const IDENTIFIER = /[A-Za-z_$][\w$]*/y;
const DIGITS = /\d+/y;
const ROOT_SET: ReadonlySet<string> = new Set(TEMPLATE_ROOTS);

function matchAt(pattern: RegExp, text: string, at: number): string | null {
  pattern.lastIndex = at;
  const match = pattern.exec(text);
  return match ? match[0] : null;
}

/** Reads `"..."` or `'...'` starting at `at` (a quote); returns the text and the index after it. */
function readQuoted(text: string, at: number): { value: string; end: number } | null {
  const quote = text[at];
  let value = "";
  for (let i = at + 1; i < text.length; i++) {
    const char = text[i];
    if (char === quote) return { value, end: i + 1 };
    if (char === "\\" && i + 1 < text.length) {
      i++;
      value += text[i];
    } else value += char;
  }
  return null;
}

function skipSpaces(text: string, at: number): number {
  while (at < text.length && (text[at] === " " || text[at] === "\t")) at++;
  return at;
}

function parseExpression(raw: string): CompiledExpression | string {
  const expression = raw.trim();
  if (expression === "") return "empty expression";
  const root = matchAt(IDENTIFIER, expression, 0);
  if (root === null || !ROOT_SET.has(root)) {
    return `"${expression}" must start with input, steps, item, index or run`;
  }
  const segments: PathSegment[] = [];
  let at = root.length;
  while (at < expression.length) {
    const char = expression[at];
    if (char === ".") {
      const name = matchAt(IDENTIFIER, expression, at + 1) ?? matchAt(DIGITS, expression, at + 1);
      if (name === null) return `expected a name after "." in "${expression}"`;
      segments.push(/^\d/.test(name) ? Number(name) : name);
      at += 1 + name.length;
    } else if (char === "[") {
      at = skipSpaces(expression, at + 1);
      const digits = matchAt(DIGITS, expression, at);
      if (digits !== null) {
        segments.push(Number(digits));
        at += digits.length;
      } else if (expression[at] === '"' || expression[at] === "'") {
        const quoted = readQuoted(expression, at);
        if (quoted === null) return `unterminated string in "${expression}"`;
        segments.push(quoted.value);
        at = quoted.end;
      } else return `expected a number or a quoted key after "[" in "${expression}"`;
      at = skipSpaces(expression, at);
      if (expression[at] !== "]") return `expected "]" in "${expression}"`;
      at++;
    } else {
      const rest = expression.slice(at).trim();
      const shown = rest.length > 20 ? `${rest.slice(0, 20)}…` : rest;
      return `unexpected "${shown}" in "${expression}" (expressions are paths like steps.plan.output.items[0]; no operators or calls)`;
    }
  }
  const typedRoot = root as TemplateRoot;
  if (typedRoot === "steps") {
    const [stepId, ...path] = segments;
    if (typeof stepId !== "string") return `"${expression}" must name a step, e.g. steps.plan.output`;
    const reference: TemplateReference = Object.freeze({ root: typedRoot, stepId, path: Object.freeze(path) as PathSegment[], expression });
    return { reference, root: typedRoot, segments: Object.freeze(segments) };
  }
  const reference: TemplateReference = Object.freeze({ root: typedRoot, path: Object.freeze(segments) as PathSegment[], expression });
  return { reference, root: typedRoot, segments: reference.path };
}

function parseTemplate(text: string): CompiledTemplate {
  const parts: (string | CompiledExpression)[] = [];
  const errors: string[] = [];
  let literal = "";
  let at = 0;
  for (;;) {
    const open = text.indexOf("{{", at);
    if (open < 0) {
      literal += text.slice(at);
      break;
    }
    const close = text.indexOf("}}", open + 2);
    if (close < 0) {
      errors.push(`"{{" at character ${open + 1} is never closed with "}}"`);
      literal += text.slice(at);
      break;
    }
    literal += text.slice(at, open);
    const parsed = parseExpression(text.slice(open + 2, close));
    if (typeof parsed === "string") {
      errors.push(parsed);
      literal += text.slice(open, close + 2);
    } else {
      if (literal !== "") parts.push(literal);
      literal = "";
      parts.push(parsed);
    }
    at = close + 2;
  }
  if (literal !== "") parts.push(literal);

  const expressions = parts.filter((part): part is CompiledExpression => typeof part !== "string");
  const references = Object.freeze(expressions.map((part) => part.reference));
  if (expressions.length === 0) return { kind: "literal", references, errors, parts: [text] };
  const onlyOneValue = expressions.length === 1 && parts.every((part) => typeof part !== "string" || part.trim() === "");
  if (onlyOneValue) return { kind: "value", references, errors, parts: expressions };
  return { kind: "text", references, errors, parts };
}

// Bounded by entries and by total text held, so large prompts cannot pin much memory.
const CACHE_MAX_ENTRIES = 5000;
const CACHE_MAX_CHARS = 4_000_000;
const cache = new Map<string, CompiledTemplate>();
let cachedChars = 0;

/** Parses a template string (cached by its text). Never throws; malformed parts are listed in `errors`. */
export function compileTemplate(text: string): CompiledTemplate {
  const hit = cache.get(text);
  if (hit) return hit;
  const compiled = Object.freeze(parseTemplate(text));
  cache.set(text, compiled);
  cachedChars += text.length;
  while (cache.size > CACHE_MAX_ENTRIES || cachedChars > CACHE_MAX_CHARS) {
    const oldest = cache.keys().next().value as string;
    cache.delete(oldest);
    cachedChars -= oldest.length;
  }
  return compiled;
}

/** Does the string hold at least one `{{ ... }}`? */
export function isTemplate(value: string): boolean {
  const open = value.indexOf("{{");
  return open >= 0 && value.indexOf("}}", open + 2) >= 0;
}

// ---------------------------------------------------------------- walking values

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Calls `visit` for every string inside a JSON value, with its path inside that value. */
export function scanTemplates(value: unknown, visit: (text: string, path: PathSegment[]) => void, path: PathSegment[] = []): void {
  if (typeof value === "string") visit(value, path);
  else if (Array.isArray(value)) value.forEach((entry, index) => scanTemplates(entry, visit, [...path, index]));
  else if (isPlainObject(value)) for (const [key, entry] of Object.entries(value)) scanTemplates(entry, visit, [...path, key]);
}

/** Every well-formed reference in a JSON value (objects, arrays, strings), in order of appearance. */
export function templateReferences(value: unknown): TemplateReference[] {
  const references: TemplateReference[] = [];
  scanTemplates(value, (text) => {
    if (text.includes("{{")) references.push(...compileTemplate(text).references);
  });
  return references;
}

const STEP_PATH = /(?<![\w$.])steps\s*(?:\.\s*([A-Za-z_$][\w$]*)|\[\s*(["'])([^"'\]]+)\2\s*\])/g;

/** Step ids a condition's JavaScript expression mentions (`steps.x` or `steps["x"]`), once each. */
export function conditionReferences(expression: string): string[] {
  const ids = new Set<string>();
  for (const match of expression.matchAll(STEP_PATH)) ids.add(match[1] ?? match[3]);
  return [...ids];
}

// ---------------------------------------------------------------- resolving

function walk(base: unknown, segments: readonly PathSegment[]): unknown {
  let current = base;
  for (const segment of segments) {
    if (current === null || typeof current !== "object") return null;
    if (Array.isArray(current)) {
      if (typeof segment !== "number") return null;
      current = current[segment];
    } else {
      const key = String(segment);
      // Own keys only: a path must never reach prototype members such as "constructor".
      if (!Object.hasOwn(current, key)) return null;
      current = (current as Record<string, unknown>)[key];
    }
  }
  return current === undefined ? null : current;
}

function evaluate(expression: CompiledExpression, scope: TemplateScope): unknown {
  switch (expression.root) {
    case "input":
      return walk(scope.input, expression.segments);
    case "steps":
      return walk(scope.steps, expression.segments);
    case "item":
      return walk(scope.item, expression.segments);
    case "index":
      return walk(scope.index, expression.segments);
    case "run":
      return walk(scope.run, expression.segments);
  }
}

/** How a value reads inside text: strings as they are, null as nothing, objects as JSON. */
export function templateText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "";
  if (typeof value === "object") {
    try {
      return JSON.stringify(value);
    } catch {
      return String(value);
    }
  }
  return String(value);
}

function resolveString(text: string, scope: TemplateScope): unknown {
  if (!text.includes("{{")) return text;
  const compiled = compileTemplate(text);
  if (compiled.kind === "literal") return text;
  if (compiled.kind === "value") return evaluate(compiled.parts[0] as CompiledExpression, scope);
  let out = "";
  for (const part of compiled.parts) out += typeof part === "string" ? part : templateText(evaluate(part, scope));
  return out;
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  // "__proto__" from parsed JSON is data, not a prototype to assign.
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** Resolves every template inside a JSON value; non-string leaves are returned untouched. Missing values become null. */
export function resolveTemplates<T>(value: T, scope: TemplateScope): unknown {
  if (typeof value === "string") return resolveString(value, scope);
  if (Array.isArray(value)) return value.map((entry: unknown) => resolveTemplates(entry, scope));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value)) setOwn(out, key, resolveTemplates(entry, scope));
    return out;
  }
  return value;
}

// ---------------------------------------------------------------- step fields

/** The fields of each step kind that hold templates (a map's item step is resolved per item, separately). */
export const TEMPLATE_FIELDS = {
  llm: ["prompt", "system"],
  agent: ["task", "context"],
  tool: ["arguments"],
  code: ["inputs"],
  http: ["url", "headers", "body"],
  condition: [],
  map: ["items"],
  approval: ["message"],
} as const satisfies Record<StepKind, readonly string[]>;

/** Fields that must end up as text (a record field: each of its values). Numbers and booleans interpolate. */
export const TEXT_FIELDS: Partial<Record<StepKind, readonly string[]>> = {
  llm: ["prompt", "system"],
  agent: ["task"],
  http: ["url", "headers"],
  approval: ["message"],
};

/** The step with its template fields resolved against `scope`; text fields stay text. */
export function resolveStepTemplates<S extends StepDefinition | MapItemStep>(step: S, scope: TemplateScope): S {
  const resolved: Record<string, unknown> = { ...step };
  const textFields: readonly string[] = TEXT_FIELDS[step.kind] ?? [];
  for (const field of TEMPLATE_FIELDS[step.kind] as readonly string[]) {
    const value = resolved[field];
    if (value === undefined) continue;
    const result = resolveTemplates(value, scope);
    if (!textFields.includes(field)) resolved[field] = result;
    else if (isPlainObject(result)) resolved[field] = Object.fromEntries(Object.entries(result).map(([key, entry]) => [key, templateText(entry)]));
    else resolved[field] = templateText(result);
  }
  return resolved as S;
}
