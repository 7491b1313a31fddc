// Static analysis of a definition: the dependency graph the scheduler walks, and the
// types values have before a run (used to catch mismatches when a workflow is saved).
// The engine asks for the graph on every scheduling decision, so it is built once per
// definition object.
import type { InputSpec, MapItemStep, StepDefinition, TypeSpec, WorkflowDefinition } from "../../shared/workflow-definition.ts";
import { conditionReferences, TEMPLATE_FIELDS, templateReferences, type PathSegment, type TemplateReference } from "./templates.ts";

export type Branch = "then" | "else";

export interface WorkflowGraph {
  /** Topological; among steps ready at the same time, declaration order. */
  order: string[];
  /** Steps each step waits for (needs, template references, its gating conditions). */
  dependencies: Record<string, string[]>;
  dependents: Record<string, string[]>;
  /** The conditions (and branch) that gate each step directly. */
  gates: Record<string, { conditionId: string; branch: Branch }[]>;
  /** Steps that wait for nothing. */
  roots: string[];
  /** Steps nothing waits for. */
  leaves: string[];
}

/** Step ids the templates of one step (or item step) refer to. */
function templateStepIds(step: StepDefinition | MapItemStep): string[] {
  const fields = TEMPLATE_FIELDS[step.kind] as readonly string[];
  const values = fields.map((field) => (step as Record<string, unknown>)[field]);
  return templateReferences(values).flatMap((reference) => (reference.stepId === undefined ? [] : [reference.stepId]));
}

/**
 * Steps a step refers to by itself: needs, template references (a map's item step
 * included) and the steps its condition expression reads. Compensation is left out: it
 * runs on rollback, after the steps it reads, and must not hold the step back.
 */
export function referencedSteps(step: StepDefinition): string[] {
  const ids = [...(step.needs ?? []), ...templateStepIds(step)];
  if (step.kind === "map") ids.push(...templateStepIds(step.step));
  if (step.kind === "condition") ids.push(...conditionReferences(step.if));
  return [...new Set(ids)];
}

const graphs = new WeakMap<WorkflowDefinition, WorkflowGraph>();

/** The dependency graph of a definition (memoised per definition object; unknown ids and self references are ignored). */
export function analyzeWorkflow(definition: WorkflowDefinition): WorkflowGraph {
  const known = graphs.get(definition);
  if (known) return known;
  const graph = buildGraph(definition);
  graphs.set(definition, graph);
  return graph;
}

function buildGraph(definition: WorkflowDefinition): WorkflowGraph {
  const ids = [...new Set(definition.steps.map((step) => step.id))];
  const position = new Map(ids.map((id, index) => [id, index]));
  const dependencySets = new Map(ids.map((id) => [id, new Set<string>()]));
  const gates: WorkflowGraph["gates"] = Object.fromEntries(ids.map((id) => [id, []]));
  const seen = new Set<string>();

  for (const step of definition.steps) {
    if (seen.has(step.id)) continue; // a duplicate id is reported by validation; the first one counts
    seen.add(step.id);
    for (const id of referencedSteps(step)) if (id !== step.id && position.has(id)) dependencySets.get(step.id)!.add(id);
    if (step.kind !== "condition") continue;
    for (const branch of ["then", "else"] as const) {
      for (const target of step[branch]) {
        if (target === step.id || !position.has(target)) continue;
        dependencySets.get(target)!.add(step.id);
        if (!gates[target].some((gate) => gate.conditionId === step.id && gate.branch === branch)) gates[target].push({ conditionId: step.id, branch });
      }
    }
  }

  const byDeclaration = (a: string, b: string) => position.get(a)! - position.get(b)!;
  const dependencies: WorkflowGraph["dependencies"] = {};
  const dependents: WorkflowGraph["dependents"] = Object.fromEntries(ids.map((id) => [id, [] as string[]]));
  for (const id of ids) {
    dependencies[id] = [...dependencySets.get(id)!].sort(byDeclaration);
    for (const dependency of dependencies[id]) dependents[dependency].push(id);
  }
  for (const id of ids) dependents[id].sort(byDeclaration);

  const graph: WorkflowGraph = {
    order: topologicalOrder(ids, dependencies, dependents),
    dependencies,
    dependents,
    gates,
    roots: ids.filter((id) => dependencies[id].length === 0),
    leaves: ids.filter((id) => dependents[id].length === 0),
  };
  // Shared by every caller of the memoised graph, so nobody may change it.
  for (const record of [dependencies, dependents, gates]) {
    for (const list of Object.values(record)) {
      for (const entry of list) if (typeof entry === "object") Object.freeze(entry);
      Object.freeze(list);
    }
    Object.freeze(record);
  }
  for (const list of [graph.order, graph.roots, graph.leaves]) Object.freeze(list);
  return Object.freeze(graph);
}

