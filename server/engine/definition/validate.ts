// Validation of a workflow definition: the zod schema first, then the checks a schema
// cannot express (references between steps, cycles, inputs, template syntax, static
// types). Every issue names the step at fault, in `stepId` and in words, so the editor
// can point at it. Bad input never throws: it becomes issues.
import type { ZodError } from "zod";
import {
  workflowDefinitionSchema,
  type DefinitionIssue,
  type MapItemStep,
  type StepDefinition,
  type TypeSpec,
  type WorkflowDefinition,
} from "../../shared/workflow-definition.ts";
import { valueFits } from "../runners/type-check.ts";
import { analyzeWorkflow, referenceType, typeFits, type TypeContext } from "./graph.ts";
import { compileTemplate, conditionReferences, scanTemplates, TEMPLATE_FIELDS, TEXT_FIELDS, type PathSegment, type TemplateReference } from "./templates.ts";

export interface DefinitionResult {
  /** Set only when there are no issues. */
  definition: WorkflowDefinition | null;
  issues: DefinitionIssue[];
}

const MAX_ISSUES = 200;

/** Checks a parsed document (from JSON, YAML or the editor) and returns the typed definition when it is sound. */
export function validateDefinition(raw: unknown): DefinitionResult {
  try {
    const parsed = workflowDefinitionSchema.safeParse(raw);
    if (!parsed.success) return { definition: null, issues: parsed.error.issues.slice(0, MAX_ISSUES).map((issue) => schemaIssue(issue, raw)) };
    const issues = semanticIssues(parsed.data).slice(0, MAX_ISSUES);
    return { definition: issues.length === 0 ? parsed.data : null, issues };
  } catch (error) {
    // e.g. a self-referencing object from a caller: report, do not crash the request.
    return { definition: null, issues: [{ code: "schema", message: `The definition could not be checked: ${error instanceof Error ? error.message : String(error)}` }] };
  }
}

// ---------------------------------------------------------------- wording

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const TYPE_WORDS: Record<string, string> = {
  string: "a string",
  number: "a number",
  integer: "an integer",
  int: "an integer",
  boolean: "a boolean",
  object: "an object",
  record: "an object",
  array: "an array",
  any: "any value",
};
const typeWords = (type: string) => TYPE_WORDS[type] ?? type;

/** "a string", "an array", "null"... for messages about a value. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  if (typeof value === "number" && !Number.isInteger(value)) return `a number (${value})`;
  return typeWords(typeof value);
}

// Does a run-time value have the declared type? The same check a TypeSpec makes, so one function.
export { valueFits };

function pathLabel(path: readonly PathSegment[]): string {
  return path.reduce<string>((label, segment) => (typeof segment === "number" ? `${label}[${segment}]` : label ? `${label}.${segment}` : segment), "");
}

// ---------------------------------------------------------------- schema issues

type ZodIssue = ZodError["issues"][number];

function valueAt(raw: unknown, path: readonly PathSegment[]): unknown {
  let current = raw;
  for (const segment of path) {
    if (current === null || typeof current !== "object" || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function sizeWords(origin: string, limit: number | bigint, atLeast: boolean): string {
  const bound = atLeast ? "at least" : "at most";
  if (origin === "string") return atLeast && Number(limit) === 1 ? "must not be empty" : `must be ${bound} ${limit} characters long`;
  if (origin === "array" || origin === "set") return `must have ${bound} ${limit} item${Number(limit) === 1 ? "" : "s"}`;
  return `must be ${bound} ${limit}`;
}

/** The issue in words, after the field it concerns ("must be at least 10"). */
function schemaWords(issue: ZodIssue, value: unknown): string {
  // Messages written in the schema itself read better than generic ones.
  const custom = !/^(Too small|Too big|Invalid)/.test(issue.message);
  switch (issue.code) {
    case "invalid_type":
      if (value === undefined) return "is required";
      return `must be ${typeWords(issue.expected)}, not ${describeValue(value)}`;
    case "too_small":
      if (custom) return issue.message;
      if (issue.inclusive === false) return `must be more than ${issue.minimum}`;
      return sizeWords(issue.origin, issue.minimum, true);
    case "too_big":
      if (custom) return issue.message;
      if (issue.inclusive === false) return `must be less than ${issue.maximum}`;
      return sizeWords(issue.origin, issue.maximum, false);
    case "invalid_value":
      return issue.values.length === 1 ? `must be ${JSON.stringify(issue.values[0])}` : `must be one of ${issue.values.map((option) => JSON.stringify(option)).join(", ")}`;
    case "invalid_union": {
      const options = "options" in issue && Array.isArray(issue.options) ? issue.options.map((option) => JSON.stringify(option)).join(", ") : "";
      if (options) return value === undefined ? `is required (one of ${options})` : `must be one of ${options}`;
      return "does not match any of the allowed forms";
    }
    default:
      return custom ? issue.message : issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
  }
}

