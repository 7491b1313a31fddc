"use client";
// React Flow state that follows nodes and edges computed from a definition: each new
// computation replaces them, keeping what React Flow measured (sizes) and what is selected
// on the canvas. Without the measured sizes, replaced nodes would be hidden until re-measured.
import { useEffect } from "react";
import { applyNodeChanges, useEdgesState, useNodesState, type Edge, type NodeChange } from "@xyflow/react";
import type { StepNode } from "./step-node";

/** `computedNodes` and `computedEdges` must be memoised: each new array replaces the drawing. */
export function useFlowState(computedNodes: StepNode[], computedEdges: Edge[]) {
  const [nodes, setNodes] = useNodesState<StepNode>([]);
  const [edges, setEdges, onEdgesChange] = useEdgesState<Edge>([]);

  useEffect(() => {
    setNodes((previous) => {
      const old = new Map(previous.map((n) => [n.id, n]));
      return computedNodes.map((node) => {
        const measured = old.get(node.id)?.measured;
        return measured ? { ...node, measured } : node;
      });
    });
  }, [computedNodes, setNodes]);

  useEffect(() => {
    setEdges((previous) => {
      const selected = new Set(previous.filter((e) => e.selected).map((e) => e.id));
      return computedEdges.map((edge) => (selected.has(edge.id) ? { ...edge, selected: true } : edge));
    });
  }, [computedEdges, setEdges]);

  const onNodesChange = (changes: NodeChange<StepNode>[]) => setNodes((current) => applyNodeChanges(changes, current));
  return { nodes, edges, onNodesChange, onEdgesChange };
}
