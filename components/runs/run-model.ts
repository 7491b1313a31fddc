// A run as its pages show it: each definition step's state with its rows (the main row,
// a map's items, a compensation), live events folded into the cached run, and the words
// for each event of the timeline.
import type { RunDto, RunEventDto, StepRunDto } from "@/server/shared/runs";
import {
  FINISHED_RUN_STATUSES,
  FINISHED_STEP_STATUSES,
  RUN_STATUSES,
  STEP_STATUSES,
  type RunStatus,
  type StepKind,
  type StepStatus,
} from "@/server/shared/workflow-definition";
import type { StepState } from "@/components/graph/statuses";

export const COMPENSATION_SUFFIX = "~compensate";
const ITEM_KEY = /^(.*)\[(\d+)\]$/;

export interface StepView {
  stepId: string;
  kind: StepKind;
  state: StepState;
  main: StepRunDto | null;
  items: StepRunDto[];
  compensation: StepRunDto | null;
  /** A map's items: finished, failed, and known so far. */
  itemsProgress?: { done: number; failed: number; total: number };
}

/** The definition step a row belongs to: `map[3]` and `pay~compensate` both name their step. */
export function stepIdOfKey(key: string): string {
  if (key.endsWith(COMPENSATION_SUFFIX)) return key.slice(0, -COMPENSATION_SUFFIX.length);
  return ITEM_KEY.exec(key)?.[1] ?? key;
}

const isFinishedStep = (status: StepStatus) => FINISHED_STEP_STATUSES.includes(status);
export const isFinishedRun = (status: RunStatus) => FINISHED_RUN_STATUSES.includes(status);

/** One view per definition step, in definition order. */
export function stepViews(run: Pick<RunDto, "definition" | "steps">): Map<string, StepView> {
  const views = new Map<string, StepView>();
  for (const step of run.definition.steps) {
    views.set(step.id, { stepId: step.id, kind: step.kind, state: "NOT_STARTED", main: null, items: [], compensation: null });
  }
  for (const row of run.steps) {
    const view = views.get(row.stepId) ?? views.get(stepIdOfKey(row.key));
    if (!view) continue;
    if (row.key === view.stepId) {
      view.main = row;
      view.state = row.status;
    } else if (row.key.endsWith(COMPENSATION_SUFFIX)) view.compensation = row;
    else view.items.push(row);
  }
  for (const view of views.values()) {
    if (view.kind !== "map" || (!view.main && view.items.length === 0)) continue;
    view.items.sort((a, b) => Number(ITEM_KEY.exec(a.key)?.[2] ?? 0) - Number(ITEM_KEY.exec(b.key)?.[2] ?? 0));
    view.itemsProgress = {
      done: view.items.filter((i) => isFinishedStep(i.status)).length,
      failed: view.items.filter((i) => i.status === "FAILED").length,
      total: view.items.length,
    };
  }
  return views;
}

/** Finished steps of all known so far, as the server counts them (compensations left out). */
function progressOf(run: Pick<RunDto, "definition" | "steps">): { done: number; total: number } {
  const forward = run.steps.filter((s) => !s.key.endsWith(COMPENSATION_SUFFIX));
  const known = new Set([...run.definition.steps.map((s) => s.id), ...forward.map((s) => s.key)]);
  return { done: forward.filter((s) => isFinishedStep(s.status)).length, total: known.size };
}

const asStepStatus = (value: unknown): StepStatus | null => (STEP_STATUSES.includes(value as StepStatus) ? (value as StepStatus) : null);
const asRunStatus = (value: unknown): RunStatus | null => (RUN_STATUSES.includes(value as RunStatus) ? (value as RunStatus) : null);

function kindOfKey(run: Pick<RunDto, "definition">, key: string): StepKind {
  const step = run.definition.steps.find((s) => s.id === stepIdOfKey(key));
  if (!step) return "code";
  if (ITEM_KEY.test(key) && step.kind === "map") return step.step.kind;
  if (key.endsWith(COMPENSATION_SUFFIX) && "compensate" in step && step.compensate) return step.compensate.kind;
  return step.kind;
}

/**
 * The run with one live event applied: run and step states change at once (a step row the
 * run did not have yet is added), everything else waits for the next fetch of the run.
 */
