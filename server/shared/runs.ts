// Workflows, runs and their live events as the API returns them (isomorphic DTOs and
// input schemas shared by the routers, the CLI and the pages).
import { z } from "zod";
import { idSchema, paginationInput, slugSchema, teamInput } from "./schemas.ts";
import {
  RUN_STATUSES,
  STEP_KINDS,
  STEP_STATUSES,
  type DefinitionIssue,
  type RunStatus,
  type StepKind,
  type StepStatus,
  type WorkflowDefinition,
} from "./workflow-definition.ts";

export const RUN_EVENT_TYPES = ["run.status", "step.status", "step.log", "agent.message", "tool.call", "memory", "usage"] as const;
export type RunEventType = (typeof RUN_EVENT_TYPES)[number];

export interface RunEventDto {
  /** Increasing within a run (a bigint as text). */
  id: string;
  runId: string;
  type: RunEventType;
  stepKey: string | null;
  payload: Record<string, unknown>;
  at: string;
}

export interface WorkflowSummaryDto {
  id: string;
  slug: string;
  name: string;
  description: string;
  template: string | null;
  latestVersion: number;
  stepCount: number;
  updatedAt: string;
  lastRun: { id: string; status: RunStatus; createdAt: string } | null;
}

export interface WorkflowVersionDto {
  id: string;
  workflowId: string;
  version: number;
  note: string;
  definition: WorkflowDefinition;
  createdAt: string;
  createdBy: string | null;
}

export interface WorkflowDto extends Omit<WorkflowSummaryDto, "stepCount" | "lastRun"> {
  current: WorkflowVersionDto;
  versions: { version: number; note: string; createdAt: string }[];
}

export interface TemplateDto {
  slug: string;
  name: string;
  description: string;
  category: string;
  definition: WorkflowDefinition;
}

export interface ValidationResultDto {
  ok: boolean;
  issues: DefinitionIssue[];
}

export interface StepRunDto {
  id: string;
  key: string;
  stepId: string;
  kind: StepKind;
  status: StepStatus;
  attempt: number;
  maxAttempts: number;
  input: unknown;
  output: unknown;
  error: { message: string; code: string; retryable?: boolean } | null;
  logs: { at: string; level: "info" | "warn" | "error"; message: string }[];
  nodeId: string | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  queuedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface RunSummaryDto {
  id: string;
  workflowId: string;
  workflowSlug: string;
  workflowName: string;
  version: number;
  status: RunStatus;
  priority: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  createdBy: string | null;
  /** Steps finished / all steps known so far (map items count). */
  progress: { done: number; total: number };
}

export interface RunDto extends RunSummaryDto {
  input: Record<string, unknown>;
  output: unknown;
  error: { message: string; code: string; stepKey?: string | null } | null;
  definition: WorkflowDefinition;
  steps: StepRunDto[];
}

export interface AgentMessageDto {
  id: string;
  stepKey: string | null;
  from: string;
  to: string;
  kind: string;
  content: unknown;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  at: string;
}

export interface RunMemoryEntryDto {
  key: string;
  value: unknown;
  writtenBy: string;
  updatedAt: string;
}

/** A step job the queue gave up on, with what it belonged to. */
export interface DeadLetterDto {
  id: string;
  runId: string;
  stepRunId: string;
  stepKey: string;
  queue: string;
  error: string;
  attempts: number;
  createdAt: string;
  retriedAt: string | null;
  runStatus: RunStatus | null;
  workflowId: string | null;
  workflowSlug: string | null;
  workflowName: string | null;
}

/** What a run action leaves behind: the run's status right after it. */
export interface RunActionResultDto {
  runId: string;
  status: RunStatus;
}

/** How many of the team's runs may execute at once, and how many do now. */
export interface RunLimitsDto {
  maxConcurrentRuns: number;
  isDefault: boolean;
  running: number;
  queued: number;
}

// ---------------------------------------------------------------- inputs

export const workflowTargetInput = teamInput.extend({ workflowId: idSchema });
export const workflowRefInput = teamInput.extend({ workflow: z.string().min(1).max(64) });
const definitionInput = z.unknown();

export const workflowCreateInput = teamInput.extend({
  slug: slugSchema,
  /** A template slug, or a definition (object). One of the two. */
  template: slugSchema.optional(),
  definition: definitionInput.optional(),
  name: z.string().trim().min(1).max(120).optional(),
});
export const workflowSaveInput = workflowTargetInput.extend({ definition: definitionInput, note: z.string().max(500).default("") });
export const workflowVersionInput = workflowTargetInput.extend({ version: z.number().int().min(1).optional() });
export const workflowValidateInput = teamInput.extend({ definition: definitionInput });
export const workflowImportInput = teamInput.extend({
  text: z.string().min(1).max(1_000_000),
  format: z.enum(["yaml", "json", "auto"]).default("auto"),
  /** Creates the workflow, or adds a version when a workflow with this slug exists. */
  slug: slugSchema,
});
export const workflowExportInput = workflowVersionInput.extend({ format: z.enum(["yaml", "json"]).default("yaml") });

export const runStartInput = teamInput.extend({
  /** Workflow id or slug. */
  workflow: z.string().min(1).max(64),
  version: z.number().int().min(1).optional(),
  input: z.record(z.string(), z.unknown()).default({}),
  priority: z.number().int().min(-100).max(100).default(0),
});
export const runTargetInput = teamInput.extend({ runId: idSchema });
export const runListInput = teamInput
  .extend({
    status: z.array(z.enum(RUN_STATUSES)).max(RUN_STATUSES.length).optional(),
    workflowId: idSchema.optional(),
    since: z.iso.datetime().optional(),
  })
  .merge(paginationInput);
export const runStepInput = runTargetInput.extend({ stepKey: z.string().min(1).max(200) });
export const runApproveInput = runStepInput.extend({ approved: z.boolean(), comment: z.string().max(2000).default("") });
export const deadLetterTargetInput = teamInput.extend({ deadLetterId: idSchema });
/** null puts the team back on the installation's default (MAESTRO_MAX_CONCURRENT_RUNS). */
export const runLimitsInput = teamInput.extend({ maxConcurrentRuns: z.number().int().min(1, "must be at least 1").max(1000, "must be at most 1000").nullable() });
export const runEventsInput = runTargetInput.extend({ after: z.string().regex(/^\d+$/).optional(), limit: z.number().int().min(1).max(1000).default(500) });

export { RUN_STATUSES, STEP_KINDS, STEP_STATUSES };
