// The agent pipeline: an analyst plans the request, a gatekeeper reviews the plan (and
// may send it back), a person approves when the plan holds risky sub-tasks, an executor
// carries it out sub-task by sub-task, and a verifier scores the result (and may send
// it back to planning, with its reasons as feedback).
import type { WorkflowDefinitionInput } from "../../shared/workflow-definition.ts";
import { EXECUTION_SPEC, PLAN_SPEC, REVIEW_SPEC } from "../agents/index.ts";
import { approvalWhen, defineTemplate, verifyStep } from "./parts.ts";

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
    ...approvalWhen({
      question: "Needs approval?",
      condition: "steps.gate.output.requiresApproval === true",
      name: "Approve risky work",
      message:
        "The gatekeeper marked these sub-tasks as risky: {{ steps.gate.output.risky }}. " +
        "The plan: {{ steps.analyze.output.summary }} Approve to let the executor carry it out.",
    }),
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
    verifyStep({
      name: "Verify",
      task: `Check the results against the request: ${REQUEST}`,
      context: { request: REQUEST },
      planStepId: "analyze",
      max: 2,
    }),
  ],
  outputs: {
    summary: "{{ steps.execute.output.summary }}",
    results: "{{ steps.execute.output.results }}",
    verdict: "{{ steps.verify.output }}",
    plan: "{{ steps.analyze.output }}",
  },
};

export const AGENT_PIPELINE = defineTemplate(
  {
    slug: "agent-pipeline",
    description:
      "An analyst plans the request, a gatekeeper reviews the plan, a person approves risky work, an executor carries it out and a verifier scores the result, sending it back for revision when needed.",
    category: "Agents",
  },
  definition,
);
