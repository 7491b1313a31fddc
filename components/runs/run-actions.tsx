"use client";
// What may be done to a whole run, by scope and state: pause or resume it (workflows:run)
// and cancel it (runs:cancel, after a confirmation).
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { RunDto } from "@/server/shared/runs";
import { useTRPC } from "@/components/providers/trpc";
import { useCan, useTeam } from "@/components/shell/shell-context";
import { errorMessage } from "@/components/lib/api-error";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Icon } from "@/components/ui/icons";
import { isFinishedRun } from "./run-model";

export function RunActions({ run }: { run: RunDto }) {
  const trpc = useTRPC();
  const team = useTeam();
  const queryClient = useQueryClient();
  const canRun = useCan("workflows:run");
  const canCancel = useCan("runs:cancel");
  const [confirming, setConfirming] = useState(false);
  const target = { teamId: team.id, runId: run.id };
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.runs.pathKey() });
  const cancel = useMutation(trpc.runs.cancel.mutationOptions({ onSuccess: async () => (await refresh(), setConfirming(false)) }));
  const pause = useMutation(trpc.runs.pause.mutationOptions({ onSuccess: refresh }));
  const resume = useMutation(trpc.runs.resume.mutationOptions({ onSuccess: refresh }));
  if (isFinishedRun(run.status)) return null;
  const failure = pause.error ?? resume.error;
  return (
    <div className="stack" style={{ gap: 6, alignItems: "flex-end" }}>
      <div className="row">
        {canRun && run.status !== "PAUSED" && (
          <Button onClick={() => pause.mutate(target)} pending={pause.isPending}>
            Pause
          </Button>
        )}
        {canRun && run.status === "PAUSED" && (
          <Button variant="primary" onClick={() => resume.mutate(target)} pending={resume.isPending}>
            <Icon name="runs" />
            Resume
          </Button>
        )}
        {canCancel && (
          <Button variant="danger" onClick={() => setConfirming(true)}>
            <Icon name="stop" />
            Cancel run
          </Button>
        )}
      </div>
      {failure && <Alert>{errorMessage(failure)}</Alert>}
      <ConfirmDialog
        open={confirming}
        title="Cancel this run?"
        confirmLabel="Cancel run"
        pending={cancel.isPending}
        error={cancel.error ? errorMessage(cancel.error) : null}
        onConfirm={() => cancel.mutate(target)}
        onClose={() => {
          cancel.reset();
          setConfirming(false);
        }}
      >
        Running steps are stopped and no new step starts. Steps that finished keep their results. A cancelled run can be retried from a step later.
      </ConfirmDialog>
    </div>
  );
}
