// What `maestro run` and `maestro workflows list` do against the database, run in the
// CLI process or inside the running server (embedded mode, through the bridge).
import type { Db } from "../db/client.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import type { AuditActor } from "../modules/audit/index.ts";
import { createWorkflow, listWorkflows } from "../modules/workflows/index.ts";
import { getRun, startWorkflowRun } from "../modules/runs/index.ts";
import { TEMPLATES, findTemplate } from "../engine/templates/index.ts";
import type { RunDto, WorkflowSummaryDto } from "../shared/runs.ts";

const CLI_ACTOR: AuditActor & { userId: null } = { userId: null, apiKeyId: null, label: "cli", ip: null };

/** The team a command means: the one named, the only one, or "default". */
export async function resolveTeam(db: Db, slug: string | undefined): Promise<{ id: string; slug: string }> {
  if (slug) {
    const team = await db.team.findUnique({ where: { slug }, select: { id: true, slug: true } });
    if (!team) throw new NotFoundError(`Team "${slug}"`);
    return team;
  }
  const teams = await db.team.findMany({ select: { id: true, slug: true }, take: 50, orderBy: { createdAt: "asc" } });
  if (teams.length === 1) return teams[0]!;
  const fallback = teams.find((t) => t.slug === "default");
  if (fallback) return fallback;
  throw new ValidationError(`Name the team with --team; this installation has ${teams.map((t) => t.slug).join(", ") || "no teams"}.`);
}

export interface CliWorkflowList {
  team: string;
  workflows: WorkflowSummaryDto[];
  templates: { slug: string; name: string; description: string; created: boolean }[];
}

export async function listWorkflowsForCli(db: Db, args: { team?: string | undefined }): Promise<CliWorkflowList> {
  const team = await resolveTeam(db, args.team);
  const workflows = await listWorkflows(db, team.id);
  const slugs = new Set(workflows.map((w) => w.slug));
  return {
    team: team.slug,
    workflows,
    templates: TEMPLATES.map((t) => ({ slug: t.slug, name: t.name, description: t.description, created: slugs.has(t.slug) })),
  };
}

/** Starts a run of the workflow; a template's slug creates the workflow from the template first. */
export async function startRunForCli(
  db: Db,
  args: { team?: string | undefined; workflow: string; input: Record<string, unknown>; priority: number },
): Promise<{ runId: string; team: string; createdWorkflow: boolean }> {
  const team = await resolveTeam(db, args.team);
  const exists = await db.workflow.findFirst({ where: { teamId: team.id, OR: [{ slug: args.workflow }, { id: args.workflow }] }, select: { id: true } });
  let createdWorkflow = false;
  if (!exists) {
    const template = findTemplate(args.workflow);
    if (!template) {
      throw new NotFoundError(`Workflow "${args.workflow}" in team "${team.slug}" (nor a template of that name; see maestro workflows list)`);
    }
    await createWorkflow(db, CLI_ACTOR, { teamId: team.id, slug: template.slug, template: template.slug, definition: template.definition });
    createdWorkflow = true;
  }
  const { runId } = await startWorkflowRun(db, CLI_ACTOR, { teamId: team.id, workflow: args.workflow, input: args.input, priority: args.priority });
  return { runId, team: team.slug, createdWorkflow };
}

export async function runForCli(db: Db, args: { team?: string | undefined; runId: string }): Promise<RunDto> {
  const team = await resolveTeam(db, args.team);
  return getRun(db, team.id, args.runId);
}
