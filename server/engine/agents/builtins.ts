// The four agents every team has without configuring anything. A team's Agent row with
// the same slug overrides one; removing that row brings the default back. Lookups fall
// back to these, so nothing has to be seeded per team.
import type { Strategy } from "../../shared/llm.ts";
import type { AgentRole } from "./roles.ts";

/** An agent as the runner uses it: a team's row, or a built-in default. */
export interface AgentConfig {
  slug: string;
  name: string;
  role: AgentRole;
  instructions: string;
  model: string | null;
  strategy: Strategy | null;
  tools: string[];
  maxTurns: number;
  /** Integer nano-dollars; null is unlimited (the budgets still apply). */
  maxCostNano: number | null;
}

export const DEFAULT_MAX_TURNS = 8;
const MEMORY_READ = ["memory_get", "memory_list"];

export const BUILTIN_AGENTS: readonly AgentConfig[] = [
  {
    slug: "analyst",
    name: "Analyst",
    role: "analyst",
    instructions: "Plan for the person who asked: prefer few, concrete sub-tasks with results someone can check.",
    model: null,
    strategy: null,
    tools: MEMORY_READ,
    maxTurns: DEFAULT_MAX_TURNS,
    maxCostNano: null,
  },
  {
    slug: "gatekeeper",
    name: "Gatekeeper",
    role: "gatekeeper",
    instructions: "Send back plans that are vague, incomplete or unsafe; reject only what must not be done at all.",
    model: null,
    strategy: null,
    tools: MEMORY_READ,
    maxTurns: DEFAULT_MAX_TURNS,
    maxCostNano: null,
  },
  {
    slug: "executor",
    name: "Executor",
    role: "executor",
    instructions: "Keep each result short and concrete, and say what you relied on.",
    model: null,
    strategy: null,
    tools: ["http_fetch", "memory_get", "memory_set", "memory_list"],
    maxTurns: DEFAULT_MAX_TURNS,
    maxCostNano: null,
  },
  {
    slug: "verifier",
    name: "Verifier",
    role: "verifier",
    instructions: "Judge the results against what was asked, not against what was planned alone.",
    model: null,
    strategy: null,
    tools: MEMORY_READ,
    maxTurns: DEFAULT_MAX_TURNS,
    maxCostNano: null,
  },
];

export const findBuiltinAgent = (slug: string): AgentConfig | undefined => BUILTIN_AGENTS.find((agent) => agent.slug === slug);

export const isBuiltinSlug = (slug: string): boolean => findBuiltinAgent(slug) !== undefined;
