// Step and run states as words and colours. Colour is never the only signal: every
// place that colours a state also prints its label.
import type { RunStatus, StepStatus } from "@/server/shared/workflow-definition";

/** A step of the definition that has no row yet (the run has not reached it). */
export type StepState = StepStatus | "NOT_STARTED";

export interface StateMeta {
  label: string;
  /** A CSS colour (light-dark pair). */
  color: string;
  /** Explains the state in a tooltip. */
  description: string;
}

const GREY = "light-dark(#7b8494, #8b93a3)";
const BLUE = "light-dark(#2563eb, #60a5fa)";
const AMBER = "light-dark(#b45309, #fbbf24)";
const GREEN = "light-dark(#15803d, #4ade80)";
const RED = "light-dark(#c02636, #f87171)";
const SLATE = "light-dark(#475569, #94a3b8)";
const PURPLE = "light-dark(#7c3aed, #c084fc)";

export const STEP_STATE_META: Record<StepState, StateMeta> = {
  NOT_STARTED: { label: "Not started", color: GREY, description: "The run has not reached this step" },
  PENDING: { label: "Pending", color: GREY, description: "Waiting for the steps it depends on" },
  QUEUED: { label: "Queued", color: GREY, description: "Ready, waiting for a worker" },
  RUNNING: { label: "Running", color: BLUE, description: "A worker is running this step" },
  WAITING: { label: "Waiting", color: AMBER, description: "Waiting for a person (an approval)" },
  SUCCEEDED: { label: "Succeeded", color: GREEN, description: "Finished with an output" },
  FAILED: { label: "Failed", color: RED, description: "Finished with an error after its last attempt" },
  CANCELLED: { label: "Cancelled", color: SLATE, description: "Stopped before it finished" },
  SKIPPED: { label: "Skipped", color: GREY, description: "Not run: its branch was not taken" },
  COMPENSATED: { label: "Compensated", color: PURPLE, description: "Its effect was undone during rollback" },
};

export const RUN_STATUS_META: Record<RunStatus, StateMeta> = {
  QUEUED: { label: "Queued", color: GREY, description: "Waiting to start" },
  RUNNING: { label: "Running", color: BLUE, description: "Steps are running" },
  WAITING: { label: "Waiting", color: AMBER, description: "A step waits for an approval" },
  PAUSED: { label: "Paused", color: AMBER, description: "Paused: no new step starts until it is resumed" },
  SUCCEEDED: { label: "Succeeded", color: GREEN, description: "Every step finished" },
  FAILED: { label: "Failed", color: RED, description: "A step failed" },
  CANCELLED: { label: "Cancelled", color: SLATE, description: "Cancelled before it finished" },
  COMPENSATED: { label: "Compensated", color: PURPLE, description: "Failed, and the finished steps were rolled back" },
};

/** The order the legend lists step states in (the order a run goes through them). */
export const LEGEND_STATES: readonly StepState[] = ["NOT_STARTED", "QUEUED", "RUNNING", "WAITING", "SUCCEEDED", "FAILED", "SKIPPED", "CANCELLED", "COMPENSATED"];
