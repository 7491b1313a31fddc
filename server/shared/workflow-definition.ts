// The workflow definition format: what the editor saves, what YAML/JSON import reads,
// and what the engine executes. Isomorphic, so the editor validates as the server does.
//
// Values in step fields may be templates: "{{ input.request }}" alone yields the value
// itself (typed); text around it interpolates ("Summarise {{ steps.fetch.output.body }}").
// Paths: input.<name>, steps.<id>.output[...], item / index (inside a map), run.id.
// Dependencies are the union of `needs` and every step a template refers to.
import { z } from "zod";
import { STRATEGIES, TASK_PRESETS } from "./llm.ts";
import { SCOPES } from "./rbac.ts";

export const DEFINITION_SCHEMA_VERSION = 1;

export const STEP_KINDS = ["agent", "llm", "tool", "code", "http", "condition", "map", "approval"] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** Step kinds a map may fan out (one item each). */
export const MAP_ITEM_KINDS = ["agent", "llm", "tool", "code", "http"] as const;

export const VALUE_TYPES = ["string", "number", "integer", "boolean", "object", "array", "any"] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

export const RUN_STATUSES = ["QUEUED", "RUNNING", "WAITING", "PAUSED", "SUCCEEDED", "FAILED", "CANCELLED", "COMPENSATED"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const FINISHED_RUN_STATUSES: readonly RunStatus[] = ["SUCCEEDED", "FAILED", "CANCELLED", "COMPENSATED"];

export const STEP_STATUSES = ["PENDING", "QUEUED", "RUNNING", "WAITING", "SUCCEEDED", "FAILED", "CANCELLED", "SKIPPED", "COMPENSATED"] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];
export const FINISHED_STEP_STATUSES: readonly StepStatus[] = ["SUCCEEDED", "FAILED", "CANCELLED", "SKIPPED", "COMPENSATED"];

export const STEP_ID_PATTERN = /^[a-z][a-z0-9_]{0,47}$/;
const stepId = z.string().regex(STEP_ID_PATTERN, "must start with a letter and use lower-case letters, digits and _ (at most 48)");

/** A declared type: a JSON-Schema subset (type, properties, items, required, enum). */
export interface TypeSpec {
  type: ValueType;
  description?: string;
  properties?: Record<string, TypeSpec>;
  items?: TypeSpec;
  required?: string[];
  enum?: (string | number)[];
}
export const typeSpecSchema: z.ZodType<TypeSpec> = z.lazy(() =>
  z.object({
    type: z.enum(VALUE_TYPES),
    description: z.string().max(2000).optional(),
    properties: z.record(z.string().max(64), typeSpecSchema).optional(),
    items: typeSpecSchema.optional(),
    required: z.array(z.string().max(64)).max(100).optional(),
    enum: z.array(z.union([z.string().max(200), z.number()])).max(100).optional(),
  }),
);

export const inputSpecSchema = z.object({
  type: z.enum(VALUE_TYPES),
  description: z.string().max(2000).optional(),
  /** Required unless a default is given or this is false. */
  required: z.boolean().optional(),
  default: z.unknown().optional(),
});
export type InputSpec = z.infer<typeof inputSpecSchema>;

export const retryPolicySchema = z.object({
  /** Tries in all, the first included. */
  attempts: z.number().int().min(1).max(20).default(1),
  backoff: z.enum(["fixed", "exponential"]).default("exponential"),
  delayMs: z.number().int().min(0).max(3_600_000).default(1000),
  maxDelayMs: z.number().int().min(0).max(3_600_000).default(60_000),
});
export type RetryPolicy = z.infer<typeof retryPolicySchema>;

/** A template: any JSON value whose strings may hold {{ ... }} expressions. */
const templateValue = z.unknown();
const templateString = z.string().max(100_000);

const commonFields = {
  id: stepId,
  name: z.string().max(120).optional(),
  description: z.string().max(2000).optional(),
  /** Steps that must finish first, beyond those its templates refer to. */
  needs: z.array(stepId).max(100).optional(),
  timeoutMs: z.number().int().min(10).max(24 * 3_600_000).optional(),
  retry: retryPolicySchema.optional(),
  /** What this step's output looks like (checked against the steps that read it). */
  output: typeSpecSchema.optional(),
  /** Editor position; ignored by the engine. */
  position: z.object({ x: z.number(), y: z.number() }).optional(),
  /**
   * A bounded loop back: after this step succeeds and `if` (a JavaScript expression over
   * input, steps, run) holds, the run goes back to step `from` and runs it and everything
   * after it again, at most `max` times. The step's output is then `run.feedback`, and
   * `run.revision` counts the rounds. A verifier sending a plan back for revision uses it.
   */
  revise: z
    .object({ from: stepId, if: z.string().min(1).max(10_000), max: z.number().int().min(1).max(10).default(2) })
    .optional(),
};

