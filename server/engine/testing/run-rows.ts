// The rows a run needs before anything can happen inside it (its memory, messages, tool
// calls): a team, a workflow, a version and the run itself.
import type { Db } from "../../db/client.ts";

let counter = 0;

/** A team with one workflow, one version and one run; the team is named by `slug`. */
export async function seedRunRows(db: Db, slug = `run-team-${Date.now()}-${++counter}`): Promise<{ id: string; teamId: string; workflowId: string }> {
  const team = await db.team.create({ data: { slug, name: slug } });
  const workflow = await db.workflow.create({ data: { teamId: team.id, slug: "flow", name: "Flow" } });
  const version = await db.workflowVersion.create({ data: { workflowId: workflow.id, version: 1, definition: { name: "Flow", steps: [] } } });
  const run = await db.run.create({ data: { teamId: team.id, workflowId: workflow.id, workflowVersionId: version.id, version: 1, input: {} } });
  return { id: run.id, teamId: team.id, workflowId: workflow.id };
}
