// What each agent role must hand back: a TypeSpec (checked with the shared checker, and
// usable as a step's declared `output`), the JSON Schema the model sees as the
// parameters of its submit_result tool, and the checks a type cannot express (a plan's
// dependencies form a DAG, scores lie in 0..1). Every problem is named so a model can fix it.
import type { TypeSpec } from "../../shared/workflow-definition.ts";
import { checkAgainstTypeSpec } from "../runners/type-check.ts";

export const RISKS = ["low", "medium", "high"] as const;
export type Risk = (typeof RISKS)[number];
export const DECISIONS = ["approve", "revise", "reject"] as const;
export const PRIORITIES = ["low", "normal", "high", "urgent"] as const;
export const SUBTASK_STATUSES = ["done", "failed", "skipped"] as const;
export const SCORE_NAMES = ["correctness", "transparency", "safety", "autonomy", "fairness"] as const;

export interface Subtask {
  id: string;
  title: string;
  description: string;
  dependsOn: string[];
  tools: string[];
  risk: Risk;
}
export interface Plan {
  summary: string;
  subtasks: Subtask[];
  assumptions: string[];
}
export interface Review {
  decision: (typeof DECISIONS)[number];
  reasons: string[];
  priority: (typeof PRIORITIES)[number];
  order: string[];
  requiresApproval: boolean;
  risky: string[];
}
export interface SubtaskResult {
  subtaskId: string;
  status: (typeof SUBTASK_STATUSES)[number];
  output: string;
}
export interface Execution {
  results: SubtaskResult[];
  summary: string;
}
export interface Verdict {
  passed: boolean;
  scores: Record<(typeof SCORE_NAMES)[number], number>;
  reasons: string[];
  revisions: string[];
}

const text = (description: string): TypeSpec => ({ type: "string", description });
const texts = (description: string): TypeSpec => ({ type: "array", items: { type: "string" }, description });
const choice = (options: readonly string[], description: string): TypeSpec => ({ type: "string", enum: [...options], description });
const record = (properties: Record<string, TypeSpec>, optional: string[] = []): TypeSpec => ({
  type: "object",
  properties,
  required: Object.keys(properties).filter((key) => !optional.includes(key)),
});

export const SUBTASK_SPEC = record({
  id: text("A short id, unique in the plan: t1, t2, ..."),
  title: text("What the sub-task achieves, in a few words."),
  description: text("What exactly to do, and what its result looks like."),
  dependsOn: texts("Ids of the sub-tasks whose results this one needs first."),
  tools: texts("Names of the tools the sub-task will likely call."),
  risk: choice(RISKS, "high for anything irreversible or touching production, money, credentials or deletions."),
});
export const PLAN_SPEC = record({
  summary: text("The plan in one or two sentences."),
  subtasks: { type: "array", items: SUBTASK_SPEC, description: "The sub-tasks; dependsOn must form no cycle." },
  assumptions: texts("What the plan takes for granted."),
});
export const REVIEW_SPEC = record({
  decision: choice(DECISIONS, "approve to go ahead, revise to send the plan back with reasons, reject to stop."),
  reasons: texts("Why, one point each."),
  priority: choice(PRIORITIES, "How urgent the work is."),
  order: texts("Sub-task ids in the order they should run."),
  requiresApproval: { type: "boolean", description: "true when a person must approve before anything runs (always when a sub-task is high risk)." },
  risky: texts("Ids of the sub-tasks that carry real risk."),
});
export const SUBTASK_RESULT_SPEC = record({
  status: choice(SUBTASK_STATUSES, "done when the sub-task is achieved, failed when it could not be."),
  output: text("The sub-task's result, or why it failed."),
});
export const EXECUTION_SUMMARY_SPEC = record({ summary: text("What was achieved overall, in a few sentences.") });
export const EXECUTION_SPEC = record({
  results: { type: "array", items: record({ subtaskId: text("The sub-task's id."), ...SUBTASK_RESULT_SPEC.properties }) },
  summary: EXECUTION_SUMMARY_SPEC.properties!.summary!,
});
const SCORE: TypeSpec = { type: "number", description: "0 (poor) to 1 (excellent)." };
export const VERDICT_SPEC = record({
  passed: { type: "boolean", description: "true when the result does what was asked, safely." },
  scores: record(Object.fromEntries(SCORE_NAMES.map((name) => [name, SCORE]))),
  reasons: texts("Why, one point each."),
  revisions: texts("What to change when it does not pass; empty when it passes."),
});
export const ANSWER_SPEC = record({ answer: text("The answer."), details: { type: "object", description: "Any structured details." } }, ["details"]);

/** A TypeSpec as JSON Schema (the subset models understand), objects closed to unknown fields. */
export function toJsonSchema(spec: TypeSpec): Record<string, unknown> {
  const schema: Record<string, unknown> = spec.type === "any" ? {} : { type: spec.type };
  if (spec.description) schema.description = spec.description;
  if (spec.enum) schema.enum = [...spec.enum];
  if (spec.items) schema.items = toJsonSchema(spec.items);
  if (spec.properties) {
    schema.properties = Object.fromEntries(Object.entries(spec.properties).map(([key, value]) => [key, toJsonSchema(value)]));
    schema.required = [...(spec.required ?? [])];
    schema.additionalProperties = false;
  }
  return schema;
}

