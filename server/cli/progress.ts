// How `maestro run` shows a run in a terminal: a line per step with a progress bar,
// its state, time and cost, redrawn in place on a TTY, or a line per change otherwise.
import type { RunDto, StepRunDto } from "../shared/runs.ts";

const BAR_WIDTH = 20;
const FINISHED = new Set(["SUCCEEDED", "FAILED", "CANCELLED", "SKIPPED", "COMPENSATED"]);

const ICONS: Record<string, string> = {
  PENDING: "·",
  QUEUED: "·",
  RUNNING: "▸",
  WAITING: "⏸",
  SUCCEEDED: "✓",
  FAILED: "✗",
  CANCELLED: "■",
  SKIPPED: "↷",
  COMPENSATED: "↺",
};

export interface StepLine {
  key: string;
  kind: string;
  status: string;
  /** 0..1 */
  fraction: number;
  detail: string;
}

function seconds(from: string | null, to: string | null, now: number): string {
  if (!from) return "";
  const ms = (to ? Date.parse(to) : now) - Date.parse(from);
  return ms < 1000 ? `${Math.max(0, Math.round(ms))}ms` : `${(ms / 1000).toFixed(1)}s`;
}

export const usd = (value: number) => (value === 0 ? "$0" : value < 0.01 ? `$${value.toFixed(6)}` : `$${value.toFixed(4)}`);

/** One line per step of the definition (map items folded into their map), in definition order. */
export function stepLines(run: RunDto, now = Date.now()): StepLine[] {
  const byKey = new Map(run.steps.map((s) => [s.key, s]));
  return run.definition.steps.map((def) => {
    const step: StepRunDto | undefined = byKey.get(def.id);
    const status = step?.status ?? "PENDING";
    let fraction = FINISHED.has(status) ? 1 : status === "RUNNING" || status === "WAITING" ? 0.5 : 0;
    let detail = step ? seconds(step.startedAt ?? step.queuedAt, step.finishedAt, now) : "";
    if (def.kind === "map") {
      const items = run.steps.filter((s) => s.stepId === def.id && s.key !== def.id && !s.key.includes("~"));
      const total = Array.isArray((step?.input as { items?: unknown[] } | null)?.items) ? (step!.input as { items: unknown[] }).items.length : items.length;
      const done = items.filter((s) => FINISHED.has(s.status)).length;
      if (total > 0) fraction = done / total;
      detail = `${done}/${total} items${detail ? `  ${detail}` : ""}`;
    }
    if (step && step.attempt > 1) detail += `  attempt ${step.attempt}/${step.maxAttempts}`;
    if (step && step.costUsd > 0) detail += `  ${usd(step.costUsd)}`;
    if (status === "FAILED" && step?.error) detail += `  ${step.error.message.slice(0, 80)}`;
    return { key: def.id, kind: def.kind, status, fraction, detail };
  });
}

export function bar(fraction: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * BAR_WIDTH);
  return "█".repeat(filled) + "░".repeat(BAR_WIDTH - filled);
}

export function renderLines(run: RunDto, now = Date.now()): string[] {
  const lines = stepLines(run, now);
  const keyWidth = Math.max(4, ...lines.map((l) => l.key.length));
  const kindWidth = Math.max(4, ...lines.map((l) => l.kind.length));
  return [
    `Run ${run.id} · ${run.workflowSlug} v${run.version} · ${run.status}`,
    ...lines.map((l) => `  ${ICONS[l.status] ?? "?"} ${l.key.padEnd(keyWidth)}  ${l.kind.padEnd(kindWidth)}  ${bar(l.fraction)}  ${l.status.padEnd(11)} ${l.detail}`.trimEnd()),
  ];
}

/** The lines that changed since the last call, for logs and pipes (no cursor movement). */
export function changedLines(run: RunDto, seen: Map<string, string>): string[] {
  const out: string[] = [];
  for (const line of stepLines(run)) {
    const state = `${line.status}:${line.fraction.toFixed(2)}`;
    if (seen.get(line.key) === state) continue;
    seen.set(line.key, state);
    out.push(`${new Date().toISOString().slice(11, 19)}  ${line.key}  ${line.status}${line.detail ? `  ${line.detail}` : ""}`);
  }
  return out;
}

/** The closing summary: status, time, tokens, cost, then the output (or the error). */
export function summary(run: RunDto): string {
  const duration = run.startedAt ? seconds(run.startedAt, run.finishedAt, Date.now()) : "";
  const tokens = (run.inputTokens + run.outputTokens).toLocaleString("en-US");
  const head = `${run.status === "SUCCEEDED" ? "Succeeded" : run.status.charAt(0) + run.status.slice(1).toLowerCase()} in ${duration} · ${tokens} tokens · ${usd(run.costUsd)}`;
  if (run.status !== "SUCCEEDED") return `${head}\n${run.error ? `Error: ${run.error.message}` : ""}`.trimEnd();
  const output = typeof run.output === "string" ? run.output : JSON.stringify(run.output, null, 2);
  return `${head}\n\nResult:\n${output}`;
}
