// A state as a coloured dot and its label, for runs and steps alike.
import type { CSSProperties } from "react";
import type { RunStatus } from "@/server/shared/workflow-definition";
import { RUN_STATUS_META, STEP_STATE_META, type StateMeta, type StepState } from "./statuses";
import styles from "./graph.module.css";

function StateBadge({ meta, state, testId }: { meta: StateMeta; state: string; testId?: string }) {
  return (
    <span className={styles.stateBadge} data-state={state} style={{ "--state-color": meta.color } as CSSProperties} title={meta.description} data-testid={testId}>
      <span className={styles.stateDot} aria-hidden="true" />
      {meta.label}
    </span>
  );
}

export function RunStatusBadge({ status, testId }: { status: RunStatus; testId?: string }) {
  return <StateBadge meta={RUN_STATUS_META[status]} state={status} testId={testId} />;
}

export function StepStatusBadge({ status, testId }: { status: StepState; testId?: string }) {
  return <StateBadge meta={STEP_STATE_META[status]} state={status} testId={testId} />;
}
