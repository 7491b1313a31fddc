// Workflow templates: ready-made definitions a team starts a workflow from. Add a
// template by writing its file beside this one and listing it here.
import type { TemplateDto } from "../../shared/runs.ts";
import { AGENT_PIPELINE } from "./agent-pipeline.ts";

export const TEMPLATES: TemplateDto[] = [AGENT_PIPELINE];

export function findTemplate(slug: string): TemplateDto | undefined {
  return TEMPLATES.find((template) => template.slug === slug);
}