function schemaIssue(issue: ZodIssue, raw: unknown): DefinitionIssue {
  const path = issue.path.filter((segment): segment is PathSegment => typeof segment === "string" || typeof segment === "number");
  if (path.length === 0 && !isPlainObject(raw)) {
    return { code: "schema", message: `A workflow definition must be an object with a name and steps, not ${describeValue(raw)}`, path };
  }
  // A bad record key is named by the last segment; the field is the record.
  const keyIssue = issue.code === "invalid_key";
  const field = keyIssue ? path.slice(0, -1) : path;
  const words = keyIssue ? `key "${String(path[path.length - 1])}" ${issue.issues[0]?.message ?? "is not allowed"}` : schemaWords(issue, valueAt(raw, path));
  const inStep = field[0] === "steps" && typeof field[1] === "number";
  const rawId = inStep ? valueAt(raw, ["steps", field[1], "id"]) : undefined;
  const stepId = typeof rawId === "string" ? rawId : undefined;
  const subject = !inStep ? "" : stepId !== undefined ? `Step "${stepId}"` : `Step ${(field[1] as number) + 1}`;
  const fieldLabel = pathLabel(inStep ? field.slice(2) : field);
  const label = subject && fieldLabel ? `${subject}: ${fieldLabel}` : subject || fieldLabel || "The definition";
  const joinsDirectly = /^(must|is |has )/.test(words);
  const message = joinsDirectly ? `${label} ${words}` : `${label}: ${words}`;
  return stepId === undefined ? { code: "schema", message, path } : { code: "schema", message, path, stepId };
}

// ---------------------------------------------------------------- semantic checks

interface Site {
  /** How messages name the owner: `Step "a"` or `Output "result"`. */
  owner: string;
  stepId?: string;
  /** The step the value belongs to: a reference to it is a self reference. */
  selfId?: string;
  /** Inside a map's item step: the type of `item` (item and index are in scope). */
  itemType?: TypeSpec;
}

type Slot = "text" | "array";

class DefinitionChecker {
  readonly issues: DefinitionIssue[] = [];
  private readonly steps = new Map<string, StepDefinition>();
  private readonly context: TypeContext;

  constructor(private readonly definition: WorkflowDefinition) {
    for (const step of definition.steps) if (!this.steps.has(step.id)) this.steps.set(step.id, step);
    this.context = { inputs: definition.inputs, steps: this.steps };
  }

  run(): DefinitionIssue[] {
    const firstIndex = new Map<string, number>();
    this.definition.steps.forEach((step, index) => {
      const first = firstIndex.get(step.id);
      if (first === undefined) firstIndex.set(step.id, index);
      else this.add("duplicate-step", `Step "${step.id}" is declared more than once (steps ${first + 1} and ${index + 1})`, ["steps", index, "id"], step.id);
      this.checkStep(step, index);
    });
    for (const [name, value] of Object.entries(this.definition.outputs)) {
      this.checkValue(value, { owner: `Output "${name}"` }, ["outputs", name], name);
    }
    this.checkInputDefaults();
    this.checkCycles(firstIndex);
    return this.issues;
  }

  private add(code: DefinitionIssue["code"], message: string, path: PathSegment[], stepId?: string): void {
    this.issues.push(stepId === undefined ? { code, message, path } : { code, message, path, stepId });
  }

