// What each upcoming area will do, said plainly. These pages show no sample data:
// until an area ships, its page says what it is for and which permissions will apply.
import type { Scope } from "@/server/shared/rbac";
import type { IconName } from "@/components/ui/icons";

export interface Area {
  href: string;
  title: string;
  icon: IconName;
  summary: string;
  description: string;
  capabilities: string[];
  scopes: Scope[];
}

export const AREAS: Area[] = [
  {
    href: "/workflows",
    title: "Workflows",
    icon: "workflow",
    summary: "Multi-step agent pipelines as graphs.",
    description:
      "Workflows chain agents and tools into a graph of steps — analyse, plan, execute, verify — that Maestro runs on its engine, in this process or on any number of workers.",
    capabilities: [
      "A visual graph of each workflow's steps and their dependencies",
      "Ready-made pipelines, such as analyst → gatekeeper → executor → ethics check",
      "Retries with backoff, rollback on failure, and recovery of runs interrupted by a crash",
      "Start a run from here, from the API, or on a schedule",
    ],
    scopes: ["workflows:read", "workflows:write", "workflows:run"],
  },
  {
    href: "/runs",
    title: "Runs",
    icon: "runs",
    summary: "Every execution, step by step, live.",
    description: "Runs is the history of every workflow execution in the team, with live progress while a run is going.",
    capabilities: [
      "Status, timeline and logs of each step",
      "Tokens, cost and latency per step and per run",
      "Cancel a run that is queued or running",
      "Live updates over the same connection as the dashboard's activity feed",
    ],
    scopes: ["runs:read", "runs:cancel"],
  },
  {
    href: "/agents",
    title: "Agents",
    icon: "agents",
    summary: "Agents, their models, prompts and tools.",
    description: "Agents are the workers of a workflow: a model, instructions, and the tools it may call.",
    capabilities: [
      "Define agents with a role, a model, instructions and tools",
      "Connect MCP tool servers (filesystem, PostgreSQL, Git) and see their tools",
      "A network view of which agents talk to which",
      "Queue depth and health of each agent",
    ],
    scopes: ["agents:read", "agents:write"],
  },
  {
    href: "/healing",
    title: "Healing",
    icon: "healing",
    summary: "Detect trouble and repair it automatically.",
    description:
      "Healing watches the installation and its workers, spots trouble early, and applies a repair strategy before people have to step in.",
    capabilities: [
      "Detection of CPU spikes, memory leaks, memory pressure and stuck processes",
      "Repair strategies per kind of event, with an operator alert when a state is critical",
      "A health score and the history of every event and action taken",
      "Schedules that stretch under load and recover when it passes",
    ],
    scopes: ["healing:read", "healing:write"],
  },
];

export function areaFor(href: string): Area {
  const area = AREAS.find((a) => a.href === href);
  if (!area) throw new Error(`No area is described for ${href}.`);
  return area;
}
