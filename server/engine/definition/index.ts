// The workflow definition layer: reading and writing definitions, validating them,
// resolving templates and analysing the dependency graph.
export { MAX_DEFINITION_BYTES, parseWorkflowText, serializeDefinition } from "./parse.ts";
export { applyInputDefaults, describeValue, validateDefinition, valueFits, type DefinitionResult } from "./validate.ts";
export {
  compileTemplate,
  conditionReferences,
  isTemplate,
  resolveStepTemplates,
  resolveTemplates,
  scanTemplates,
  TEMPLATE_FIELDS,
  TEMPLATE_ROOTS,
  TEXT_FIELDS,
  templateReferences,
  templateText,
  type CompiledTemplate,
  type PathSegment,
  type TemplateReference,
  type TemplateRoot,
  type TemplateScope,
} from "./templates.ts";
export {
  analyzeWorkflow,
  naturalOutputType,
  outputTypeOf,
  referencedSteps,
  referenceType,
  typeAtPath,
  typeFits,
  type Branch,
  type TypeContext,
  type WorkflowGraph,
} from "./graph.ts";
