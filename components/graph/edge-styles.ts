// How dependency edges are drawn: plain `needs` solid, template references dashed,
// condition branches labelled "then"/"else", loop backs dotted and labelled "revise".
// On a run, the edge into a running step moves and edges into skipped steps fade.
import { MarkerType, type Edge } from "@xyflow/react";
import type { DependencyEdge, EdgeKind } from "./dependencies";
import { SOURCE_HANDLES } from "./step-node";
import type { StepState } from "./statuses";

interface EdgeLook {
  color: string;
  dash?: string;
  label?: string;
  title: string;
}

export const EDGE_LOOKS: Record<EdgeKind, EdgeLook> = {
  needs: { color: "light-dark(#8a93a6, #6b7386)", title: "Runs after (needs)" },
  data: { color: "light-dark(#8a93a6, #6b7386)", dash: "6 4", title: "Reads its output ({{ steps.… }})" },
  then: { color: "light-dark(#15803d, #4ade80)", label: "then", title: "Condition true" },
  else: { color: "light-dark(#c02636, #f87171)", label: "else", title: "Condition false" },
  revise: { color: "light-dark(#7c3aed, #c084fc)", dash: "2 4", label: "revise", title: "Sends the run back for another round" },
};

const ACTIVE = "light-dark(#2563eb, #60a5fa)";

export interface EdgeContext {
  /** States on a run, by step id; absent in the editor. */
  states?: ReadonlyMap<string, StepState>;
  /** Only `needs` and branch edges can be removed (template references live in the fields). */
  editable?: boolean;
}

export function toFlowEdge(edge: DependencyEdge, context: EdgeContext = {}): Edge {
  const look = EDGE_LOOKS[edge.kind];
  const target = context.states?.get(edge.target);
  const source = context.states?.get(edge.source);
  const active = target === "RUNNING" && source !== undefined && source !== "RUNNING";
  const faded = target === "SKIPPED" || target === "CANCELLED";
  const color = active ? ACTIVE : look.color;
  const sourceHandle = edge.kind === "then" || edge.kind === "else" ? SOURCE_HANDLES[edge.kind] : SOURCE_HANDLES.out;
  return {
    id: edge.id,
    source: edge.source,
    target: edge.target,
    sourceHandle,
    type: edge.kind === "revise" ? "smoothstep" : "default",
    animated: active,
    deletable: Boolean(context.editable) && edge.kind !== "data" && edge.kind !== "revise",
    selectable: Boolean(context.editable) && edge.kind !== "data" && edge.kind !== "revise",
    focusable: Boolean(context.editable) && edge.kind !== "data" && edge.kind !== "revise",
    ariaLabel: `${edge.source} to ${edge.target}: ${look.title}`,
    label: look.label,
    labelStyle: { fill: look.color, fontWeight: 650, fontSize: 11 },
    labelBgStyle: { fill: "var(--surface)" },
    labelBgPadding: [4, 2],
    labelBgBorderRadius: 4,
    markerEnd: { type: MarkerType.ArrowClosed, color, width: 14, height: 14 },
    style: { stroke: color, strokeWidth: active ? 2.2 : 1.6, strokeDasharray: look.dash, opacity: faded ? 0.35 : 1 },
    data: { kind: edge.kind },
  };
}
