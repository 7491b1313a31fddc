"use client";
// Saves the draft as a new version with a note; a refused definition lists its issues.
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { WorkflowDto } from "@/server/shared/runs";
import type { DefinitionIssue, WorkflowDefinition } from "@/server/shared/workflow-definition";
import { useTRPC } from "@/components/providers/trpc";
import { useTeam } from "@/components/shell/shell-context";
import { toFormError } from "@/components/lib/api-error";
import { Alert } from "@/components/ui/alert";
import { Dialog } from "@/components/ui/dialog";
import { TextAreaField } from "@/components/ui/field";
import { Form } from "@/components/ui/form";
import { issuesFromError } from "../issues";
import { IssuesList } from "../issues-list";

function SaveForm({ workflow, draft, onSaved, onIssues }: { workflow: WorkflowDto; draft: WorkflowDefinition; onSaved: (saved: WorkflowDto) => void; onIssues: (issues: DefinitionIssue[]) => void }) {
  const trpc = useTRPC();
  const team = useTeam();
  const queryClient = useQueryClient();
  const [note, setNote] = useState("");
  const [issues, setIssues] = useState<DefinitionIssue[] | null>(null);
  const save = useMutation(
    trpc.workflows.save.mutationOptions({
      onSuccess: (saved) => {
        queryClient.setQueryData(trpc.workflows.get.queryKey({ teamId: team.id, workflowId: workflow.id }), saved);
        void queryClient.invalidateQueries({ queryKey: trpc.workflows.list.pathKey() });
        onSaved(saved);
      },
      onError: (error) => {
        const found = issuesFromError(error);
        setIssues(found);
        if (found) onIssues(found);
      },
    }),
  );
  return (
    <Form
      onSubmit={() => save.mutate({ teamId: team.id, workflowId: workflow.id, definition: draft, note: note.trim() })}
      error={save.error && !issues ? toFormError(save.error).message : null}
      submitLabel={`Save as version ${workflow.latestVersion + 1}`}
      pending={save.isPending}
    >
      <TextAreaField label="What changed (optional)" rows={3} maxLength={500} value={note} onChange={(e) => setNote(e.target.value)} hint="Shown in the version history." autoFocus />
      {issues && (
        <Alert title="The definition has issues; nothing was saved">
          <IssuesList issues={issues} />
        </Alert>
      )}
    </Form>
  );
}

export function SaveDialog({
  open,
  workflow,
  draft,
  onClose,
  onSaved,
  onIssues,
}: {
  open: boolean;
  workflow: WorkflowDto;
  draft: WorkflowDefinition;
  onClose: () => void;
  onSaved: (saved: WorkflowDto) => void;
  onIssues: (issues: DefinitionIssue[]) => void;
}) {
  return (
    <Dialog open={open} onClose={onClose} title="Save a new version" description={`Runs started from now on use it; runs already started keep version ${workflow.latestVersion}.`}>
      <SaveForm workflow={workflow} draft={draft} onSaved={onSaved} onIssues={onIssues} />
    </Dialog>
  );
}
