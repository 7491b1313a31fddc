// The edges of a workflow drawing, read from its definition the way the engine orders
// steps: explicit `needs`, steps a template refers to ({{ steps.x.output }}), the steps a
// condition's expression reads, and the then/else branches a condition gates. A step's
// `revise` loop back is drawn too, but never counts as a dependency.
import type { MapItemStep, StepDefinition, StepKind, WorkflowDefinition } from "@/server/shared/workflow-definition";

export type EdgeKind = "needs" | "data" | "then" | "else" | "revise";

export interface DependencyEdge {
  /** Unique per drawing: `${kind}:${source}->${target}`. */
  id: string;
  source: string;
  target: string;
  kind: EdgeKind;
}

/** Fields whose strings may hold {{ templates }}, by kind (compensation is left out on purpose). */
const TEMPLATE_FIELDS: Record<StepKind, readonly string[]> = {
  llm: ["prompt", "system"],
  agent: ["task", "context"],
  tool: ["arguments"],
  code: ["inputs"],
  http: ["url", "headers", "body"],
  condition: [],
  map: ["items"],
  approval: ["message"],
};

/** `steps.x` or `steps["x"]`, not preceded by another name (`mysteps.x`, `a.steps.x`). */
const STEP_PATH = /(?<![\w$.])steps\s*(?:\.\s*([A-Za-z_$][\w$]*)|\[\s*(["'])([^"'\]]+)\2\s*\])/g;
const TEMPLATE = /\{\{([\s\S]*?)\}\}/g;

/** Step ids a JavaScript expression or a template expression mentions. */
export function stepsInExpression(expression: string): string[] {
  const ids = new Set<string>();
  for (const match of expression.matchAll(STEP_PATH)) ids.add(match[1] ?? match[3]!);
  return [...ids];
}

/** Step ids the {{ templates }} anywhere in a JSON value refer to. */
export function stepsInTemplates(value: unknown): string[] {
  const ids = new Set<string>();
  const visit = (v: unknown) => {
    if (typeof v === "string") {
      for (const match of v.matchAll(TEMPLATE)) for (const id of stepsInExpression(match[1]!)) ids.add(id);
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === "object") Object.values(v).forEach(visit);
  };
  visit(value);
  return [...ids];
}

function templateFieldValues(step: StepDefinition | MapItemStep): unknown[] {
  const record = step as Record<string, unknown>;
  return TEMPLATE_FIELDS[step.kind].map((field) => record[field]);
}

/** Steps this step reads through templates (a map's item step included) or its condition. */
export function dataReferences(step: StepDefinition): string[] {
  const ids = new Set(stepsInTemplates(templateFieldValues(step)));
  if (step.kind === "map") for (const id of stepsInTemplates(templateFieldValues(step.step))) ids.add(id);
  if (step.kind === "condition") for (const id of stepsInExpression(step.if)) ids.add(id);
  return [...ids];
}

/**
 * Every edge of the drawing, once per pair: a branch label wins over `needs`, which wins
 * over a template reference. Unknown ids and self references are left to validation.
 */
export function dependencyEdges(definition: Pick<WorkflowDefinition, "steps">): DependencyEdge[] {
  const known = new Set(definition.steps.map((s) => s.id));
  const byPair = new Map<string, DependencyEdge>();
  const rank: Record<EdgeKind, number> = { then: 3, else: 3, needs: 2, data: 1, revise: 0 };
  const add = (source: string, target: string, kind: EdgeKind) => {
    if (source === target || !known.has(source) || !known.has(target)) return;
    const pair = `${source}->${target}`;
    const existing = byPair.get(pair);
    if (existing && rank[existing.kind] >= rank[kind]) return;
    byPair.set(pair, { id: `${kind}:${pair}`, source, target, kind });
  };
  for (const step of definition.steps) {
    for (const id of dataReferences(step)) add(id, step.id, "data");
    for (const id of step.needs ?? []) add(id, step.id, "needs");
    if (step.kind === "condition") {
      for (const id of step.then ?? []) add(step.id, id, "then");
      for (const id of step.else ?? []) add(step.id, id, "else");
    }
  }
  const edges = [...byPair.values()];
  // A loop back goes the other way (from the reviser to where it sends the run); it is its own edge.
  for (const step of definition.steps) {
    if (step.revise && known.has(step.revise.from) && step.revise.from !== step.id) {
      edges.push({ id: `revise:${step.id}->${step.revise.from}`, source: step.id, target: step.revise.from, kind: "revise" });
    }
  }
  return edges;
}

/** For each step, the steps it waits for (what the layout layers by). */
export function dependenciesByStep(definition: Pick<WorkflowDefinition, "steps">): Map<string, string[]> {
  const result = new Map(definition.steps.map((s) => [s.id, [] as string[]]));
  for (const edge of dependencyEdges(definition)) if (edge.kind !== "revise") result.get(edge.target)?.push(edge.source);
  return result;
}
