// Agents as the API returns them, and the inputs to manage them (isomorphic: the forms
// validate with the same schemas the server enforces).
import { z } from "zod";
import { STRATEGIES, type Strategy } from "./llm.ts";
import { slugSchema, teamInput } from "./schemas.ts";

export const AGENT_ROLE_NAMES = ["analyst", "gatekeeper", "executor", "verifier", "custom"] as const;
export type AgentRoleName = (typeof AGENT_ROLE_NAMES)[number];

export const AGENT_ROLE_TEXT: Record<AgentRoleName, { label: string; description: string }> = {
  analyst: { label: "Analyst", description: "Breaks a request into a plan of sub-tasks with dependencies and risks." },
  gatekeeper: { label: "Gatekeeper", description: "Reviews a plan: approves, sends it back, or rejects it; asks a person to approve risky work." },
  executor: { label: "Executor", description: "Carries out a plan's sub-tasks in parallel where their dependencies allow." },
  verifier: { label: "Verifier", description: "Scores the results against the request and sends them back when they fall short." },
  custom: { label: "Custom", description: "Does the task it is given and answers it." },
};

export const MAX_AGENT_TURNS = 50;

export interface AgentDto {
  /** Null for a built-in the team has not changed. */
  id: string | null;
  slug: string;
  name: string;
  role: AgentRoleName;
  instructions: string;
  /** A model id or "provider/model"; null follows the workflow's or team's routing. */
  model: string | null;
  strategy: Strategy | null;
  tools: string[];
  maxTurns: number;
  /** Null is unlimited (the team's budgets still apply). */
  maxCostUsd: number | null;
  /** One of the four agents every team has. */
  builtIn: boolean;
  /** A built-in the team changed (removing the change brings the default back). */
  overridden: boolean;
  createdAt: string | null;
  updatedAt: string | null;
}

const toolName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_-]+(?:\.(?:[A-Za-z0-9_-]+|\*))?$/, 'must be a tool name such as "http_fetch", "server.tool" or "server.*"');

const agentFields = {
  name: z.string().trim().min(1, "is required").max(120, "must be at most 120 characters"),
  role: z.enum(AGENT_ROLE_NAMES),
  instructions: z.string().max(20_000, "must be at most 20,000 characters"),
  model: z.string().trim().max(200).nullable(),
  strategy: z.enum(STRATEGIES).nullable(),
  tools: z.array(toolName).max(100),
  maxTurns: z.number().int().min(1).max(MAX_AGENT_TURNS),
  maxCostUsd: z.number().positive().max(100_000).nullable(),
};

export const agentTargetInput = teamInput.extend({ slug: slugSchema });

export const agentCreateInput = teamInput.extend({
  slug: slugSchema,
  name: agentFields.name,
  role: agentFields.role,
  instructions: agentFields.instructions.default(""),
  model: agentFields.model.default(null),
  strategy: agentFields.strategy.default(null),
  tools: agentFields.tools.default([]),
  maxTurns: agentFields.maxTurns.default(8),
  maxCostUsd: agentFields.maxCostUsd.default(null),
});

/** The slug names the agent and cannot change; every other field is optional. */
export const agentUpdateInput = agentTargetInput.extend({
  name: agentFields.name.optional(),
  role: agentFields.role.optional(),
  instructions: agentFields.instructions.optional(),
  model: agentFields.model.optional(),
  strategy: agentFields.strategy.optional(),
  tools: agentFields.tools.optional(),
  maxTurns: agentFields.maxTurns.optional(),
  maxCostUsd: agentFields.maxCostUsd.optional(),
});

export type AgentTargetInput = z.infer<typeof agentTargetInput>;
export type AgentCreateInput = z.infer<typeof agentCreateInput>;
export type AgentUpdateInput = z.infer<typeof agentUpdateInput>;
