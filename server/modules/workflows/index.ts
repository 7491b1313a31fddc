export {
  listWorkflows,
  listTemplates,
  getWorkflow,
  getWorkflowVersion,
  createWorkflow,
  saveWorkflow,
  archiveWorkflow,
  importWorkflow,
  exportWorkflow,
  validateWorkflowDefinition,
  findWorkflow,
  findWorkflowVersion,
  definitionError,
  toWorkflowVersionDto,
  toWorkflowDefinition,
} from "./service.ts";
export type { WorkflowExportDto, WorkflowCreateInput, WorkflowSaveInput, WorkflowImportInput, WorkflowExportInput, WorkflowVersionInput } from "./service.ts";
export { workflowsRouter } from "./router.ts";
