"use client";
// One step on a canvas: its kind (icon, colour, label), its name and id, a one-line
// summary of what it does, and, on a run, its state in words and colour. A condition
// has a "then" and an "else" output; every step has a plain output for `needs`.
import { memo, type CSSProperties } from "react";
import { Handle, Position, type Node, type NodeProps } from "@xyflow/react";
import type { StepKind } from "@/server/shared/workflow-definition";
import { KIND_META } from "./kinds";
import { KindIcon } from "./kind-icon";
import { STEP_STATE_META, type StepState } from "./statuses";
import styles from "./graph.module.css";

export interface StepNodeData extends Record<string, unknown> {
  stepId: string;
  kind: StepKind;
  /** The step's name, or its id. */
  title: string;
  /** What it does in a few words: the agent, the model, "GET https://…". */
  detail?: string;
  /** On a run: the step's state. */
  state?: StepState;
  /** A map's items: finished, failed and known so far. */
  items?: { done: number; failed: number; total: number };
  /** Attempts so far, shown when a step was retried. */
  attempt?: { attempt: number; max: number };
  /** In the editor: what validation found wrong with this step. */
  issues?: string[];
}

export type StepNode = Node<StepNodeData, "step">;

/** The handle ids edges leave from: a plain output, and a condition's two branches. */
export const SOURCE_HANDLES = { out: "out", then: "then", else: "else" } as const;

function ItemsBar({ items }: { items: NonNullable<StepNodeData["items"]> }) {
  const done = items.total ? (items.done / items.total) * 100 : 0;
  return (
    <div className={styles.items}>
      <div className={styles.itemsBar} aria-hidden="true">
        <span style={{ width: `${done}%` }} />
      </div>
      <span>
        {items.done}/{items.total} items{items.failed > 0 ? ` · ${items.failed} failed` : ""}
      </span>
    </div>
  );
}

function StepNodeView({ data, selected }: NodeProps<StepNode>) {
  const meta = KIND_META[data.kind];
  const state = data.state ? STEP_STATE_META[data.state] : null;
  const issues = data.issues ?? [];
  const style = { "--kind-color": meta.color, ...(state ? { "--state-color": state.color } : {}) } as CSSProperties;
  return (
    <div
      className={styles.node}
      style={style}
      data-kind={data.kind}
      data-state={data.state}
      data-selected={selected || undefined}
      data-invalid={issues.length > 0 || undefined}
      data-testid={`step-node-${data.stepId}`}
    >
      <Handle type="target" position={Position.Left} className={styles.handle} />
      <div className={styles.nodeHead}>
        <span className={styles.kindIcon}>
          <KindIcon kind={data.kind} size={13} />
        </span>
        <span className={styles.kindLabel}>{meta.label}</span>
        {state && (
          <span className={styles.nodeState} title={state.description} data-testid={`step-state-${data.stepId}`}>
            <span className={styles.stateDot} aria-hidden="true" />
            {state.label}
          </span>
        )}
        {issues.length > 0 && (
          <span className={styles.issueFlag} title={issues.join("\n")}>
            {issues.length === 1 ? "1 issue" : `${issues.length} issues`}
          </span>
        )}
      </div>
      <div className={styles.nodeTitle}>{data.title}</div>
      {data.title !== data.stepId && <div className={styles.nodeId}>{data.stepId}</div>}
      {data.detail && <div className={styles.nodeDetail}>{data.detail}</div>}
      {data.items && <ItemsBar items={data.items} />}
      {data.attempt && data.attempt.attempt > 1 && (
        <div className={styles.nodeDetail}>
          attempt {data.attempt.attempt} of {data.attempt.max}
        </div>
      )}
      {data.kind === "condition" ? (
        <>
          <Handle type="source" id={SOURCE_HANDLES.then} position={Position.Right} className={styles.handle} data-branch="then" style={{ top: "34%" }} />
          <span className={styles.branchTag} style={{ top: "34%" }}>then</span>
          <Handle type="source" id={SOURCE_HANDLES.else} position={Position.Right} className={styles.handle} data-branch="else" style={{ top: "72%" }} />
          <span className={styles.branchTag} style={{ top: "72%" }}>else</span>
          <Handle type="source" id={SOURCE_HANDLES.out} position={Position.Bottom} className={styles.handle} />
        </>
      ) : (
        <Handle type="source" id={SOURCE_HANDLES.out} position={Position.Right} className={styles.handle} />
      )}
    </div>
  );
}

export const StepNodeComponent = memo(StepNodeView);

/** The node types every canvas registers (a stable object, as React Flow asks). */
export const NODE_TYPES = { step: StepNodeComponent };
