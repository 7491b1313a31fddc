// Editing a definition as the canvas does it: add, change, rename, connect, disconnect
// and delete steps. Pure functions over plain objects; each returns a new definition.
import { dependenciesByStep } from "@/components/graph/dependencies";
import type { Point } from "@/components/graph/layout";
import {
  STEP_ID_PATTERN,
  type MapItemStep,
  type StepDefinition,
  type StepKind,
  type WorkflowDefinition,
} from "@/server/shared/workflow-definition";

export type Branch = "then" | "else";

/** The first free `<kind>_<n>` id. */
export function nextStepId(kind: StepKind, taken: Iterable<string>): string {
  const used = new Set(taken);
  for (let n = 1; ; n++) {
    const id = `${kind}_${n}`;
    if (!used.has(id)) return id;
  }
}

/** What a map runs per item, or a compensation, when one is first added. */
export function newItemStep(kind: MapItemStep["kind"]): MapItemStep {
  switch (kind) {
    case "agent":
      return { kind, agent: "analyst", task: "{{ item }}" };
    case "llm":
      return { kind, prompt: "{{ item }}" };
    case "tool":
      return { kind, tool: "http_fetch", arguments: {} };
    case "code":
      return { kind, code: "return input.item;", inputs: { item: "{{ item }}" } };
    case "http":
      return { kind, method: "GET", url: "" };
  }
}

/** A new step of the kind with the fields it needs, ready to fill in. */
export function newStep(kind: StepKind, id: string, position?: Point): StepDefinition {
  const common = { id, ...(position ? { position: { x: Math.round(position.x), y: Math.round(position.y) } } : {}) };
  switch (kind) {
    case "agent":
      return { ...common, kind, agent: "analyst", task: "" };
    case "llm":
      return { ...common, kind, prompt: "" };
    case "tool":
      return { ...common, kind, tool: "http_fetch", arguments: {} };
    case "code":
      return { ...common, kind, code: "// `input` holds the values set under Inputs.\nreturn { ok: true };", inputs: {} };
    case "http":
      return { ...common, kind, method: "GET", url: "" };
    case "condition":
      return { ...common, kind, if: "true", then: [], else: [] };
    case "map":
      return { ...common, kind, items: "", concurrency: 4, step: newItemStep("code") };
    case "approval":
      return { ...common, kind, message: "Approve this run?", scope: "workflows:run" };
  }
}

/** A workflow of one code step: where "start from blank" begins. */
export function blankDefinition(name: string): WorkflowDefinition {
  return { schemaVersion: 1, name, description: "", inputs: {}, outputs: {}, steps: [newStep("code", "start", { x: 0, y: 0 })] };
}

export function addStep(definition: WorkflowDefinition, step: StepDefinition): WorkflowDefinition {
  return { ...definition, steps: [...definition.steps, step] };
}

export function replaceStep(definition: WorkflowDefinition, id: string, step: StepDefinition): WorkflowDefinition {
  return { ...definition, steps: definition.steps.map((s) => (s.id === id ? step : s)) };
}

const without = (list: readonly string[] | undefined, ids: ReadonlySet<string>) => list?.filter((id) => !ids.has(id));

/** Removes the steps and every `needs`/branch mention of them (template mentions are left for validation to point out). */
export function removeSteps(definition: WorkflowDefinition, ids: Iterable<string>): WorkflowDefinition {
  const gone = new Set(ids);
  const steps = definition.steps
    .filter((s) => !gone.has(s.id))
    .map((s) => {
      let next: StepDefinition = s.needs ? { ...s, needs: without(s.needs, gone) } : s;
      if (next.kind === "condition") next = { ...next, then: without(next.then, gone) ?? [], else: without(next.else, gone) ?? [] };
      if (next.revise && gone.has(next.revise.from)) next = { ...next, revise: undefined };
      return next;
    });
  return { ...definition, steps };
}

/** Does `step` wait, directly or through others, for `on`? */
export function dependsOn(definition: Pick<WorkflowDefinition, "steps">, step: string, on: string): boolean {
  const deps = dependenciesByStep(definition);
  const seen = new Set<string>();
  const stack = [...(deps.get(step) ?? [])];
  while (stack.length) {
    const id = stack.pop()!;
    if (id === on) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(deps.get(id) ?? []));
  }
  return false;
}

export type EditResult = { ok: true; definition: WorkflowDefinition } | { ok: false; reason: string };

/**
 * Makes `target` run after `source`: through a condition's branch when `branch` is given,
 * else by adding `source` to the target's `needs`. Refuses what would close a cycle.
 */
