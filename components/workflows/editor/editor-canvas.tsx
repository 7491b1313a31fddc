"use client";
// The editing canvas: steps as nodes where they were left (or laid out by depth), drag to
// move, drag from a step's right edge to another's left edge to make it wait (`needs`, or a
// condition's then/else), Delete/Backspace to remove the selection.
import { useMemo } from "react";
import type { Connection, Edge, NodeChange } from "@xyflow/react";
import type { DefinitionIssue, WorkflowDefinition } from "@/server/shared/workflow-definition";
import { definitionEdges, definitionNodes } from "@/components/graph/flow-model";
import { FlowCanvas } from "@/components/graph/flow-canvas";
import type { StepNode } from "@/components/graph/step-node";
import { useFlowState } from "@/components/graph/use-flow-state";
import { connectSteps, dependsOn, disconnectSteps, removeSteps, withPositions, type Branch } from "../definition-edit";

export function EditorCanvas({
  definition,
  issuesByStep,
  selectedId,
  readOnly,
  onSelect,
  onChange,
  onNotice,
  refitOn,
}: {
  definition: WorkflowDefinition;
  issuesByStep: ReadonlyMap<string, DefinitionIssue[]>;
  selectedId: string | null;
  readOnly: boolean;
  onSelect: (id: string | null) => void;
  onChange: (definition: WorkflowDefinition) => void;
  /** Explains a refused edit (a link that would close a cycle). */
  onNotice: (message: string) => void;
  /** Fits the drawing again when this changes (another version is shown). */
  refitOn?: unknown;
}) {
  // The definition is the source of truth; React Flow's own state keeps sizes and drags in progress.
  const computedNodes = useMemo(
    () =>
      definitionNodes(definition, (step) => ({ issues: issuesByStep.get(step.id)?.map((i) => i.message) })).map((node) => ({
        ...node,
        selected: node.id === selectedId,
        draggable: !readOnly,
        connectable: !readOnly,
        deletable: !readOnly,
      })),
    [definition, issuesByStep, selectedId, readOnly],
  );
  const computedEdges = useMemo(() => definitionEdges(definition, { editable: !readOnly }), [definition, readOnly]);
  const flow = useFlowState(computedNodes, computedEdges);
  const nodes = flow.nodes;

  function onNodesChange(changes: NodeChange<StepNode>[]) {
    flow.onNodesChange(changes);
    // A click on another step deselects the old one and selects the new one, in either order.
    const picked = changes.find((c) => c.type === "select" && c.selected);
    if (picked && "id" in picked) onSelect(picked.id);
    else if (changes.some((c) => c.type === "select" && !c.selected && c.id === selectedId)) onSelect(null);
  }

  function onConnect(connection: Connection) {
    const branch = connection.sourceHandle === "then" || connection.sourceHandle === "else" ? (connection.sourceHandle as Branch) : undefined;
    const result = connectSteps(definition, connection.source, connection.target, branch);
    if (result.ok) onChange(result.definition);
    else onNotice(result.reason);
  }

  function onDelete({ nodes: removedNodes, edges: removedEdges }: { nodes: StepNode[]; edges: Edge[] }) {
    const gone = new Set(removedNodes.map((n) => n.id));
    let next = gone.size ? removeSteps(definition, gone) : definition;
    for (const edge of removedEdges) {
      const kind = (edge.data as { kind?: string } | undefined)?.kind;
      if (gone.has(edge.source) || gone.has(edge.target)) continue;
      if (kind === "needs" || kind === "then" || kind === "else") next = disconnectSteps(next, edge.source, edge.target, kind);
    }
    if (gone.has(selectedId ?? "")) onSelect(null);
    if (next !== definition) onChange(next);
  }

  return (
    <FlowCanvas
      label="Workflow graph editor"
      nodes={nodes}
      edges={flow.edges}
      onNodesChange={onNodesChange}
      onEdgesChange={flow.onEdgesChange}
      onConnect={onConnect}
      onDelete={onDelete}
      isValidConnection={(c) => c.source !== c.target && !dependsOn(definition, c.source, c.target)}
      onNodeDragStop={(_event, _node, dragged) => {
        // Every step gets a stored position once one is moved, so the others stay where they are drawn.
        const positions = new Map(nodes.map((n) => [n.id, n.position]));
        for (const n of dragged) positions.set(n.id, n.position);
        onChange(withPositions(definition, positions));
      }}
      onPaneClick={() => onSelect(null)}
      nodesDraggable={!readOnly}
      nodesConnectable={!readOnly}
      edgesFocusable={!readOnly}
      deleteKeyCode={readOnly ? null : ["Backspace", "Delete"]}
      selectNodesOnDrag={false}
      refitOn={refitOn}
    />
  );
}
