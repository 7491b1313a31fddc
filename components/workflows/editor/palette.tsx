"use client";
// The left column: a button per step kind (click to add it in view, or drag it onto the
// canvas) and the list of steps, so every step is reachable from the keyboard too.
import type { DefinitionIssue, StepDefinition, StepKind } from "@/server/shared/workflow-definition";
import { STEP_KINDS } from "@/server/shared/workflow-definition";
import { KIND_META } from "@/components/graph/kinds";
import { KindIcon } from "@/components/graph/kind-icon";
import styles from "./editor.module.css";

export const STEP_KIND_MIME = "application/x-maestro-step-kind";

export function Palette({
  steps,
  selectedId,
  issuesByStep,
  readOnly,
  onAdd,
  onSelect,
}: {
  steps: readonly StepDefinition[];
  selectedId: string | null;
  issuesByStep: ReadonlyMap<string, DefinitionIssue[]>;
  readOnly: boolean;
  onAdd: (kind: StepKind) => void;
  onSelect: (id: string) => void;
}) {
  return (
    <nav className={styles.palette} aria-label="Steps">
      {!readOnly && (
        <section>
          <h2 className={styles.paletteTitle}>Add a step</h2>
          <ul className={styles.paletteList}>
            {STEP_KINDS.map((kind) => (
              <li key={kind}>
                <button
                  type="button"
                  className={styles.paletteItem}
                  draggable
                  onDragStart={(e) => {
                    e.dataTransfer.setData(STEP_KIND_MIME, kind);
                    e.dataTransfer.effectAllowed = "copy";
                  }}
                  onClick={() => onAdd(kind)}
                  title={`${KIND_META[kind].description}. Click to add, or drag onto the canvas.`}
                  aria-label={`Add ${KIND_META[kind].label} step`}
                  data-testid={`palette-${kind}`}
                >
                  <span className={styles.paletteIcon} style={{ color: KIND_META[kind].color }}>
                    <KindIcon kind={kind} size={14} />
                  </span>
                  {KIND_META[kind].label}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section>
        <h2 className={styles.paletteTitle}>In this workflow ({steps.length})</h2>
        <ul className={styles.paletteList}>
          {steps.map((step) => {
            const problems = issuesByStep.get(step.id)?.length ?? 0;
            return (
              <li key={step.id}>
                <button
                  type="button"
                  className={styles.stepLink}
                  aria-current={selectedId === step.id || undefined}
                  onClick={() => onSelect(step.id)}
                  aria-label={`Select step ${step.id}${problems ? ` (${problems} issue${problems === 1 ? "" : "s"})` : ""}`}
                >
                  <span style={{ color: KIND_META[step.kind].color }}>
                    <KindIcon kind={step.kind} size={13} />
                  </span>
                  <span className={styles.stepLinkText}>{step.name || step.id}</span>
                  {problems > 0 && <span className={styles.problemDot} aria-hidden="true" />}
                </button>
              </li>
            );
          })}
        </ul>
      </section>
    </nav>
  );
}
