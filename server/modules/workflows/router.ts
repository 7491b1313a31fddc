import { router, scopedProcedure } from "../../api/trpc.ts";
import { auditActor } from "../../api/actor.ts";
import { teamInput } from "../../shared/schemas.ts";
import {
  workflowCreateInput,
  workflowExportInput,
  workflowImportInput,
  workflowSaveInput,
  workflowTargetInput,
  workflowValidateInput,
  workflowVersionInput,
} from "../../shared/runs.ts";
import {
  archiveWorkflow,
  createWorkflow,
  exportWorkflow,
  getWorkflow,
  getWorkflowVersion,
  importWorkflow,
  listTemplates,
  listWorkflows,
  saveWorkflow,
  validateWorkflowDefinition,
} from "./service.ts";

const read = scopedProcedure("workflows:read");
const write = scopedProcedure("workflows:write");

export const workflowsRouter = router({
  list: read.input(teamInput).query(({ ctx, input }) => listWorkflows(ctx.db, input.teamId)),
  templates: read.input(teamInput).query(() => listTemplates()),
  get: read.input(workflowTargetInput).query(({ ctx, input }) => getWorkflow(ctx.db, input.teamId, input.workflowId)),
  version: read.input(workflowVersionInput).query(({ ctx, input }) => getWorkflowVersion(ctx.db, input)),
  // A mutation only so the definition travels in the body: as a query it would be in the URL, too long for big workflows.
  validate: read.input(workflowValidateInput).mutation(({ input }) => validateWorkflowDefinition(input.definition)),
  export: read.input(workflowExportInput).query(({ ctx, input }) => exportWorkflow(ctx.db, input)),
  create: write.input(workflowCreateInput).mutation(({ ctx, input }) => createWorkflow(ctx.db, auditActor(ctx), input)),
  save: write.input(workflowSaveInput).mutation(({ ctx, input }) => saveWorkflow(ctx.db, auditActor(ctx), input)),
  archive: write.input(workflowTargetInput).mutation(({ ctx, input }) => archiveWorkflow(ctx.db, auditActor(ctx), input.teamId, input.workflowId)),
  import: write.input(workflowImportInput).mutation(({ ctx, input }) => importWorkflow(ctx.db, auditActor(ctx), input)),
});
