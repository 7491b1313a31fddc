// What the colours and lines of a canvas mean, in words.
import type { CSSProperties } from "react";
import { EDGE_LOOKS } from "./edge-styles";
import type { EdgeKind } from "./dependencies";
import { LEGEND_STATES, STEP_STATE_META } from "./statuses";
import styles from "./graph.module.css";

const EDGE_ORDER: readonly EdgeKind[] = ["needs", "data", "then", "else", "revise"];

export function GraphLegend({ states = false }: { states?: boolean }) {
  return (
    <div className={styles.legend} aria-label="Legend" role="group">
      {states &&
        LEGEND_STATES.map((state) => (
          <span key={state} className={styles.legendItem} title={STEP_STATE_META[state].description}>
            <span className={styles.legendSwatch} data-state={state} style={{ "--state-color": STEP_STATE_META[state].color } as CSSProperties} aria-hidden="true" />
            {STEP_STATE_META[state].label}
          </span>
        ))}
      {EDGE_ORDER.map((kind) => (
        <span key={kind} className={styles.legendItem}>
          <svg width="26" height="8" aria-hidden="true" focusable="false">
            <line x1="1" y1="4" x2="25" y2="4" style={{ stroke: EDGE_LOOKS[kind].color, strokeDasharray: EDGE_LOOKS[kind].dash, strokeWidth: 2 }} />
          </svg>
          {EDGE_LOOKS[kind].title}
        </span>
      ))}
    </div>
  );
}