/** Kahn's algorithm taking the earliest-declared ready step each time; steps left in a cycle come last, in declaration order. */
function topologicalOrder(ids: string[], dependencies: Record<string, string[]>, dependents: Record<string, string[]>): string[] {
  const waiting = new Map(ids.map((id) => [id, dependencies[id].length]));
  const placed = new Set<string>();
  const order: string[] = [];
  for (;;) {
    const next = ids.find((id) => !placed.has(id) && waiting.get(id) === 0);
    if (next === undefined) break;
    placed.add(next);
    order.push(next);
    for (const dependent of dependents[next]) waiting.set(dependent, waiting.get(dependent)! - 1);
  }
  for (const id of ids) if (!placed.has(id)) order.push(id);
  return order;
}

// ---------------------------------------------------------------- static types

const ANY: TypeSpec = { type: "any" };

/** The type a step's output has when it declares none. */
export function naturalOutputType(step: StepDefinition | MapItemStep): TypeSpec {
  switch (step.kind) {
    case "llm":
      if (step.json === true) return { type: "object" };
      return step.json ? step.json : { type: "string" };
    case "http":
      return { type: "object", properties: { status: { type: "integer" }, headers: { type: "object" }, body: ANY } };
    case "condition":
      return { type: "object", properties: { result: { type: "boolean" }, branch: { type: "string" } } };
    case "map":
      return { type: "array", items: naturalOutputType(step.step) };
    case "approval":
      return { type: "object", properties: { approved: { type: "boolean" }, by: { type: "string" }, comment: { type: "string" } } };
    case "agent":
      return { type: "object" };
    case "code":
    case "tool":
      return ANY;
  }
}

/** The type of `steps.<id>.output`: the declared `output`, else the kind's natural type. */
export function outputTypeOf(step: StepDefinition): TypeSpec {
  return step.output ?? naturalOutputType(step);
}

/** Follows a path through known properties/items; anything not described is `any`. */
export function typeAtPath(type: TypeSpec, path: readonly PathSegment[]): TypeSpec {
  let current = type;
  for (const segment of path) {
    if (typeof segment === "number") current = current.type === "array" && current.items ? current.items : ANY;
    else current = current.type === "object" && current.properties && Object.hasOwn(current.properties, segment) ? current.properties[segment] : ANY;
    if (current.type === "any") return ANY;
  }
  return current;
}

export interface TypeContext {
  inputs: Record<string, InputSpec>;
  steps: ReadonlyMap<string, StepDefinition>;
  /** The type of `item`, inside a map's item step. */
  itemType?: TypeSpec;
}

/** The static type a reference yields; `any` when it cannot be known. */
export function referenceType(reference: TemplateReference, context: TypeContext): TypeSpec {
  const { path } = reference;
  switch (reference.root) {
    case "input": {
      if (path.length === 0) return { type: "object" };
      const spec = typeof path[0] === "string" && Object.hasOwn(context.inputs, path[0]) ? context.inputs[path[0]] : undefined;
      return spec ? typeAtPath({ type: spec.type }, path.slice(1)) : ANY;
    }
    case "steps": {
      const step = reference.stepId === undefined ? undefined : context.steps.get(reference.stepId);
      if (!step) return ANY;
      if (path.length === 0) return { type: "object", properties: { output: outputTypeOf(step), status: { type: "string" } } };
      if (path[0] === "status") return path.length === 1 ? { type: "string" } : ANY;
      return path[0] === "output" ? typeAtPath(outputTypeOf(step), path.slice(1)) : ANY;
    }
    case "item":
      return typeAtPath(context.itemType ?? ANY, path);
    case "index":
      return path.length === 0 ? { type: "integer" } : ANY;
    case "run":
      if (path.length === 0) return { type: "object", properties: { id: { type: "string" } } };
      return path.length === 1 && path[0] === "id" ? { type: "string" } : ANY;
  }
}

/** Does a value of type `actual` fit where `expected` is wanted? `any` fits both ways; integer is a number. */
export function typeFits(actual: TypeSpec["type"], expected: TypeSpec["type"]): boolean {
  return actual === "any" || expected === "any" || actual === expected || (actual === "integer" && expected === "number");
}
