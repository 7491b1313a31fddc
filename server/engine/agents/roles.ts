// The agent roles: the guidance each gets ahead of its own instructions, the output it
// must submit, who its result goes to, and the policies enforced in code after the model
// answered (prompts ask for them too, but a model's word is not a control).
import { AGENT_ROLE_NAMES, type AgentRoleName } from "../../shared/agents.ts";
import type { AgentMessageKind } from "../types.ts";
import { ANSWER_SCHEMA, EXECUTION_SCHEMA, PLAN_SCHEMA, REVIEW_SCHEMA, VERDICT_SCHEMA, asPlan, type OutputSchema, type Review, type Verdict } from "./schemas.ts";

export const AGENT_ROLES = AGENT_ROLE_NAMES;
export type AgentRole = AgentRoleName;

export const isAgentRole = (value: string): value is AgentRole => (AGENT_ROLES as readonly string[]).includes(value);

/** Below this, a verifier's score fails the result whatever `passed` says. */
export const PASSING_SCORE = 0.5;

export interface RoleSpec {
  role: AgentRole;
  guidance: string;
  schema: OutputSchema;
  /** The kind of the message carrying the role's output. */
  outputKind: AgentMessageKind;
  /** Who hands this role its task, and who receives its output. */
  from: string;
  to: string;
  /** Adjusts a valid output to the role's policy; `context` is the step's context. */
  enforce?(output: unknown, context: Record<string, unknown>): unknown;
}

const SUBMIT = "When you are done, call submit_result with your answer as its arguments; never answer in plain text.";

/** The gatekeeper may not wave high-risk work through: a person approves it. */
function enforceReview(output: unknown, context: Record<string, unknown>): Review {
  const review = output as Review;
  const highRisk = (asPlan(context.plan)?.subtasks ?? []).filter((s) => s.risk === "high").map((s) => s.id);
  if (highRisk.length === 0) return review;
  const risky = [...new Set([...review.risky, ...highRisk])];
  const reasons = review.requiresApproval
    ? review.reasons
    : [...review.reasons, `High-risk sub-task${highRisk.length > 1 ? "s" : ""} ${highRisk.join(", ")} must be approved by a person first.`];
  return { ...review, requiresApproval: true, risky, reasons };
}

/** A result that scores below the bar on any dimension does not pass. */
function enforceVerdict(output: unknown): Verdict {
  const verdict = output as Verdict;
  const low = Object.entries(verdict.scores).filter(([, score]) => score < PASSING_SCORE);
  if (low.length === 0) return verdict;
  const reasons = low.map(([name, score]) => `${name} scored ${score}, below ${PASSING_SCORE}.`);
  return { ...verdict, passed: false, reasons: [...verdict.reasons, ...reasons.filter((r) => !verdict.reasons.includes(r))] };
}

export const ROLES: Record<AgentRole, RoleSpec> = {
  analyst: {
    role: "analyst",
    guidance: [
      "You are the analyst. Break the task into a small plan of concrete sub-tasks (usually 2 to 6).",
      "Give each sub-task a short id (t1, t2, ...), a title, a description of what to do and what its result looks like,",
      "the ids it depends on (no cycles), the tools it will likely need, and its risk: high for anything irreversible or",
      "touching production, money, credentials or deletions. When the context holds feedback from an earlier round, address every point of it.",
      SUBMIT,
    ].join(" "),
    schema: PLAN_SCHEMA,
    outputKind: "plan",
    from: "run",
    to: "gatekeeper",
  },
  gatekeeper: {
    role: "gatekeeper",
    guidance: [
      "You are the gatekeeper. Review the plan in the context before anything runs: is it complete, safe and in a sensible order?",
      "Decide approve, revise (the plan goes back to the analyst with your reasons) or reject (the work stops).",
      "Set the priority, the order of the sub-task ids, and the risky sub-tasks; requiresApproval must be true when any sub-task is high risk.",
      SUBMIT,
    ].join(" "),
    schema: REVIEW_SCHEMA,
    outputKind: "review",
    from: "analyst",
    to: "executor",
    enforce: enforceReview,
  },
  executor: {
    role: "executor",
    guidance: [
      "You are the executor. Carry out the sub-task you are given, using the tools you have when they help, and building on the results",
      "of the sub-tasks it depends on. Report done with the result, or failed with the reason; never claim work you did not do.",
      SUBMIT,
    ].join(" "),
    schema: EXECUTION_SCHEMA,
    outputKind: "result",
    from: "gatekeeper",
    to: "verifier",
  },
  verifier: {
    role: "verifier",
    guidance: [
      "You are the verifier. Check the results in the context against the original request and the plan.",
      "Score correctness, transparency, safety, autonomy and fairness from 0 to 1, give your reasons, and say whether it passes;",
      "when it does not, list the revisions needed. Any score below 0.5 fails it.",
      SUBMIT,
    ].join(" "),
    schema: VERDICT_SCHEMA,
    outputKind: "verdict",
    from: "executor",
    to: "run",
    enforce: enforceVerdict,
  },
  custom: {
    role: "custom",
    guidance: `Do the task you are given, following your instructions. ${SUBMIT}`,
    schema: ANSWER_SCHEMA,
    outputKind: "result",
    from: "run",
    to: "run",
  },
};

export function roleSpec(role: string): RoleSpec {
  return ROLES[isAgentRole(role) ? role : "custom"];
}
