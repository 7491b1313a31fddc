// Agents: the `agent` step runner, the roles and their output schemas, and the built-in
// agents every team has. The agents module and the engine's runtime use this face.
export { createAgentRunner, type AgentRunnerOptions, type AgentStep } from "./runner.ts";
export { AGENT_ROLES, ROLES, PASSING_SCORE, isAgentRole, roleSpec, type AgentRole, type RoleSpec } from "./roles.ts";
export { BUILTIN_AGENTS, DEFAULT_MAX_TURNS, findBuiltinAgent, isBuiltinSlug, type AgentConfig } from "./builtins.ts";
export { agentFromRow, availableAgentSlugs, findAgent, resolveAgent } from "./registry.ts";
export { EXECUTOR_CONCURRENCY } from "./executor.ts";
export { SUBMIT_TOOL } from "./loop.ts";
export {
  ANSWER_SPEC,
  EXECUTION_SPEC,
  PLAN_SPEC,
  REVIEW_SPEC,
  VERDICT_SPEC,
  planProblems,
  toJsonSchema,
  type Execution,
  type Plan,
  type Review,
  type Subtask,
  type SubtaskResult,
  type Verdict,
} from "./schemas.ts";