const llmFields = {
  prompt: templateString,
  system: templateString.optional(),
  /** A model id, "provider/model", or omitted for the workflow's / team's routing. */
  model: z.string().max(200).optional(),
  strategy: z.enum(STRATEGIES).optional(),
  preset: z.enum(TASK_PRESETS).optional(),
  /** Ask for JSON: true for any object, or a TypeSpec the answer must match. */
  json: z.union([z.boolean(), typeSpecSchema]).optional(),
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: z.number().int().min(1).max(200_000).optional(),
};
const agentFields = {
  /** The agent's slug in the team (built-in: analyst, gatekeeper, executor, verifier). */
  agent: z.string().min(1).max(64),
  task: templateString,
  /** Extra context the agent receives as typed values. */
  context: z.record(z.string().max(64), templateValue).optional(),
};
const toolFields = {
  /** "http_fetch", "memory_get", "memory_set", or "<mcp server>.<tool>". */
  tool: z.string().min(1).max(200),
  arguments: z.record(z.string().max(128), templateValue).default({}),
};
const codeFields = {
  /** The body of a JavaScript function of (input); its return value is the output. */
  code: z.string().min(1).max(100_000),
  /** Values the code receives as `input`. */
  inputs: z.record(z.string().max(64), templateValue).default({}),
  memoryMb: z.number().int().min(1).max(256).optional(),
};
const httpFields = {
  method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]).default("GET"),
  url: templateString,
  headers: z.record(z.string().max(128), templateString).optional(),
  body: templateValue.optional(),
};

const llmStep = z.object({ ...commonFields, kind: z.literal("llm"), ...llmFields, compensate: z.lazy(() => compensationSchema).optional() });
const agentStep = z.object({ ...commonFields, kind: z.literal("agent"), ...agentFields, compensate: z.lazy(() => compensationSchema).optional() });
const toolStep = z.object({ ...commonFields, kind: z.literal("tool"), ...toolFields, compensate: z.lazy(() => compensationSchema).optional() });
const codeStep = z.object({ ...commonFields, kind: z.literal("code"), ...codeFields, compensate: z.lazy(() => compensationSchema).optional() });
const httpStep = z.object({ ...commonFields, kind: z.literal("http"), ...httpFields, compensate: z.lazy(() => compensationSchema).optional() });
const conditionStep = z.object({
  ...commonFields,
  kind: z.literal("condition"),
  /** A JavaScript expression over input, steps, run; truthy takes `then`. */
  if: z.string().min(1).max(10_000),
  then: z.array(stepId).max(100).default([]),
  else: z.array(stepId).max(100).default([]),
});
const approvalStep = z.object({
  ...commonFields,
  kind: z.literal("approval"),
  message: templateString,
  /** Who may decide; workflows:run unless set. */
  scope: z.enum(SCOPES).default("workflows:run"),
});

/** The step a map runs once per item; `item` and `index` are in scope. */
export const mapItemStepSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("llm"), ...llmFields }),
  z.object({ kind: z.literal("agent"), ...agentFields }),
  z.object({ kind: z.literal("tool"), ...toolFields }),
  z.object({ kind: z.literal("code"), ...codeFields }),
  z.object({ kind: z.literal("http"), ...httpFields }),
]);
export type MapItemStep = z.infer<typeof mapItemStepSchema>;

const mapStep = z.object({
  ...commonFields,
  kind: z.literal("map"),
  /** A template that yields the list, e.g. "{{ steps.plan.output.subtasks }}". */
  items: templateString,
  concurrency: z.number().int().min(1).max(100).default(4),
  step: mapItemStepSchema,
});

/** Run on rollback for a step that had succeeded; `steps.<id>.output` is the step's result. */
export const compensationSchema = mapItemStepSchema;

export const stepSchema = z.discriminatedUnion("kind", [llmStep, agentStep, toolStep, codeStep, httpStep, conditionStep, mapStep, approvalStep]);
export type StepDefinition = z.infer<typeof stepSchema>;
export type StepOf<K extends StepKind> = Extract<StepDefinition, { kind: K }>;

export const workflowDefinitionSchema = z.object({
  schemaVersion: z.literal(DEFINITION_SCHEMA_VERSION).default(DEFINITION_SCHEMA_VERSION),
  name: z.string().trim().min(1).max(120),
  description: z.string().max(5000).default(""),
  inputs: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, "must be an identifier"), inputSpecSchema).default({}),
  /** The run's output: name → template ("{{ steps.verify.output }}"). Empty: the last steps' outputs. */
  outputs: z.record(z.string().max(64), templateValue).default({}),
  /** Routing for this workflow's llm and agent steps, over the team's defaults. */
  routing: z
    .object({ strategy: z.enum(STRATEGIES).optional(), model: z.string().max(200).optional(), fallback: z.array(z.string().max(200)).max(10).optional() })
    .optional(),
  limits: z
    .object({
      /** Hard cap on the run's spend; steps after it is reached fail with BUDGET_EXCEEDED. */
      maxCostUsd: z.number().positive().max(100_000).optional(),
      /** Whole-run timeout. */
      timeoutMs: z.number().int().min(1000).max(7 * 24 * 3_600_000).optional(),
    })
    .optional(),
  steps: z.array(stepSchema).min(1, "a workflow needs at least one step").max(500),
});
export type WorkflowDefinition = z.infer<typeof workflowDefinitionSchema>;
export type WorkflowDefinitionInput = z.input<typeof workflowDefinitionSchema>;

/** One problem found in a definition, naming the step at fault when there is one. */
export interface DefinitionIssue {
  code: "syntax" | "schema" | "duplicate-step" | "unknown-step" | "cycle" | "type-mismatch" | "missing-input" | "bad-expression" | "bad-reference";
  message: string;
  stepId?: string;
  /** Where in the document: ["steps", 2, "items"]. */
  path?: (string | number)[];
}
