// Workflows: every member reads, validates and exports them; operators and admins
// create, save, archive and import them (workflows:write).
import type { Prisma } from "../../db/generated/client.ts";
import type { Fixtures } from "../fixtures.ts";
import { operatorsUp, teamMembers, unique, type Case } from "../rbac.ts";
import type { WorkflowDefinitionInput } from "../../shared/workflow-definition.ts";
import { validateDefinition } from "../../engine/definition/index.ts";

/** One code step: valid, and runs without a provider. */
export function codeDefinition(name = "RBAC flow"): WorkflowDefinitionInput {
  return { schemaVersion: 1, name, description: "", inputs: {}, outputs: {}, steps: [{ id: "compute", kind: "code", code: "return 1 + 1;", inputs: {} }] };
}

/** A workflow of acme's own, written directly so the cases do not depend on the service under test. */
export async function newWorkflow(f: Fixtures, raw: WorkflowDefinitionInput = codeDefinition()) {
  // Stored as the service stores it: validated, with the defaults filled in.
  const { definition, issues } = validateDefinition(raw);
  if (!definition) throw new Error(`Invalid test workflow: ${issues.map((i) => i.message).join("; ")}`);
  const slug = unique("rbac-flow-");
  const workflow = await f.db.workflow.create({
    data: {
      teamId: f.team.id,
      slug,
      name: definition.name,
      latestVersion: 1,
      versions: { create: { version: 1, definition: definition as unknown as Prisma.InputJsonValue } },
    },
    include: { versions: true },
  });
  return { id: workflow.id, slug, versionId: workflow.versions[0]!.id };
}

const YAML_TEXT = ["name: Imported flow", "steps:", "  - id: compute", "    kind: code", "    code: return 2;", ""].join("\n");

export const WORKFLOWS_CASES: Record<string, Case> = {
  "workflows.list": { expect: teamMembers, input: (f) => ({ teamId: f.team.id }) },
  "workflows.templates": { expect: teamMembers, input: (f) => ({ teamId: f.team.id }) },
  "workflows.get": { expect: teamMembers, input: async (f) => ({ teamId: f.team.id, workflowId: (await newWorkflow(f)).id }) },
  "workflows.version": { expect: teamMembers, input: async (f) => ({ teamId: f.team.id, workflowId: (await newWorkflow(f)).slug, version: 1 }) },
  "workflows.validate": { expect: teamMembers, input: (f) => ({ teamId: f.team.id, definition: codeDefinition() }) },
  "workflows.export": { expect: teamMembers, input: async (f) => ({ teamId: f.team.id, workflowId: (await newWorkflow(f)).id, format: "json" }) },
  "workflows.create": { expect: operatorsUp, input: (f) => ({ teamId: f.team.id, slug: unique("rbac-new-flow-"), definition: codeDefinition("Created") }) },
  "workflows.save": {
    expect: operatorsUp,
    input: async (f) => ({ teamId: f.team.id, workflowId: (await newWorkflow(f)).id, definition: codeDefinition("Saved"), note: "rename" }),
  },
  "workflows.archive": { expect: operatorsUp, input: async (f) => ({ teamId: f.team.id, workflowId: (await newWorkflow(f)).id }) },
  "workflows.import": { expect: operatorsUp, input: (f) => ({ teamId: f.team.id, slug: unique("rbac-import-"), text: YAML_TEXT, format: "yaml" }) },
};
