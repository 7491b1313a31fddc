// The parts the shipped templates share. Most follow one arc: analyze → plan (the
// analyst) → execute each planned sub-task → verify (the verifier, who may send the plan
// back) → report; what differs is the analysis and how its findings are ranked, so each
// template file holds that and builds the rest from here (the shared shapes of model
// answers are in specs.ts, the shared report code in report-code.ts).
import type { TemplateDto } from "../../shared/runs.ts";
import { workflowDefinitionSchema, type WorkflowDefinitionInput } from "../../shared/workflow-definition.ts";
import { PLAN_SPEC, VERDICT_SPEC } from "../agents/index.ts";

type StepInput = WorkflowDefinitionInput["steps"][number];
type StepOfKind<K extends StepInput["kind"]> = Extract<StepInput, { kind: K }>;
type LlmFields = Omit<StepOfKind<"llm">, "id" | "kind">;

/** Model calls fail now and then (rate limits, malformed JSON): a few tries, spaced out. */
const MODEL_RETRY = { attempts: 3, backoff: "exponential", delayMs: 2000, maxDelayMs: 60_000 } as const;

/** A step run in the sandbox on the given inputs. */
export function codeStep(step: Omit<StepOfKind<"code">, "kind">): StepOfKind<"code"> {
  const { id, name, inputs, code, ...rest } = step;
  return { id, name, kind: "code", inputs, code, ...rest };
}

/** The model's analysis (step `analyze`), asked for typed JSON and retried when it fails. */
export function analyzeStep(step: Pick<LlmFields, "name" | "preset" | "system" | "prompt" | "json">): StepOfKind<"llm"> {
  return { id: "analyze", name: step.name, kind: "llm", preset: step.preset, system: step.system, prompt: step.prompt, json: step.json, retry: MODEL_RETRY };
}

/** The analyst plans the work (step `plan`) from a brief, with the feedback of the round that sent it back. */
export function planStep(step: { name: string; task: string; context: Record<string, unknown> }): StepOfKind<"agent"> {
  return {
    id: "plan",
    name: step.name,
    kind: "agent",
    agent: "analyst",
    task: step.task,
    // In a revision round this is the verdict that sent the plan back.
    context: { ...step.context, feedback: "{{ run.feedback }}" },
    output: PLAN_SPEC,
  };
}

/**
 * The model carries out each planned sub-task (step `execute`), three at a time; its
 * prompt opens with the sub-task, followed by `prompt`.
 */
export function executeEachSubtask(step: Pick<LlmFields, "preset" | "system" | "prompt" | "json"> & { name: string; needs?: string[] }): StepOfKind<"map"> {
  return {
    id: "execute",
    name: step.name,
    kind: "map",
    ...(step.needs && { needs: step.needs }),
    items: "{{ steps.plan.output.subtasks }}",
    concurrency: 3,
    step: { kind: "llm", preset: step.preset, system: step.system, prompt: "{{ item.title }}.\n{{ item.description }}\n\n" + step.prompt, json: step.json },
  };
}

/**
 * The verifier checks the results (step `verify`) against the plan and `context`, and sends
 * the plan back to its planning step, with its verdict as feedback, at most `max` times.
 */
export function verifyStep(step: {
  name: string;
  task: string;
  context: Record<string, unknown>;
  planStepId?: string;
  results?: string;
  max?: number;
}): StepOfKind<"agent"> {
  const planStepId = step.planStepId ?? "plan";
  return {
    id: "verify",
    name: step.name,
    kind: "agent",
    agent: "verifier",
    task: step.task,
    context: { ...step.context, plan: `{{ steps.${planStepId}.output }}`, results: step.results ?? "{{ steps.execute.output }}" },
    output: VERDICT_SPEC,
    revise: { from: planStepId, if: "steps.verify.output.passed !== true", max: step.max ?? 1 },
  };
}

/**
 * A person approves (step `approve`) only when `condition` holds (step `risky`); the step
 * that must wait for it names it in `needs`.
 */
export function approvalWhen(gate: { question: string; condition: string; name: string; message: string }): [StepOfKind<"condition">, StepOfKind<"approval">] {
  return [
    { id: "risky", name: gate.question, kind: "condition", if: gate.condition, then: ["approve"] },
    { id: "approve", name: gate.name, kind: "approval", scope: "workflows:run", message: gate.message },
  ];
}

/**
 * The report (step `report`): its code receives `inputs`, then the plan (`input.plan`), the
 * approval when there is one (`input.approval`), the execution's output under the name
 * `resultsAs`, and the verdict (`input.verdict`).
 */
export function reportStep(step: { name?: string; inputs: Record<string, unknown>; resultsAs: string; approval?: boolean; code: string }): StepOfKind<"code"> {
  return codeStep({
    id: "report",
    name: step.name ?? "Write the report",
    inputs: {
      ...step.inputs,
      plan: "{{ steps.plan.output }}",
      ...(step.approval && { approval: "{{ steps.approve.output }}" }),
      [step.resultsAs]: "{{ steps.execute.output }}",
      verdict: "{{ steps.verify.output }}",
    },
    code: step.code,
  });
}

/** A template's outputs: the report's summary first, the verdict last. */
export function reportOutputs(outputs: Record<string, string>): Record<string, string> {
  return { summary: "{{ steps.report.output.summary }}", ...outputs, verdict: "{{ steps.verify.output }}" };
}

/** A template as the product lists it, named after its definition, which is validated here. */
export function defineTemplate(template: Omit<TemplateDto, "name" | "definition">, definition: WorkflowDefinitionInput): TemplateDto {
  return {
    slug: template.slug,
    name: definition.name,
    description: template.description,
    category: template.category,
    definition: workflowDefinitionSchema.parse(definition),
  };
}
