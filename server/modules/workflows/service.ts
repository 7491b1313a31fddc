// Workflows: a slug in the team and a history of immutable, validated versions. Saving
// adds a version only when the definition changed; runs pin the version they ran.
import type { z } from "zod";
import type { Db } from "../../db/client.ts";
import { isUniqueViolation } from "../../db/errors.ts";
import type { Prisma, Workflow, WorkflowVersion } from "../../db/generated/client.ts";
import { parseWorkflowText, serializeDefinition, validateDefinition } from "../../engine/definition/index.ts";
import { ConflictError, NotFoundError, ValidationError } from "../../errors.ts";
import type {
  ValidationResultDto,
  WorkflowDto,
  WorkflowSummaryDto,
  WorkflowVersionDto,
  workflowCreateInput,
  workflowExportInput,
  workflowImportInput,
  workflowSaveInput,
  workflowVersionInput,
} from "../../shared/runs.ts";
import type { DefinitionIssue, RunStatus, WorkflowDefinition } from "../../shared/workflow-definition.ts";
import { recordAudit, type AuditActor } from "../audit/index.ts";
import { TEMPLATES, findTemplate } from "../../engine/templates/index.ts";
import type { TemplateDto } from "../../shared/runs.ts";

export type WorkflowCreateInput = z.infer<typeof workflowCreateInput>;
export type WorkflowSaveInput = z.infer<typeof workflowSaveInput>;
export type WorkflowVersionInput = z.infer<typeof workflowVersionInput>;
export type WorkflowImportInput = z.infer<typeof workflowImportInput>;
export type WorkflowExportInput = z.infer<typeof workflowExportInput>;

export interface WorkflowExportDto {
  filename: string;
  mimeType: string;
  text: string;
}

const IMPORT_NOTE = "Imported";

// ---------------------------------------------------------------- validation

/** One sentence for the whole list: how many issues, and the first of them (it names its step). */
function issuesMessage(issues: readonly DefinitionIssue[]): string {
  const first = issues[0];
  if (!first) return "The workflow definition is not valid.";
  const text = /[.!?]$/.test(first.message) ? first.message : `${first.message}.`;
  return issues.length === 1 ? `The workflow definition has 1 issue: ${text}` : `The workflow definition has ${issues.length} issues; the first: ${text}`;
}

/** Thrown for an invalid definition; `details.issues` lets the editor mark each step at fault. */
export function definitionError(issues: readonly DefinitionIssue[]): ValidationError {
  return new ValidationError(issuesMessage(issues), { issues: [...issues] });
}

function checkedDefinition(result: { definition: WorkflowDefinition | null; issues: DefinitionIssue[] }): WorkflowDefinition {
  if (!result.definition || result.issues.length > 0) throw definitionError(result.issues);
  return result.definition;
}

/** Checks a definition without saving it; a bad definition is an answer, not an error. */
export function validateWorkflowDefinition(raw: unknown): ValidationResultDto {
  const { definition, issues } = validateDefinition(raw);
  return { ok: definition !== null && issues.length === 0, issues };
}

// ---------------------------------------------------------------- lookups

/** The team's workflow by id or slug (an id wins when both could match). */
export async function findWorkflow(db: Db, teamId: string, ref: string): Promise<Workflow> {
  const rows = await db.workflow.findMany({ where: { teamId, OR: [{ id: ref }, { slug: ref }] }, take: 2 });
  const workflow = rows.find((w) => w.id === ref) ?? rows[0];
  if (!workflow) throw new NotFoundError(`Workflow "${ref}"`);
  return workflow;
}

/** The given version of the workflow, or its latest. */
export async function findWorkflowVersion(db: Db, workflow: Workflow, version?: number): Promise<WorkflowVersion> {
  const wanted = version ?? workflow.latestVersion;
  const row = await db.workflowVersion.findUnique({ where: { workflowId_version: { workflowId: workflow.id, version: wanted } } });
  if (!row) throw new NotFoundError(`Version ${wanted} of workflow "${workflow.slug}"`);
  return row;
}

function assertNotArchived(workflow: Workflow): void {
  if (workflow.archivedAt) throw new ConflictError(`Workflow "${workflow.slug}" is archived.`);
}

// ---------------------------------------------------------------- DTOs

/** A stored version's definition (validated before it was saved). */
export const toWorkflowDefinition = (version: Pick<WorkflowVersion, "definition">) => version.definition as unknown as WorkflowDefinition;
const asJson = (definition: WorkflowDefinition) => definition as unknown as Prisma.InputJsonValue;

/** The e-mail address of who saved a version (the id, when the user is gone). */
async function authorLabel(db: Db, userId: string | null): Promise<string | null> {
  if (!userId) return null;
  const user = await db.user.findUnique({ where: { id: userId }, select: { email: true } });
  return user?.email ?? userId;
}