export function connectSteps(definition: WorkflowDefinition, source: string, target: string, branch?: Branch): EditResult {
  const from = definition.steps.find((s) => s.id === source);
  const to = definition.steps.find((s) => s.id === target);
  if (!from || !to) return { ok: false, reason: "Both ends must be steps of this workflow." };
  if (source === target) return { ok: false, reason: "A step cannot wait for itself." };
  if (dependsOn(definition, source, target)) return { ok: false, reason: `"${source}" already runs after "${target}": this link would make a cycle.` };
  if (branch) {
    if (from.kind !== "condition") return { ok: false, reason: `"${source}" is not a condition.` };
    if (from[branch].includes(target)) return { ok: true, definition };
    const other: Branch = branch === "then" ? "else" : "then";
    return { ok: true, definition: replaceStep(definition, source, { ...from, [branch]: [...from[branch], target], [other]: from[other].filter((id) => id !== target) }) };
  }
  if (to.needs?.includes(source)) return { ok: true, definition };
  return { ok: true, definition: replaceStep(definition, target, { ...to, needs: [...(to.needs ?? []), source] }) };
}

/** Removes a `needs` or branch link (a template reference is changed in the step's fields instead). */
export function disconnectSteps(definition: WorkflowDefinition, source: string, target: string, kind: "needs" | Branch): WorkflowDefinition {
  if (kind === "needs") {
    const to = definition.steps.find((s) => s.id === target);
    if (!to?.needs) return definition;
    const needs = to.needs.filter((id) => id !== source);
    return replaceStep(definition, target, { ...to, needs: needs.length ? needs : undefined });
  }
  const from = definition.steps.find((s) => s.id === source);
  if (from?.kind !== "condition") return definition;
  return replaceStep(definition, source, { ...from, [kind]: from[kind].filter((id) => id !== target) });
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Rewrites `steps.from` / `steps["from"]` to the new id in every string of a JSON value. */
function renameInValue<T>(value: T, from: string, to: string): T {
  const dotted = new RegExp(`(?<![\\w$.])steps(\\s*\\.\\s*)${escape(from)}(?![\\w$])`, "g");
  const bracketed = new RegExp(`(?<![\\w$.])steps(\\s*\\[\\s*)(["'])${escape(from)}\\2`, "g");
  const visit = (v: unknown): unknown => {
    if (typeof v === "string") return v.replace(dotted, `steps$1${to}`).replace(bracketed, `steps$1$2${to}$2`);
    if (Array.isArray(v)) return v.map(visit);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, visit(inner)]));
    return v;
  };
  return visit(value) as T;
}

/** Gives a step a new id, and follows it everywhere the old one was named. */
export function renameStep(definition: WorkflowDefinition, from: string, to: string): EditResult {
  if (from === to) return { ok: true, definition };
  if (!STEP_ID_PATTERN.test(to)) return { ok: false, reason: "An id starts with a letter and uses lower-case letters, digits and _ (at most 48)." };
  if (definition.steps.some((s) => s.id === to)) return { ok: false, reason: `There is already a step "${to}".` };
  const swap = (list: readonly string[] | undefined) => list?.map((id) => (id === from ? to : id));
  const steps = definition.steps.map((s) => {
    const { id, needs, position, ...rest } = s;
    let next = { ...renameInValue(rest, from, to), id: id === from ? to : id, ...(needs ? { needs: swap(needs) } : {}), ...(position ? { position } : {}) } as StepDefinition;
    if (next.kind === "condition") next = { ...next, then: swap(next.then) ?? [], else: swap(next.else) ?? [] };
    if (next.revise?.from === from) next = { ...next, revise: { ...next.revise, from: to } };
    return next;
  });
  return { ok: true, definition: { ...definition, steps, outputs: renameInValue(definition.outputs, from, to) } };
}

/** Stores where the steps are drawn (positions are saved with the definition). */
export function withPositions(definition: WorkflowDefinition, positions: ReadonlyMap<string, Point>): WorkflowDefinition {
  let changed = false;
  const steps = definition.steps.map((s) => {
    const p = positions.get(s.id);
    if (!p) return s;
    const position = { x: Math.round(p.x), y: Math.round(p.y) };
    if (s.position?.x === position.x && s.position?.y === position.y) return s;
    changed = true;
    return { ...s, position };
  });
  return changed ? { ...definition, steps } : definition;
}

/** JSON with sorted keys and no undefined values: equal text means the same definition. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** The first place at or below `desired` where a node does not cover one already drawn. */
export function freeSpot(desired: Point, taken: readonly Point[], size = { width: 210, height: 100 }): Point {
  const covers = (p: Point) => taken.some((t) => Math.abs(t.x - p.x) < size.width && Math.abs(t.y - p.y) < size.height);
  let spot = { x: Math.round(desired.x), y: Math.round(desired.y) };
  for (let tries = 0; tries < 100 && covers(spot); tries++) spot = { x: spot.x, y: spot.y + size.height + 10 };
  return spot;
}
