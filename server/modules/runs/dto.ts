// Rows to the run DTOs of server/shared/runs.ts: nano-dollars to USD, dates to ISO text,
// steps in the order a reader follows the definition.
import type { AgentMessage, DeadLetter, Run, RunEvent, RunMemory, StepRun } from "../../db/generated/client.ts";
import { nanoToUsd } from "../../shared/budgets.ts";
import type { AgentMessageDto, DeadLetterDto, RunDto, RunEventDto, RunEventType, RunMemoryEntryDto, RunSummaryDto, StepRunDto } from "../../shared/runs.ts";
import {
  FINISHED_STEP_STATUSES,
  type RunStatus,
  type StepKind,
  type StepStatus,
  type WorkflowDefinition,
} from "../../shared/workflow-definition.ts";

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** The part of a step row that places it in the run. */
type StepPlaceFields = Pick<StepRun, "key" | "stepId" | "phase" | "mapIndex">;

/** Steps in definition order, each map's items right after it, compensations last. */
export function orderSteps<S extends StepPlaceFields>(steps: readonly S[], definition: WorkflowDefinition): S[] {
  const positions = new Map(definition.steps.map((s, i) => [s.id, i]));
  // Compensations run on rollback, after everything else; unknown step ids go after known ones.
  const rank = (s: S) => [s.phase === "compensate" ? 1 : 0, positions.get(s.stepId) ?? Number.MAX_SAFE_INTEGER, s.phase === "item" ? (s.mapIndex ?? 0) + 1 : 0];
  const ranked = steps.map((step) => ({ step, rank: rank(step) }));
  ranked.sort((a, b) => a.rank[0]! - b.rank[0]! || a.rank[1]! - b.rank[1]! || a.rank[2]! - b.rank[2]! || (a.step.key < b.step.key ? -1 : a.step.key > b.step.key ? 1 : 0));
  return ranked.map((r) => r.step);
}

/** Finished steps out of every step known so far: the definition's, plus map items created. */
export function runProgress(steps: readonly Pick<StepRun, "key" | "phase" | "status">[], definition: WorkflowDefinition): { done: number; total: number } {
  const forward = steps.filter((s) => s.phase !== "compensate");
  const known = new Set([...definition.steps.map((s) => s.id), ...forward.map((s) => s.key)]);
  const done = forward.filter((s) => FINISHED_STEP_STATUSES.includes(s.status as StepStatus)).length;
  return { done, total: known.size };
}

type LogLine = StepRunDto["logs"][number];

export function toStepRunDto(step: StepRun): StepRunDto {
  return {
    id: step.id,
    key: step.key,
    stepId: step.stepId,
    kind: step.kind as StepKind,
    status: step.status as StepStatus,
    attempt: step.attempt,
    maxAttempts: step.maxAttempts,
    input: step.input ?? null,
    output: step.output ?? null,
    error: (step.error ?? null) as StepRunDto["error"],
    logs: Array.isArray(step.logs) ? (step.logs as unknown as LogLine[]) : [],
    nodeId: step.nodeId,
    inputTokens: step.inputTokens,
    outputTokens: step.outputTokens,
    costUsd: nanoToUsd(step.costNano),
    queuedAt: iso(step.queuedAt),
    startedAt: iso(step.startedAt),
    finishedAt: iso(step.finishedAt),
  };
}

export type RunWithRefs = Run & {
  workflow: { slug: string; name: string };
  workflowVersion: { definition: unknown };
  steps: Pick<StepRun, "key" | "phase" | "status">[];
};

export const definitionOfRun = (run: Pick<RunWithRefs, "workflowVersion">) => run.workflowVersion.definition as WorkflowDefinition;

export function toRunSummaryDto(run: RunWithRefs, createdBy: string | null): RunSummaryDto {
  return {
    id: run.id,
    workflowId: run.workflowId,
    workflowSlug: run.workflow.slug,
    workflowName: run.workflow.name,
    version: run.version,
    status: run.status as RunStatus,
    priority: run.priority,
    inputTokens: run.inputTokens,
    outputTokens: run.outputTokens,
    costUsd: nanoToUsd(run.costNano),
    createdAt: run.createdAt.toISOString(),
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
    createdBy,
    progress: runProgress(run.steps, definitionOfRun(run)),
  };
}

export function toRunDto(run: RunWithRefs & { steps: StepRun[] }, createdBy: string | null): RunDto {
  const definition = definitionOfRun(run);
  return {
    ...toRunSummaryDto(run, createdBy),
    input: (run.input ?? {}) as Record<string, unknown>,
    output: run.output ?? null,
    error: (run.error ?? null) as RunDto["error"],
    definition,
    steps: orderSteps(run.steps, definition).map(toStepRunDto),
  };
}

export function toRunEventDto(event: RunEvent): RunEventDto {
  return {
    id: event.id.toString(),
    runId: event.runId,
    type: event.type as RunEventType,
    stepKey: event.stepKey,
    payload: (event.payload ?? {}) as Record<string, unknown>,
    at: event.createdAt.toISOString(),
  };
}

export function toAgentMessageDto(message: AgentMessage): AgentMessageDto {
  return {
    id: message.id,
    stepKey: message.stepKey,
    from: message.from,
    to: message.to,
    kind: message.kind,
    content: message.content,
    inputTokens: message.inputTokens,
    outputTokens: message.outputTokens,
    costUsd: nanoToUsd(message.costNano),
    at: message.createdAt.toISOString(),
  };
}

export function toRunMemoryEntryDto(entry: RunMemory): RunMemoryEntryDto {
  return { key: entry.key, value: entry.value, writtenBy: entry.writtenBy, updatedAt: entry.updatedAt.toISOString() };
}

export function toDeadLetterDto(
  letter: DeadLetter,
  run: { status: string; workflow: { id: string; slug: string; name: string } } | undefined,
): DeadLetterDto {
  return {
    id: letter.id,
    runId: letter.runId,
    stepRunId: letter.stepRunId,
    stepKey: letter.stepKey,
    queue: letter.queue,
    error: letter.error,
    attempts: letter.attempts,
    createdAt: letter.createdAt.toISOString(),
    retriedAt: iso(letter.retriedAt),
    runStatus: run ? (run.status as RunStatus) : null,
    workflowId: run?.workflow.id ?? null,
    workflowSlug: run?.workflow.slug ?? null,
    workflowName: run?.workflow.name ?? null,
  };
}
