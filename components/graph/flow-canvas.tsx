"use client";
// The React Flow surface every workflow drawing shares: the theme's colours, the dotted
// background, zoom controls and a minimap coloured like the nodes.
import "@xyflow/react/dist/style.css";
import { useCallback, useEffect, useRef, type ReactNode } from "react";
import { Background, Controls, getNodesBounds, MiniMap, ReactFlow, useNodesInitialized, useReactFlow, useStore, type ReactFlowProps } from "@xyflow/react";
import { useEffectiveTheme } from "@/components/charts/use-effective-theme";
import { KIND_META } from "./kinds";
import { NODE_TYPES, type StepNode } from "./step-node";
import { STEP_STATE_META } from "./statuses";
import styles from "./graph.module.css";

function minimapColor(node: StepNode) {
  if (node.data.state) return STEP_STATE_META[node.data.state].color;
  return KIND_META[node.data.kind]?.color ?? "var(--border-strong)";
}

// Readable text beats seeing every step at once: below this zoom, the view shows where the
// workflow starts (its first columns) and the rest is a pan away (the minimap shows it all).
const MIN_READABLE_ZOOM = 0.65;
const FIT_PADDING = 0.15;

/** Fits the whole drawing when it stays readable, else its first columns; false when there is nothing to fit yet. */
function useSmartFit() {
  const flow = useReactFlow<StepNode>();
  const width = useStore((s) => s.width);
  const height = useStore((s) => s.height);
  return useCallback(
    (duration = 0): boolean => {
      const nodes = flow.getNodes();
      if (!nodes.length || !width || !height) return false;
      const box = getNodesBounds(nodes);
      const grow = 1 + 2 * FIT_PADDING;
      const zoom = Math.min(width / (box.width * grow), height / (box.height * grow));
      if (zoom >= MIN_READABLE_ZOOM) {
        void flow.fitView({ padding: FIT_PADDING, maxZoom: 1, duration });
        return true;
      }
      const visibleWidth = width / MIN_READABLE_ZOOM / grow;
      const first = nodes.filter((n) => n.position.x + (n.measured?.width ?? 200) <= box.x + visibleWidth);
      void flow.fitView({ nodes: first.length ? first : nodes.slice(0, 1), padding: FIT_PADDING, minZoom: MIN_READABLE_ZOOM, maxZoom: 1, duration });
      return true;
    },
    [flow, width, height],
  );
}

/** The first fit once the nodes are measured, and a new one each time `token` changes. */
function Fit({ token }: { token: unknown }) {
  const fit = useSmartFit();
  const initialized = useNodesInitialized();
  const fitted = useRef<{ token: unknown } | null>(null);
  useEffect(() => {
    if (!initialized || (fitted.current && fitted.current.token === token)) return;
    const animate = fitted.current !== null;
    const frame = requestAnimationFrame(() => {
      if (fit(animate ? 200 : 0)) fitted.current = { token };
    });
    return () => cancelAnimationFrame(frame);
  }, [initialized, token, fit]);
  return null;
}

export function FlowCanvas({
  label,
  children,
  minimap = true,
  refitOn,
  ...props
}: Omit<ReactFlowProps<StepNode>, "nodeTypes" | "colorMode"> & { label: string; children?: ReactNode; minimap?: boolean; refitOn?: unknown }) {
  const theme = useEffectiveTheme();
  return (
    <div className={styles.canvas} role="region" aria-label={label}>
      <ReactFlow<StepNode>
        nodeTypes={NODE_TYPES}
        colorMode={theme}
        minZoom={0.2}
        maxZoom={2}
        {...props}
      >
        <Background gap={18} size={1.2} />
        <Controls showInteractive={false} />
        {minimap && <MiniMap<StepNode> pannable zoomable nodeColor={minimapColor} nodeStrokeWidth={0} ariaLabel="Overview of the workflow" style={{ width: 150, height: 96 }} />}
        <Fit token={refitOn} />
        {children}
      </ReactFlow>
    </div>
  );
}
