"use client";
// The run's DAG, coloured live by each step's state; map steps show their items' progress.
// Clicking a step (or pressing Enter on it) opens its details.
import { useMemo } from "react";
import type { RunDto } from "@/server/shared/runs";
import { definitionEdges, definitionNodes } from "@/components/graph/flow-model";
import { FlowCanvas } from "@/components/graph/flow-canvas";
import { useFlowState } from "@/components/graph/use-flow-state";
import type { StepView } from "./run-model";

export function RunGraph({ run, views, selectedId, onSelect }: { run: RunDto; views: ReadonlyMap<string, StepView>; selectedId: string | null; onSelect: (id: string | null) => void }) {
  const computedNodes = useMemo(
    () =>
      definitionNodes(run.definition, (step) => {
        const view = views.get(step.id);
        return {
          state: view?.state ?? "NOT_STARTED",
          items: view?.itemsProgress,
          attempt: view?.main ? { attempt: view.main.attempt, max: view.main.maxAttempts } : undefined,
        };
      }).map((node) => ({ ...node, selected: node.id === selectedId, draggable: false, connectable: false, deletable: false })),
    [run.definition, views, selectedId],
  );
  const computedEdges = useMemo(() => definitionEdges(run.definition, { states: new Map([...views].map(([id, v]) => [id, v.state])) }), [run.definition, views]);
  const flow = useFlowState(computedNodes, computedEdges);
  return (
    <FlowCanvas
      label="Run graph"
      nodes={flow.nodes}
      edges={flow.edges}
      onNodesChange={(changes) => {
        flow.onNodesChange(changes);
        // Keyboard selection (Tab to a step, Enter) goes through here too.
        const picked = changes.find((c) => c.type === "select" && c.selected);
        if (picked && "id" in picked) onSelect(picked.id);
      }}
      onPaneClick={() => onSelect(null)}
      nodesDraggable={false}
      nodesConnectable={false}
      edgesFocusable={false}
      deleteKeyCode={null}
      refitOn={selectedId !== null}
    />
  );
}