  private checkStep(step: StepDefinition, index: number): void {
    const at: PathSegment[] = ["steps", index];
    const owner = `Step "${step.id}"`;
    const site: Site = { owner, stepId: step.id, selfId: step.id };
    (step.needs ?? []).forEach((id, position) => this.checkStepName(step, id, `needs "${id}"`, [...at, "needs", position]));

    if (step.kind === "condition") {
      for (const branch of ["then", "else"] as const) {
        step[branch].forEach((id, position) => this.checkStepName(step, id, `lists "${id}" under ${branch}`, [...at, branch, position]));
      }
      if (step.if.trim() === "") this.add("bad-expression", `${owner}: if must be a non-empty expression`, [...at, "if"], step.id);
      if (step.if.includes("{{")) {
        this.add("bad-expression", `${owner}: if is a JavaScript expression; write paths without {{ }}, e.g. steps.check.output.ok`, [...at, "if"], step.id);
      }
      for (const id of conditionReferences(step.if)) this.checkStepName(step, id, `reads "${id}" in if`, [...at, "if"]);
    }

    if (step.revise) {
      this.checkStepName(step, step.revise.from, `revises from "${step.revise.from}"`, [...at, "revise", "from"]);
      // revise.if runs after the step succeeded, so reading its own output there is the point.
      for (const id of conditionReferences(step.revise.if)) {
        if (id !== step.id) this.checkStepName(step, id, `reads "${id}" in revise.if`, [...at, "revise", "if"]);
      }
      if (step.revise.from !== step.id && this.steps.has(step.revise.from) && !this.dependsOn(step.id, step.revise.from)) {
        this.add("bad-reference", `${owner} revises from "${step.revise.from}", which does not come before it`, [...at, "revise", "from"], step.id);
      }
    }

    this.checkFields(step, site, at, "");
    if (step.kind === "map") {
      const itemType = this.itemTypeOf(step.items);
      this.checkFields(step.step, { ...site, itemType }, [...at, "step"], "step.");
    }
    if ("compensate" in step && step.compensate) {
      // Compensation reads the step's own result on purpose, so that is no self reference.
      this.checkFields(step.compensate, { owner, stepId: step.id }, [...at, "compensate"], "compensate.");
    }
  }