export function applyRunEvent(run: RunDto, event: RunEventDto): RunDto {
  if (event.runId !== run.id) return run;
  if (event.type === "run.status") {
    const status = asRunStatus(event.payload.status);
    if (!status || status === run.status) return run;
    return {
      ...run,
      status,
      startedAt: run.startedAt ?? (status === "RUNNING" ? event.at : null),
      finishedAt: isFinishedRun(status) ? (run.finishedAt ?? event.at) : null,
    };
  }
  if (event.type !== "step.status" || !event.stepKey) return run;
  const status = asStepStatus(event.payload.status);
  if (!status) return run;
  const attempt = typeof event.payload.attempt === "number" ? event.payload.attempt : undefined;
  const error = (event.payload.error ?? null) as StepRunDto["error"];
  const existing = run.steps.find((s) => s.key === event.stepKey);
  const patch = (row: StepRunDto): StepRunDto => ({
    ...row,
    status,
    attempt: attempt ?? row.attempt,
    error: status === "FAILED" || status === "QUEUED" ? (error ?? row.error) : status === "SUCCEEDED" ? null : row.error,
    startedAt: status === "RUNNING" ? (row.startedAt ?? event.at) : row.startedAt,
    finishedAt: isFinishedStep(status) ? (row.finishedAt ?? event.at) : status === "RUNNING" || status === "QUEUED" ? null : row.finishedAt,
  });
  const steps = existing
    ? run.steps.map((s) => (s.key === event.stepKey ? patch(s) : s))
    : [
        ...run.steps,
        patch({
          id: `live:${event.stepKey}`,
          key: event.stepKey,
          stepId: stepIdOfKey(event.stepKey),
          kind: kindOfKey(run, event.stepKey),
          status,
          attempt: attempt ?? 1,
          maxAttempts: attempt ?? 1,
          input: null,
          output: null,
          error: null,
          logs: [],
          nodeId: typeof event.payload.nodeId === "string" ? event.payload.nodeId : null,
          inputTokens: 0,
          outputTokens: 0,
          costUsd: 0,
          queuedAt: event.at,
          startedAt: null,
          finishedAt: null,
        }),
      ];
  const next = { ...run, steps };
  return { ...next, progress: progressOf(next) };
}

/** Events by id (a bigint as text), each once, oldest first. */
export function mergeEvents(old: readonly RunEventDto[] | undefined, incoming: readonly RunEventDto[]): RunEventDto[] {
  const byId = new Map((old ?? []).map((e) => [e.id, e]));
  for (const event of incoming) byId.set(event.id, event);
  return [...byId.values()].sort((a, b) => {
    const x = BigInt(a.id);
    const y = BigInt(b.id);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** Milliseconds between two ISO times (to `now` while still going; null `now`: not known yet), or null. */
export function durationMs(start: string | null, end: string | null, now: number | null = Date.now()): number | null {
  if (!start || (!end && now === null)) return null;
  return Math.max(0, (end ? Date.parse(end) : now!) - Date.parse(start));
}

/** "850 ms", "12.4 s", "3 min 05 s", "2 h 04 min". */
export function formatDuration(ms: number | null): string {
  if (ms === null) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, "0")} s`;
  return `${Math.floor(seconds / 3600)} h ${String(Math.floor((seconds % 3600) / 60)).padStart(2, "0")} min`;
}

const STATUS_WORDS: Record<string, string> = {
  QUEUED: "queued",
  RUNNING: "running",
  WAITING: "waiting",
  PAUSED: "paused",
  SUCCEEDED: "succeeded",
  FAILED: "failed",
  CANCELLED: "cancelled",
  SKIPPED: "skipped",
  COMPENSATED: "compensated",
  PENDING: "pending",
};

const errorText = (value: unknown) => (value && typeof value === "object" && typeof (value as { message?: unknown }).message === "string" ? (value as { message: string }).message : null);

/** One line for the timeline. */
export function describeEvent(event: RunEventDto): string {
  const p = event.payload;
  const status = typeof p.status === "string" ? (STATUS_WORDS[p.status] ?? p.status.toLowerCase()) : "";
  switch (event.type) {
    case "run.status": {
      if (typeof p.retryFrom === "string") return `Run queued again, from step ${p.retryFrom}`;
      if (typeof p.from === "string" && typeof p.revision === "number") return `${event.stepKey ?? "A step"} sent the run back to ${p.from} (round ${p.revision})`;
      const error = errorText(p.error);
      return `Run ${status}${error ? `: ${error}` : ""}`;
    }
    case "step.status": {
      const decision = p.decision as { approved?: boolean; comment?: string } | undefined;
      if (decision) return `${event.stepKey} ${decision.approved ? "approved" : "rejected"}${decision.comment ? `: “${decision.comment}”` : ""}`;
      const error = errorText(p.error);
      const attempt = typeof p.attempt === "number" && p.attempt > 1 ? ` (attempt ${p.attempt})` : "";
      if (p.status === "QUEUED" && typeof p.retryInMs === "number") return `${event.stepKey} will retry in ${formatDuration(p.retryInMs)}${attempt}${error ? ` after: ${error}` : ""}`;
      return `${event.stepKey} ${status}${attempt}${error ? `: ${error}` : ""}`;
    }
    case "step.log":
      return `${event.stepKey ?? "Step"}: ${typeof p.message === "string" ? p.message : JSON.stringify(p)}`;
    case "agent.message":
      return `${String(p.from ?? "?")} → ${String(p.to ?? "?")} (${String(p.kind ?? "message")})${typeof p.preview === "string" && p.preview ? `: ${p.preview}` : ""}`;
    case "tool.call":
      return `${event.stepKey ?? "A step"} called ${p.server ? `${String(p.server)}.` : ""}${String(p.tool ?? "a tool")}${p.isError ? " (error)" : ""}${typeof p.latencyMs === "number" ? ` in ${formatDuration(p.latencyMs)}` : ""}`;
    case "memory":
      return `${String(p.writtenBy ?? "A step")} wrote memory “${String(p.key ?? "?")}”`;
    case "usage":
      return `${event.stepKey ?? "The run"} used ${String(p.inputTokens ?? 0)} + ${String(p.outputTokens ?? 0)} tokens`;
  }
}
