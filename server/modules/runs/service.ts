// Runs: starting a workflow version on the engine, reading what a run did (steps, events,
// agent messages, memory), and the operator's controls. Every read is floored to the
// team: another team's run id is simply not found.
import type { z } from "zod";
import type { Db } from "../../db/client.ts";
import type { Prisma } from "../../db/generated/client.ts";
import { engine } from "../../engine/index.ts";
import { ConflictError, NotFoundError } from "../../errors.ts";
import type { Scope } from "../../shared/rbac.ts";
import type {
  AgentMessageDto,
  RunDto,
  RunEventDto,
  RunMemoryEntryDto,
  RunSummaryDto,
  runApproveInput,
  runEventsInput,
  runListInput,
  runStartInput,
  runStepInput,
  DeadLetterDto,
  RunActionResultDto,
  RunLimitsDto,
  runLimitsInput,
} from "../../shared/runs.ts";
import type { RunStatus } from "../../shared/workflow-definition.ts";
import { recordAudit, type AuditActor } from "../audit/index.ts";
import { findWorkflow, findWorkflowVersion, toWorkflowDefinition } from "../workflows/index.ts";
import {
  toAgentMessageDto,
  toDeadLetterDto,
  toRunDto,
  toRunEventDto,
  toRunMemoryEntryDto,
  toRunSummaryDto,
} from "./dto.ts";

export type RunStartInput = z.infer<typeof runStartInput>;
export type RunListInput = z.infer<typeof runListInput>;
export type RunEventsInput = z.infer<typeof runEventsInput>;
export type RunStepInput = z.infer<typeof runStepInput>;
export type RunApproveInput = z.infer<typeof runApproveInput>;

/** Who acts on a run: the audit actor, with the API key that made the call if any. */
export type RunActor = AuditActor & { userId: string };

export const DEAD_LETTERS_LIMIT = 100;

const summaryInclude = {
  workflow: { select: { slug: true, name: true } },
  workflowVersion: { select: { definition: true } },
  steps: { select: { key: true, phase: true, status: true } },
} satisfies Prisma.RunInclude;

async function findRunRow(db: Db, teamId: string, runId: string) {
  const run = await db.run.findFirst({ where: { id: runId, teamId }, select: { id: true, status: true } });
  if (!run) throw new NotFoundError("That run");
  return run;
}

