"use client";
// Validates the draft as the server would, shortly after each change (and at once on
// request), so the canvas marks faulty steps while one edits.
import { useEffect, useMemo, useState } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { DefinitionIssue, WorkflowDefinition } from "@/server/shared/workflow-definition";
import { useTRPCClient } from "@/components/providers/trpc";
import { useTeam } from "@/components/shell/shell-context";
import { issuesByStep } from "../issues";

const SETTLE_MS = 600;

/** Issues without a step id but with a `steps.<n>` path name that step. */
export function attributeIssues(issues: readonly DefinitionIssue[], definition: Pick<WorkflowDefinition, "steps">): DefinitionIssue[] {
  return issues.map((issue) => {
    if (issue.stepId || issue.path?.[0] !== "steps" || typeof issue.path[1] !== "number") return issue;
    const step = definition.steps[issue.path[1]];
    return step ? { ...issue, stepId: step.id } : issue;
  });
}

export function useDraftValidation(draft: WorkflowDefinition) {
  const client = useTRPCClient();
  const team = useTeam();
  const [checked, setChecked] = useState(draft);
  useEffect(() => {
    const timer = setTimeout(() => setChecked(draft), SETTLE_MS);
    return () => clearTimeout(timer);
  }, [draft]);
  // `validate` changes nothing; it is a mutation so that large drafts travel in the body.
  const query = useQuery({
    queryKey: ["workflows.validate", team.id, checked],
    queryFn: () => client.workflows.validate.mutate({ teamId: team.id, definition: checked }),
    placeholderData: keepPreviousData,
    staleTime: Number.POSITIVE_INFINITY,
  });
  const issues = useMemo(() => attributeIssues(query.data?.issues ?? [], checked), [query.data, checked]);
  const byStep = useMemo(() => issuesByStep(issues), [issues]);
  return {
    issues,
    byStep,
    /** True while the shown result is not for the current draft yet. */
    pending: checked !== draft || query.isFetching,
    error: query.error,
    validateNow: async () => {
      setChecked(draft);
      await query.refetch();
    },
  };
}