/** The verifier's scores carry their bounds in the schema too, so the model sees them. */
function boundScores(schema: Record<string, unknown>): Record<string, unknown> {
  const scores = (schema.properties as Record<string, Record<string, unknown>>).scores!;
  for (const property of Object.values(scores.properties as Record<string, Record<string, unknown>>)) Object.assign(property, { minimum: 0, maximum: 1 });
  return schema;
}

/** Problems a plan's shape cannot show: duplicate ids, unknown or circular dependencies. */
export function planProblems(plan: Plan): string[] {
  const problems: string[] = [];
  if (plan.subtasks.length === 0) problems.push("subtasks: the plan needs at least one sub-task");
  const ids = new Set<string>();
  plan.subtasks.forEach((subtask, index) => {
    if (ids.has(subtask.id)) problems.push(`subtasks[${index}].id: "${subtask.id}" is used twice`);
    ids.add(subtask.id);
  });
  plan.subtasks.forEach((subtask, index) => {
    for (const dependency of subtask.dependsOn) {
      if (dependency === subtask.id) problems.push(`subtasks[${index}].dependsOn: "${subtask.id}" depends on itself`);
      else if (!ids.has(dependency)) problems.push(`subtasks[${index}].dependsOn: "${dependency}" is not a sub-task of the plan`);
    }
  });
  const cycle = findCycle(plan.subtasks);
  if (cycle) problems.push(`subtasks: the dependencies form a cycle (${cycle.join(" → ")}); a sub-task cannot wait for itself`);
  return problems;
}

/** One dependency cycle among the sub-tasks, as a path that returns to its start, or null. */
function findCycle(subtasks: readonly Subtask[]): string[] | null {
  const byId = new Map(subtasks.map((s) => [s.id, s]));
  const state = new Map<string, "visiting" | "done">();
  const path: string[] = [];
  const visit = (id: string): string[] | null => {
    if (state.get(id) === "done") return null;
    if (state.get(id) === "visiting") return [...path.slice(path.indexOf(id)), id];
    state.set(id, "visiting");
    path.push(id);
    for (const dependency of byId.get(id)?.dependsOn ?? []) {
      if (dependency === id || !byId.has(dependency)) continue;
      const found = visit(dependency);
      if (found) return found;
    }
    path.pop();
    state.set(id, "done");
    return null;
  };
  for (const subtask of subtasks) {
    const found = visit(subtask.id);
    if (found) return found;
  }
  return null;
}

function verdictProblems(verdict: Verdict): string[] {
  return SCORE_NAMES.filter((name) => verdict.scores[name] < 0 || verdict.scores[name] > 1).map(
    (name) => `scores.${name}: expected a number from 0 to 1, got ${verdict.scores[name]}`,
  );
}

/** What the model must submit, and the checks beyond its type. */
export interface OutputSchema<T = unknown> {
  spec: TypeSpec;
  jsonSchema: Record<string, unknown>;
  /** Problems with a value that already fits `spec`. */
  check?(value: T): string[];
}

function outputSchema<T>(spec: TypeSpec, check?: (value: T) => string[], adjust: (schema: Record<string, unknown>) => Record<string, unknown> = (s) => s): OutputSchema<T> {
  return { spec, jsonSchema: adjust(toJsonSchema(spec)), ...(check ? { check } : {}) };
}

export const PLAN_SCHEMA = outputSchema<Plan>(PLAN_SPEC, planProblems);
export const REVIEW_SCHEMA = outputSchema<Review>(REVIEW_SPEC);
export const EXECUTION_SCHEMA = outputSchema<Execution>(EXECUTION_SPEC);
export const SUBTASK_RESULT_SCHEMA = outputSchema<Omit<SubtaskResult, "subtaskId">>(SUBTASK_RESULT_SPEC);
export const EXECUTION_SUMMARY_SCHEMA = outputSchema<{ summary: string }>(EXECUTION_SUMMARY_SPEC);
export const VERDICT_SCHEMA = outputSchema<Verdict>(VERDICT_SPEC, verdictProblems, boundScores);
export const ANSWER_SCHEMA = outputSchema<{ answer: string; details?: Record<string, unknown> }>(ANSWER_SPEC);

/** Every problem with a submitted value: its type first, then (only when it fits) the deeper checks. */
export function problemsWith<T>(value: unknown, schema: OutputSchema<T>): string[] {
  const problems = checkAgainstTypeSpec(value, schema.spec);
  if (problems.length > 0 || !schema.check) return problems;
  return schema.check(value as T);
}

/** The plan in a step's context, when it is one (the executor and gatekeeper read it). */
export function asPlan(value: unknown): Plan | null {
  return value !== undefined && problemsWith(value, PLAN_SCHEMA).length === 0 ? (value as Plan) : null;
}

export function asReview(value: unknown): Review | null {
  return value !== undefined && problemsWith(value, REVIEW_SCHEMA).length === 0 ? (value as Review) : null;
}