  /** Does `stepId` depend, directly or not, on `ancestor`? */
  private dependsOn(stepId: string, ancestor: string): boolean {
    const graph = analyzeWorkflow(this.definition);
    const seen = new Set<string>();
    const stack = [...(graph.dependencies[stepId] ?? [])];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (id === ancestor) return true;
      if (seen.has(id)) continue;
      seen.add(id);
      stack.push(...(graph.dependencies[id] ?? []));
    }
    return false;
  }

  private checkStepName(step: StepDefinition, id: string, verb: string, path: PathSegment[]): void {
    if (id === step.id) this.add("bad-reference", `Step "${step.id}" ${verb}, which is itself`, path, step.id);
    else if (!this.steps.has(id)) this.add("unknown-step", `Step "${step.id}" ${verb}, which is not a step of this workflow`, path, step.id);
  }

  private checkFields(step: StepDefinition | MapItemStep, site: Site, at: PathSegment[], labelPrefix: string): void {
    const textFields: readonly string[] = TEXT_FIELDS[step.kind] ?? [];
    for (const field of TEMPLATE_FIELDS[step.kind] as readonly string[]) {
      const value = (step as Record<string, unknown>)[field];
      if (value === undefined) continue;
      const label = labelPrefix + field;
      if (textFields.includes(field) && isPlainObject(value)) {
        for (const [key, entry] of Object.entries(value)) this.checkValue(entry, site, [...at, field, key], `${label}.${key}`, "text");
      } else {
        const slot: Slot | undefined = textFields.includes(field) ? "text" : step.kind === "map" && field === "items" ? "array" : undefined;
        this.checkValue(value, site, [...at, field], label, slot);
      }
    }
  }

  /** Checks every template inside a value; `slot` is what the value as a whole must be. */
  private checkValue(value: unknown, site: Site, at: PathSegment[], label: string, slot?: Slot): void {
    scanTemplates(value, (text, inner) => {
      const path = [...at, ...inner];
      const whole = inner.length === 0;
      const where = label + inner.map((segment) => (typeof segment === "number" ? `[${segment}]` : `.${segment}`)).join("");
      if (!text.includes("{{") && !(whole && slot === "array")) return;
      const compiled = compileTemplate(text);
      for (const error of compiled.errors) this.add("bad-expression", `${site.owner}: ${where} has a malformed template: ${error}`, path, site.stepId);
      for (const reference of compiled.references) this.checkReference(reference, site, path, where);
      if (!whole || !slot || compiled.errors.length > 0) return;
      if (slot === "array" && compiled.kind !== "value") {
        this.add("type-mismatch", `${site.owner}: ${where} must be a single {{ … }} template that yields an array, e.g. "{{ steps.plan.output.items }}"`, path, site.stepId);
        return;
      }
      if (compiled.kind !== "value") return;
      const reference = compiled.references[0];
      const type = referenceType(reference, { ...this.context, itemType: site.itemType }).type;
      if (slot === "array" && !typeFits(type, "array")) {
        this.add("type-mismatch", `${site.owner}: ${where} must yield an array, but ${reference.expression} is ${typeWords(type)}`, path, site.stepId);
      }
      if (slot === "text" && (type === "object" || type === "array")) {
        this.add("type-mismatch", `${site.owner}: ${where} expects text, but ${reference.expression} is ${typeWords(type)}`, path, site.stepId);
      }
    });
  }

  private checkReference(reference: TemplateReference, site: Site, path: PathSegment[], label: string): void {
    const { owner, stepId } = site;
    const { expression } = reference;
    switch (reference.root) {
      case "input": {
        const name = reference.path[0];
        if (name !== undefined && !Object.hasOwn(this.definition.inputs, String(name))) {
          this.add("missing-input", `${owner} uses input.${String(name)} in ${label}, but the workflow declares no input "${String(name)}"`, path, stepId);
        }
        return;
      }
      case "steps": {
        const target = reference.stepId!;
        const field = reference.path[0];
        if (target === site.selfId) this.add("bad-reference", `${owner} refers to itself in ${label} (${expression})`, path, stepId);
        else if (!this.steps.has(target)) this.add("unknown-step", `${owner} refers to "${target}" in ${label}, which is not a step of this workflow`, path, stepId);
        else if (field !== undefined && field !== "output" && field !== "status") {
          this.add("bad-reference", `${owner}: ${expression} in ${label} reads neither output nor status of step "${target}"`, path, stepId);
        }
        return;
      }
      case "item":
      case "index":
        if (!site.itemType) this.add("bad-reference", `${owner} uses ${expression} in ${label}, but item and index exist only in a map's item step`, path, stepId);
        else if (reference.root === "index" && reference.path.length > 0) this.add("bad-reference", `${owner}: ${expression} in ${label} reads a field of index, which is a number`, path, stepId);
        return;
      case "run": {
        // run.feedback is whatever the step that sent the run back produced, so any path below it is fine.
        const field = reference.path[0];
        const known = field === undefined || field === "feedback" || ((field === "id" || field === "revision") && reference.path.length === 1);
        if (!known) {
          this.add("bad-reference", `${owner}: ${expression} in ${label} does not exist (the run has id, revision and feedback)`, path, stepId);
        }
        return;
      }
    }
  }

  /** What `item` is inside a map's item step, from the type its `items` template yields. */
  private itemTypeOf(items: string): TypeSpec {
    const compiled = compileTemplate(items);
    if (compiled.kind !== "value") return { type: "any" };
    const listType = referenceType(compiled.references[0], this.context);
    return listType.type === "array" && listType.items ? listType.items : { type: "any" };
  }

  private checkInputDefaults(): void {
    for (const [name, spec] of Object.entries(this.definition.inputs)) {
      if (spec.default !== undefined && !valueFits(spec.default, spec.type)) {
        this.add("type-mismatch", `Input "${name}": its default is ${describeValue(spec.default)}, but the input is declared as ${spec.type}`, ["inputs", name, "default"]);
      }
    }
  }

  /** One issue per strongly connected group of steps, showing one cycle through its earliest step. */
  private checkCycles(firstIndex: Map<string, number>): void {
    const graph = analyzeWorkflow(this.definition);
    for (const group of stronglyConnected(graph.order, graph.dependents)) {
      if (group.length < 2) continue;
      const members = new Set(group);
      const start = group.reduce((a, b) => (firstIndex.get(a)! <= firstIndex.get(b)! ? a : b));
      const cycle = shortestCycle(start, members, graph.dependents);
      this.add("cycle", `Step "${start}" is part of a cycle: ${cycle.join(" → ")} (each step waits for the one before it)`, ["steps", firstIndex.get(start)!], start);
    }
  }
}

