// Workflow templates: ready-made definitions a team starts a workflow from. Add a
// template by writing its file beside this one (building on parts.ts, specs.ts and
// report-code.ts) and listing it here.
import type { TemplateDto } from "../../shared/runs.ts";
import { AGENT_PIPELINE } from "./agent-pipeline.ts";
import { CODE_REVIEW } from "./code-review.ts";
import { DEPENDENCY_UPDATE } from "./dependency-update.ts";
import { DOCUMENTATION } from "./documentation.ts";
import { ISSUE_ANALYSIS } from "./issue-analysis.ts";
import { MIGRATION } from "./migration.ts";
import { PERFORMANCE_OPTIMISATION } from "./performance-optimisation.ts";
import { SECURITY_AUDIT } from "./security-audit.ts";

export const TEMPLATES: TemplateDto[] = [
  AGENT_PIPELINE,
  CODE_REVIEW,
  ISSUE_ANALYSIS,
  PERFORMANCE_OPTIMISATION,
  SECURITY_AUDIT,
  DOCUMENTATION,
  MIGRATION,
  DEPENDENCY_UPDATE,
];

export function findTemplate(slug: string): TemplateDto | undefined {
  return TEMPLATES.find((template) => template.slug === slug);
}