export function toWorkflowVersionDto(version: WorkflowVersion, createdBy: string | null): WorkflowVersionDto {
  return {
    id: version.id,
    workflowId: version.workflowId,
    version: version.version,
    note: version.note,
    definition: toWorkflowDefinition(version),
    createdAt: version.createdAt.toISOString(),
    createdBy,
  };
}

async function toWorkflowDto(db: Db, workflow: Workflow): Promise<WorkflowDto> {
  const [current, versions] = await Promise.all([
    findWorkflowVersion(db, workflow),
    db.workflowVersion.findMany({
      where: { workflowId: workflow.id },
      orderBy: { version: "desc" },
      select: { version: true, note: true, createdAt: true },
    }),
  ]);
  return {
    id: workflow.id,
    slug: workflow.slug,
    name: workflow.name,
    description: workflow.description,
    template: workflow.template,
    latestVersion: workflow.latestVersion,
    updatedAt: workflow.updatedAt.toISOString(),
    current: toWorkflowVersionDto(current, await authorLabel(db, current.createdById)),
    versions: versions.map((v) => ({ version: v.version, note: v.note, createdAt: v.createdAt.toISOString() })),
  };
}

// ---------------------------------------------------------------- queries

/** The team's workflows that are not archived, with their latest run. */
export async function listWorkflows(db: Db, teamId: string): Promise<WorkflowSummaryDto[]> {
  const rows = await db.workflow.findMany({
    where: { teamId, archivedAt: null },
    orderBy: [{ name: "asc" }, { id: "asc" }],
    include: {
      versions: { orderBy: { version: "desc" }, take: 1 },
      runs: { orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: 1, select: { id: true, status: true, createdAt: true } },
    },
  });
  return rows.map((w) => {
    const latest = w.versions[0];
    const lastRun = w.runs[0];
    return {
      id: w.id,
      slug: w.slug,
      name: w.name,
      description: w.description,
      template: w.template,
      latestVersion: w.latestVersion,
      stepCount: latest ? toWorkflowDefinition(latest).steps.length : 0,
      updatedAt: w.updatedAt.toISOString(),
      lastRun: lastRun ? { id: lastRun.id, status: lastRun.status as RunStatus, createdAt: lastRun.createdAt.toISOString() } : null,
    };
  });
}

export async function getWorkflow(db: Db, teamId: string, ref: string): Promise<WorkflowDto> {
  return toWorkflowDto(db, await findWorkflow(db, teamId, ref));
}

export async function getWorkflowVersion(db: Db, input: WorkflowVersionInput): Promise<WorkflowVersionDto> {
  const workflow = await findWorkflow(db, input.teamId, input.workflowId);
  const version = await findWorkflowVersion(db, workflow, input.version);
  return toWorkflowVersionDto(version, await authorLabel(db, version.createdById));
}

// ---------------------------------------------------------------- changes

const slugTaken = (slug: string) => new ConflictError(`This team already has a workflow with the slug "${slug}".`);

