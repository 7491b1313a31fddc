// The definition format as JSON Schema, for editors (YAML language servers, VS Code)
// and other tools that write workflows: generated from the same zod schema the server
// validates with, so the two cannot drift apart.
import { z } from "zod";
import { workflowDefinitionSchema } from "../../shared/workflow-definition.ts";

let cached: Record<string, unknown> | undefined;

export function workflowJsonSchema(): Record<string, unknown> {
  cached ??= {
    ...z.toJSONSchema(workflowDefinitionSchema, { io: "input", unrepresentable: "any" }),
    title: "Maestro workflow definition",
    description: "A versioned DAG of steps (agent, llm, tool, code, http, condition, map, approval). See the README's Workflows section.",
  };
  return cached;
}
