// The agent pipeline: an analyst plans the request, a gatekeeper reviews the plan (and
// may send it back), a person approves when the plan holds risky sub-tasks, an executor
// carries it out sub-task by sub-task, and a verifier scores the result (and may send
// it back to planning, with its reasons as feedback).
import type { TemplateDto } from "../../shared/runs.ts";
import { workflowDefinitionSchema, type WorkflowDefinitionInput } from "../../shared/workflow-definition.ts";
import { EXECUTION_SPEC, PLAN_SPEC, REVIEW_SPEC, VERDICT_SPEC } from "../agents/index.ts";

const REQUEST = "{{ input.request }}";

const definition: WorkflowDefinitionInput = {
  name: "Agent pipeline",
  description: "Plan, review, approve when risky, execute and verify a request with the four built-in agents.",
  inputs: { request: { type: "string", description: "What should be done, in plain words." } },
  steps: [
    {
      id: "analyze",
      name: "Plan",
      kind: "agent",
      agent: "analyst",
      task: REQUEST,
      // In a revision round this is the review or verdict that sent the plan back.
      context: { feedback: "{{ run.feedback }}" },
      output: PLAN_SPEC,
    },
    {
      id: "gate",
      name: "Review the plan",
      kind: "agent",
      agent: "gatekeeper",
      task: `Review the plan for this request: ${REQUEST}`,
      context: { request: REQUEST, plan: "{{ steps.analyze.output }}" },
      output: REVIEW_SPEC,
      revise: { from: "analyze", if: 'steps.gate.output.decision === "revise"', max: 2 },
    },
    {
      id: "risky",
      name: "Needs approval?",
      kind: "condition",
      if: "steps.gate.output.requiresApproval === true",
      then: ["approve"],
    },
    {
      id: "approve",
      name: "Approve risky work",
      kind: "approval",
      scope: "workflows:run",
      message:
        "The gatekeeper marked these sub-tasks as risky: {{ steps.gate.output.risky }}. " +
        "The plan: {{ steps.analyze.output.summary }} Approve to let the executor carry it out.",
    },
    {
      id: "execute",
      name: "Execute",
      kind: "agent",
      agent: "executor",
      needs: ["gate", "approve"],
      task: `Carry out the approved plan for: ${REQUEST}`,
      context: { request: REQUEST, plan: "{{ steps.analyze.output }}", review: "{{ steps.gate.output }}" },
      output: EXECUTION_SPEC,
    },
    {
      id: "verify",
      name: "Verify",
      kind: "agent",
      agent: "verifier",
      task: `Check the results against the request: ${REQUEST}`,
      context: { request: REQUEST, plan: "{{ steps.analyze.output }}", results: "{{ steps.execute.output }}" },
      output: VERDICT_SPEC,
      revise: { from: "analyze", if: "steps.verify.output.passed !== true", max: 2 },
    },
  ],
  outputs: {
    summary: "{{ steps.execute.output.summary }}",
    results: "{{ steps.execute.output.results }}",
    verdict: "{{ steps.verify.output }}",
    plan: "{{ steps.analyze.output }}",
  },
};

export const AGENT_PIPELINE: TemplateDto = {
  slug: "agent-pipeline",
  name: "Agent pipeline",
  description:
    "An analyst plans the request, a gatekeeper reviews the plan, a person approves risky work, an executor carries it out and a verifier scores the result, sending it back for revision when needed.",
  category: "Agents",
  definition: workflowDefinitionSchema.parse(definition),
};
