// Finding a team's agents: its Agent rows, over the built-in defaults (a row with a
// built-in's slug replaces it). Every query is scoped to the team.
import type { Db } from "../../db/client.ts";
import type { Agent } from "../../db/generated/client.ts";
import { STRATEGIES, type Strategy } from "../../shared/llm.ts";
import { StepError } from "../types.ts";
import { BUILTIN_AGENTS, findBuiltinAgent, type AgentConfig } from "./builtins.ts";
import { isAgentRole } from "./roles.ts";

const asStrategy = (value: string | null): Strategy | null => (value && (STRATEGIES as readonly string[]).includes(value) ? (value as Strategy) : null);

/** A row as the runner uses it; an unknown role is treated as custom. */
export function agentFromRow(row: Agent): AgentConfig {
  return {
    slug: row.slug,
    name: row.name,
    role: isAgentRole(row.role) ? row.role : "custom",
    instructions: row.instructions,
    model: row.model,
    strategy: asStrategy(row.strategy),
    tools: [...row.tools],
    maxTurns: row.maxTurns,
    maxCostNano: row.maxCostNano === null ? null : Number(row.maxCostNano),
  };
}

/** The team's agent by slug (its row, else the built-in), or null. */
export async function findAgent(db: Db, teamId: string, slug: string): Promise<AgentConfig | null> {
  const row = await db.agent.findUnique({ where: { teamId_slug: { teamId, slug } } });
  if (row) return agentFromRow(row);
  return findBuiltinAgent(slug) ?? null;
}

/** Every slug the team can put in an agent step, sorted. */
export async function availableAgentSlugs(db: Db, teamId: string): Promise<string[]> {
  const rows = await db.agent.findMany({ where: { teamId }, select: { slug: true } });
  return [...new Set([...BUILTIN_AGENTS.map((a) => a.slug), ...rows.map((r) => r.slug)])].sort();
}

/** The agent an agent step names; an unknown slug fails the step for good, naming the choices. */
export async function resolveAgent(db: Db, teamId: string, slug: string): Promise<AgentConfig> {
  const agent = await findAgent(db, teamId, slug);
  if (agent) return agent;
  const available = await availableAgentSlugs(db, teamId);
  throw new StepError(`There is no agent "${slug}" in this team. Available agents: ${available.join(", ")}.`, { code: "UNKNOWN_AGENT" });
}