/** E-mail addresses of the users who started runs (ids of removed users stay as they are). */
async function creatorLabels(db: Db, ids: readonly (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
  if (wanted.length === 0) return new Map();
  const users = await db.user.findMany({ where: { id: { in: wanted } }, select: { id: true, email: true } });
  return new Map(users.map((u) => [u.id, u.email]));
}

const labelOf = (labels: Map<string, string>, id: string | null) => (id ? (labels.get(id) ?? id) : null);

// ---------------------------------------------------------------- start

/** Starts the workflow (id or slug) at its latest or the given version (the CLI starts runs as nobody in particular). */
export async function startWorkflowRun(db: Db, actor: AuditActor & { userId: string | null }, input: RunStartInput): Promise<{ runId: string }> {
  const workflow = await findWorkflow(db, input.teamId, input.workflow);
  if (workflow.archivedAt) throw new ConflictError(`Workflow "${workflow.slug}" is archived; restore it or pick another to run.`);
  const version = await findWorkflowVersion(db, workflow, input.version);
  return engine().startRun({
    teamId: input.teamId,
    workflow: { id: workflow.id, versionId: version.id, version: version.version, definition: toWorkflowDefinition(version) },
    input: input.input,
    priority: input.priority,
    createdById: actor.userId,
    apiKeyId: actor.apiKeyId ?? null,
  });
}

// ---------------------------------------------------------------- reads

export async function getRun(db: Db, teamId: string, runId: string): Promise<RunDto> {
  const run = await db.run.findFirst({
    where: { id: runId, teamId },
    include: { ...summaryInclude, steps: true },
  });
  if (!run) throw new NotFoundError("That run");
  const labels = await creatorLabels(db, [run.createdById]);
  return toRunDto(run, labelOf(labels, run.createdById));
}

/** The team's runs, newest first, keyset-paginated by (createdAt, id). */
export async function listRuns(db: Db, input: RunListInput): Promise<{ items: RunSummaryDto[]; nextCursor: string | null }> {
  const where: Prisma.RunWhereInput = {
    teamId: input.teamId,
    ...(input.status?.length ? { status: { in: input.status } } : {}),
    ...(input.workflowId ? { workflowId: input.workflowId } : {}),
    ...(input.since ? { createdAt: { gte: new Date(input.since) } } : {}),
  };
  if (input.cursor) {
    // A cursor from another team is refused rather than used to page this one.
    const cursorRun = await db.run.findFirst({ where: { id: input.cursor, teamId: input.teamId }, select: { id: true } });
    if (!cursorRun) return { items: [], nextCursor: null };
  }
  const rows = await db.run.findMany({
    where,
    include: summaryInclude,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit + 1,
    ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
  });
  const page = rows.slice(0, input.limit);
  const labels = await creatorLabels(db, page.map((r) => r.createdById));
  return {
    items: page.map((r) => toRunSummaryDto(r, labelOf(labels, r.createdById))),
    nextCursor: rows.length > input.limit ? page[page.length - 1]!.id : null,
  };
}

/** The run's events after the given event id, oldest first (the live feed catches up with this). */
export async function listRunEvents(db: Db, input: RunEventsInput): Promise<RunEventDto[]> {
  await findRunRow(db, input.teamId, input.runId);
  const rows = await db.runEvent.findMany({
    where: { runId: input.runId, teamId: input.teamId, ...(input.after ? { id: { gt: BigInt(input.after) } } : {}) },
    orderBy: { id: "asc" },
    take: input.limit,
  });
  return rows.map(toRunEventDto);
}

export async function listRunMessages(db: Db, teamId: string, runId: string): Promise<AgentMessageDto[]> {
  await findRunRow(db, teamId, runId);
  const rows = await db.agentMessage.findMany({ where: { runId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  return rows.map(toAgentMessageDto);
}

export async function listRunMemory(db: Db, teamId: string, runId: string): Promise<RunMemoryEntryDto[]> {
  await findRunRow(db, teamId, runId);
  const rows = await db.runMemory.findMany({ where: { runId }, orderBy: { key: "asc" } });
  return rows.map(toRunMemoryEntryDto);
}

/** Step jobs the queues gave up on, newest first, with the run and workflow they belong to. */
export async function listDeadLetters(db: Db, teamId: string): Promise<DeadLetterDto[]> {
  const letters = await db.deadLetter.findMany({ where: { teamId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: DEAD_LETTERS_LIMIT });
  if (letters.length === 0) return [];
  const runs = await db.run.findMany({
    where: { teamId, id: { in: [...new Set(letters.map((l) => l.runId))] } },
    select: { id: true, status: true, workflow: { select: { id: true, slug: true, name: true } } },
  });
  const byId = new Map(runs.map((r) => [r.id, r]));
  return letters.map((l) => toDeadLetterDto(l, byId.get(l.runId)));
}

// ---------------------------------------------------------------- controls

// Audit fields avoid names ending in "key": the audit log redacts those as secrets.
async function afterAction(db: Db, actor: RunActor, teamId: string, runId: string, action: string, before: RunStatus, detail: Record<string, unknown> = {}): Promise<RunActionResultDto> {
  const run = await findRunRow(db, teamId, runId);
  await recordAudit(db, actor, { action, teamId, targetType: "run", targetId: runId, before: { status: before }, after: { status: run.status, ...detail } });
  return { runId, status: run.status as RunStatus };
}

export async function cancelRun(db: Db, actor: RunActor, teamId: string, runId: string): Promise<RunActionResultDto> {
  const run = await findRunRow(db, teamId, runId);
  await engine().cancelRun(teamId, runId);
  return afterAction(db, actor, teamId, runId, "run.cancel", run.status as RunStatus);
}

export async function pauseRun(db: Db, actor: RunActor, teamId: string, runId: string): Promise<RunActionResultDto> {
  const run = await findRunRow(db, teamId, runId);
  await engine().pauseRun(teamId, runId);
  return afterAction(db, actor, teamId, runId, "run.pause", run.status as RunStatus);
}

export async function resumeRun(db: Db, actor: RunActor, teamId: string, runId: string): Promise<RunActionResultDto> {
  const run = await findRunRow(db, teamId, runId);
  await engine().resumeRun(teamId, runId);
  return afterAction(db, actor, teamId, runId, "run.resume", run.status as RunStatus);
}

/** Runs the step again, and everything after it, in a run that ended without success. */
export async function retryRunFromStep(db: Db, actor: RunActor, input: RunStepInput): Promise<RunActionResultDto> {
  const run = await findRunRow(db, input.teamId, input.runId);
  await engine().retryFromStep(input.teamId, input.runId, input.stepKey);
  return afterAction(db, actor, input.teamId, input.runId, "run.retry", run.status as RunStatus, { step: input.stepKey });
}

/** Approves or rejects a waiting approval step; the engine checks the step's own scope. */
export async function decideRunApproval(db: Db, actor: RunActor, scopes: readonly Scope[], input: RunApproveInput): Promise<RunActionResultDto> {
  const run = await findRunRow(db, input.teamId, input.runId);
  await engine().decideApproval(input.teamId, input.runId, input.stepKey, { userId: actor.userId, scopes }, input.approved, input.comment);
  return afterAction(db, actor, input.teamId, input.runId, input.approved ? "run.approve" : "run.reject", run.status as RunStatus, {
    step: input.stepKey,
    approved: input.approved,
    comment: input.comment,
  });
}

export async function retryDeadLetter(db: Db, actor: RunActor, teamId: string, deadLetterId: string): Promise<{ id: string }> {
  const letter = await db.deadLetter.findFirst({ where: { id: deadLetterId, teamId } });
  if (!letter) throw new NotFoundError("That dead letter");
  await engine().retryDeadLetter(teamId, letter.id);
  await recordAudit(db, actor, {
    action: "deadLetter.retry",
    teamId,
    targetType: "run",
    targetId: letter.runId,
    after: { deadLetter: letter.id, step: letter.stepKey },
  });
  return { id: letter.id };
}

// ---------------------------------------------------------------- limits

export type RunLimitsInput = z.infer<typeof runLimitsInput>;

export async function getRunLimits(db: Db, teamId: string): Promise<RunLimitsDto> {
  const [{ limit, isDefault }, running, queued] = await Promise.all([
    engine().concurrencyLimit(teamId),
    db.run.count({ where: { teamId, status: "RUNNING" } }),
    db.run.count({ where: { teamId, status: "QUEUED" } }),
  ]);
  return { maxConcurrentRuns: limit, isDefault, running, queued };
}

/** Changes how many of the team's runs execute at once; queued runs that now fit start. */
export async function setRunLimits(db: Db, actor: AuditActor, input: RunLimitsInput): Promise<RunLimitsDto> {
  const before = await engine().concurrencyLimit(input.teamId);
  await engine().setConcurrencyLimit(input.teamId, input.maxConcurrentRuns);
  const after = await getRunLimits(db, input.teamId);
  await recordAudit(db, actor, {
    action: "runs.limits",
    teamId: input.teamId,
    targetType: "team",
    targetId: input.teamId,
    before: { maxConcurrentRuns: before.limit, isDefault: before.isDefault },
    after: { maxConcurrentRuns: after.maxConcurrentRuns, isDefault: after.isDefault },
  });
  return after;
}
