// A definition as React Flow nodes and edges: saved positions where the steps have them,
// the layered layout elsewhere; each node says in a few words what its step does.
import type { Edge } from "@xyflow/react";
import type { StepDefinition, WorkflowDefinition } from "@/server/shared/workflow-definition";
import { dependenciesByStep, dependencyEdges } from "./dependencies";
import { toFlowEdge, type EdgeContext } from "./edge-styles";
import { layeredLayout, type Point } from "./layout";
import type { StepNode, StepNodeData } from "./step-node";

const clip = (text: string, max = 60) => {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

/** What a step does, in a few words, for its node. */
export function stepSummary(step: StepDefinition): string {
  switch (step.kind) {
    case "agent":
      return `agent ${step.agent}`;
    case "llm":
      return step.model ? `model ${step.model}` : step.preset ? `preset ${step.preset}` : "team routing";
    case "tool":
      return step.tool;
    case "code": {
      const lines = step.code.split("\n").filter((l) => l.trim()).length;
      return `JavaScript · ${lines} line${lines === 1 ? "" : "s"}`;
    }
    case "http":
      return clip(`${step.method ?? "GET"} ${step.url || "(no URL yet)"}`);
    case "condition":
      return clip(`if ${step.if}`);
    case "map":
      return clip(`${step.step.kind} for each of ${step.items || "(no list yet)"}`);
    case "approval":
      return clip(step.message || "Asks for a decision");
  }
}

/** Where each step is drawn: its saved position, or the layered layout's. */
export function stepPositions(definition: Pick<WorkflowDefinition, "steps">): Map<string, Point> {
  const order = definition.steps.map((s) => s.id);
  const layout = layeredLayout(order, dependenciesByStep(definition));
  return new Map(definition.steps.map((s) => [s.id, s.position ?? layout.get(s.id) ?? { x: 0, y: 0 }]));
}

/** A position for every step from the layered layout, ignoring saved ones (the editor's "Tidy up"). */
export function autoPositions(definition: Pick<WorkflowDefinition, "steps">): Map<string, Point> {
  return layeredLayout(
    definition.steps.map((s) => s.id),
    dependenciesByStep(definition),
  );
}

export function definitionNodes(
  definition: Pick<WorkflowDefinition, "steps">,
  decorate: (step: StepDefinition) => Partial<StepNodeData> = () => ({}),
): StepNode[] {
  const positions = stepPositions(definition);
  const seen = new Set<string>();
  const nodes: StepNode[] = [];
  for (const step of definition.steps) {
    if (seen.has(step.id)) continue; // a duplicate id is a validation issue; draw the first
    seen.add(step.id);
    nodes.push({
      id: step.id,
      type: "step",
      position: positions.get(step.id)!,
      ariaLabel: `${step.name ?? step.id} (${step.kind} step)`,
      data: { stepId: step.id, kind: step.kind, title: step.name || step.id, detail: stepSummary(step), ...decorate(step) },
    });
  }
  return nodes;
}

export function definitionEdges(definition: Pick<WorkflowDefinition, "steps">, context: EdgeContext = {}): Edge[] {
  return dependencyEdges(definition).map((edge) => toFlowEdge(edge, context));
}