function semanticIssues(definition: WorkflowDefinition): DefinitionIssue[] {
  return new DefinitionChecker(definition).run();
}

/** Tarjan's algorithm over the `next` edges. */
function stronglyConnected(ids: readonly string[], next: Record<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  let counter = 0;
  const visit = (id: string) => {
    index.set(id, counter);
    low.set(id, counter);
    counter++;
    stack.push(id);
    onStack.add(id);
    for (const to of next[id] ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(id, Math.min(low.get(id)!, low.get(to)!));
      } else if (onStack.has(to)) low.set(id, Math.min(low.get(id)!, index.get(to)!));
    }
    if (low.get(id) === index.get(id)) {
      const group: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        group.push(member);
      } while (member !== id);
      groups.push(group);
    }
  };
  for (const id of ids) if (!index.has(id)) visit(id);
  return groups;
}

/** The shortest path start → … → start along `next`, staying inside `members`. */
function shortestCycle(start: string, members: ReadonlySet<string>, next: Record<string, readonly string[]>): string[] {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head];
    for (const to of next[id] ?? []) {
      if (to === start) {
        const path = [start];
        for (let at: string | undefined = id; at !== undefined && at !== start; at = cameFrom.get(at)) path.splice(1, 0, at);
        return [...path, start];
      }
      if (members.has(to) && !cameFrom.has(to)) {
        cameFrom.set(to, id);
        queue.push(to);
      }
    }
  }
  return [start, start];
}

// ---------------------------------------------------------------- run input

function setOwn(target: Record<string, unknown>, key: string, entry: unknown): void {
  // "__proto__" is a legal input name; define it as data rather than assigning a prototype.
  Object.defineProperty(target, key, { value: entry, enumerable: true, writable: true, configurable: true });
}

/**
 * Checks a run's input against the declared inputs and fills defaults. Null counts as
 * not given (except for `any` inputs); undeclared keys are issues and are left out.
 */
export function applyInputDefaults(definition: WorkflowDefinition, input: unknown): { value: Record<string, unknown>; issues: string[] } {
  if (input !== undefined && input !== null && !isPlainObject(input)) {
    return { value: {}, issues: [`The run input must be an object of named values, not ${describeValue(input)}.`] };
  }
  const given: Record<string, unknown> = input ?? {};
  const issues: string[] = [];
  const value: Record<string, unknown> = {};
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(definition.inputs, key)) issues.push(`Input "${key}" is not declared by this workflow.`);
  }
  for (const [name, spec] of Object.entries(definition.inputs)) {
    const entry = Object.hasOwn(given, name) ? given[name] : undefined;
    const present = entry !== undefined && (entry !== null || spec.type === "any");
    if (present) {
      if (!valueFits(entry, spec.type)) issues.push(`Input "${name}" must be ${typeWords(spec.type)}, not ${describeValue(entry)}.`);
      setOwn(value, name, entry);
    } else if (spec.default !== undefined) {
      setOwn(value, name, structuredClone(spec.default));
    } else if (spec.required !== false) {
      issues.push(`Input "${name}" is required (${spec.type}).`);
    }
  }
  return { value, issues };
}
