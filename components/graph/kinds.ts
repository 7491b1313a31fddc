// How each step kind looks and reads everywhere a workflow is drawn: the editor's
// palette and nodes, the run graph and the step panels.
import type { StepKind } from "@/server/shared/workflow-definition";

export interface KindMeta {
  label: string;
  /** One line for the palette and the template gallery. */
  description: string;
  /** A CSS colour (light-dark pair) for the node's accent. */
  color: string;
}

export const KIND_META: Record<StepKind, KindMeta> = {
  agent: { label: "Agent", description: "An agent works on a task with its tools", color: "light-dark(#4f46e5, #8b87ff)" },
  llm: { label: "LLM", description: "One model call: a prompt, an answer", color: "light-dark(#0e7490, #22d3ee)" },
  tool: { label: "Tool", description: "Calls a built-in or MCP tool", color: "light-dark(#b45309, #fbbf24)" },
  code: { label: "Code", description: "JavaScript in a sandbox; returns the output", color: "light-dark(#334155, #cbd5e1)" },
  http: { label: "HTTP", description: "An HTTP request to any URL", color: "light-dark(#0f766e, #2dd4bf)" },
  condition: { label: "Condition", description: "Takes the then or the else branch", color: "light-dark(#be185d, #f472b6)" },
  map: { label: "Map", description: "Runs one step for each item of a list", color: "light-dark(#6d28d9, #c4b5fd)" },
  approval: { label: "Approval", description: "Waits for a person to approve or reject", color: "light-dark(#a16207, #facc15)" },
};
