// Definition issues as the editor and the import form show them: taken from a refused
// save or import (the server puts them in the error's details), grouped by step.
import { TRPCClientError } from "@trpc/client";
import type { DefinitionIssue } from "@/server/shared/workflow-definition";

function isIssue(value: unknown): value is DefinitionIssue {
  return Boolean(value) && typeof value === "object" && typeof (value as DefinitionIssue).message === "string" && typeof (value as DefinitionIssue).code === "string";
}

/** The issues a refused save, create or import carries, or null when it failed for another reason. */
export function issuesFromError(error: unknown): DefinitionIssue[] | null {
  if (!(error instanceof TRPCClientError)) return null;
  const details = (error.data as { details?: { issues?: unknown } } | undefined)?.details;
  if (!Array.isArray(details?.issues)) return null;
  const issues = details.issues.filter(isIssue);
  return issues.length ? issues : null;
}

/** Issues per step id ("" for the workflow as a whole), in the order they were found. */
export function issuesByStep(issues: readonly DefinitionIssue[]): Map<string, DefinitionIssue[]> {
  const groups = new Map<string, DefinitionIssue[]>();
  for (const issue of issues) {
    const key = issue.stepId ?? "";
    groups.set(key, [...(groups.get(key) ?? []), issue]);
  }
  return groups;
}

/** "a-b_c" from any name, for a workflow slug. */
export function slugify(text: string): string {
  return text
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 48)
    .replace(/-+$/g, "");
}