async function insertWorkflow(
  db: Db,
  actor: AuditActor,
  fields: { teamId: string; slug: string; template: string | null; note: string },
  definition: WorkflowDefinition,
): Promise<WorkflowDto> {
  const clash = await db.workflow.findUnique({ where: { teamId_slug: { teamId: fields.teamId, slug: fields.slug } }, select: { id: true } });
  if (clash) throw slugTaken(fields.slug);
  let workflow: Workflow;
  try {
    workflow = await db.workflow.create({
      data: {
        teamId: fields.teamId,
        slug: fields.slug,
        name: definition.name,
        description: definition.description,
        template: fields.template,
        latestVersion: 1,
        createdById: actor.userId ?? null,
        versions: { create: { version: 1, definition: asJson(definition), note: fields.note, createdById: actor.userId ?? null } },
      },
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw slugTaken(fields.slug);
    throw error;
  }
  await recordAudit(db, actor, {
    action: "workflow.create",
    teamId: fields.teamId,
    targetType: "workflow",
    targetId: workflow.id,
    after: { slug: workflow.slug, name: workflow.name, version: 1, template: workflow.template },
  });
  return toWorkflowDto(db, workflow);
}

/** The built-in templates a workflow can start from. */
export function listTemplates(): TemplateDto[] {
  return TEMPLATES;
}

/** Creates a workflow from a definition, or from a template's definition. */
export async function createWorkflow(db: Db, actor: AuditActor, input: WorkflowCreateInput): Promise<WorkflowDto> {
  const template = input.template ? findTemplate(input.template) : undefined;
  if (input.template && !template) {
    throw new ValidationError(`Unknown template "${input.template}". Templates: ${TEMPLATES.map((t) => t.slug).join(", ")}.`, { field: "template" });
  }
  const raw = input.definition ?? template?.definition;
  if (raw === undefined) throw new ValidationError("Give the workflow a definition or a template.", { field: "definition" });
  const validated = checkedDefinition(validateDefinition(raw));
  const definition = input.name ? { ...validated, name: input.name } : validated;
  return insertWorkflow(db, actor, { teamId: input.teamId, slug: input.slug, template: input.template ?? null, note: "" }, definition);
}

/** JSON with sorted keys, so the same definition compares equal however it was stored. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

async function addVersion(db: Db, actor: AuditActor, workflow: Workflow, definition: WorkflowDefinition, note: string): Promise<WorkflowDto> {
  assertNotArchived(workflow);
  const current = await findWorkflowVersion(db, workflow);
  if (canonical(toWorkflowDefinition(current)) === canonical(definition)) return toWorkflowDto(db, workflow);
  let saved: Workflow;
  try {
    saved = await db.$transaction(async (tx) => {
      // Conditional on the version we compared against: a concurrent save makes this miss.
      const bumped = await tx.workflow.updateMany({
        where: { id: workflow.id, latestVersion: workflow.latestVersion, archivedAt: null },
        data: { latestVersion: { increment: 1 }, name: definition.name, description: definition.description },
      });
      if (bumped.count !== 1) throw new ConflictError(`Workflow "${workflow.slug}" was changed meanwhile; reload it and save again.`);
      const version = workflow.latestVersion + 1;
      await tx.workflowVersion.create({ data: { workflowId: workflow.id, version, definition: asJson(definition), note, createdById: actor.userId ?? null } });
      return tx.workflow.findUniqueOrThrow({ where: { id: workflow.id } });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`Workflow "${workflow.slug}" was changed meanwhile; reload it and save again.`);
    throw error;
  }
  await recordAudit(db, actor, {
    action: "workflow.save",
    teamId: workflow.teamId,
    targetType: "workflow",
    targetId: workflow.id,
    before: { version: workflow.latestVersion, name: workflow.name },
    after: { version: saved.latestVersion, name: saved.name, note },
  });
  return toWorkflowDto(db, saved);
}

/** Validates and adds a version; an unchanged definition adds none. */
export async function saveWorkflow(db: Db, actor: AuditActor, input: WorkflowSaveInput): Promise<WorkflowDto> {
  const workflow = await findWorkflow(db, input.teamId, input.workflowId);
  const definition = checkedDefinition(validateDefinition(input.definition));
  return addVersion(db, actor, workflow, definition, input.note);
}

/** Hides the workflow from the list and refuses new runs; its versions and runs stay. */
export async function archiveWorkflow(db: Db, actor: AuditActor, teamId: string, ref: string): Promise<{ id: string; archivedAt: string }> {
  const workflow = await findWorkflow(db, teamId, ref);
  if (workflow.archivedAt) return { id: workflow.id, archivedAt: workflow.archivedAt.toISOString() };
  const archived = await db.workflow.update({ where: { id: workflow.id }, data: { archivedAt: new Date() } });
  await recordAudit(db, actor, {
    action: "workflow.archive",
    teamId,
    targetType: "workflow",
    targetId: workflow.id,
    before: { slug: workflow.slug, archivedAt: null },
    after: { slug: workflow.slug, archivedAt: archived.archivedAt!.toISOString() },
  });
  return { id: archived.id, archivedAt: archived.archivedAt!.toISOString() };
}

/** Reads YAML or JSON text: creates the workflow, or adds a version to the one with this slug. */
export async function importWorkflow(db: Db, actor: AuditActor, input: WorkflowImportInput): Promise<WorkflowDto> {
  const definition = checkedDefinition(parseWorkflowText(input.text, input.format));
  const existing = await db.workflow.findUnique({ where: { teamId_slug: { teamId: input.teamId, slug: input.slug } } });
  if (existing) return addVersion(db, actor, existing, definition, IMPORT_NOTE);
  return insertWorkflow(db, actor, { teamId: input.teamId, slug: input.slug, template: null, note: IMPORT_NOTE }, definition);
}

const MIME_TYPES = { yaml: "application/yaml", json: "application/json" } as const;

/** A version as a YAML or JSON file that `import` reads back. */
export async function exportWorkflow(db: Db, input: WorkflowExportInput): Promise<WorkflowExportDto> {
  const workflow = await findWorkflow(db, input.teamId, input.workflowId);
  const version = await findWorkflowVersion(db, workflow, input.version);
  return {
    filename: `${workflow.slug}-v${version.version}.${input.format}`,
    mimeType: MIME_TYPES[input.format],
    text: serializeDefinition(toWorkflowDefinition(version), input.format),
  };
}
