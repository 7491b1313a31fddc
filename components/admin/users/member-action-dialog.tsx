"use client";
// Confirms the disruptive member actions and shows their outcome (a reset password is shown once).
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { TeamMemberDto } from "@/server/shared/dto";
import { useTRPC } from "@/components/providers/trpc";
import { useTeam } from "@/components/shell/shell-context";
import { errorMessage } from "@/components/lib/api-error";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Dialog } from "@/components/ui/dialog";
import { SecretReveal } from "@/components/ui/secret-reveal";

export type MemberAction = { kind: "deactivate" | "remove" | "reset"; member: TeamMemberDto };

const COPY = {
  deactivate: {
    title: "Deactivate this account?",
    confirm: "Deactivate",
    body: "They are signed out everywhere and cannot sign in or use their API keys until reactivated. This affects every team they are in.",
  },
  remove: {
    title: "Remove from the team?",
    confirm: "Remove from team",
    body: "They lose access to this team and its API keys stop working here. Their account and other teams are not touched.",
  },
  reset: {
    title: "Reset password?",
    confirm: "Reset password",
    body: "A new temporary password replaces theirs, all of their sessions end, and they must choose a new password at next sign-in.",
  },
} as const;

export function MemberActionDialog({ action, isSelf, onClose }: { action: MemberAction | null; isSelf: boolean; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const team = useTeam();
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.users.list.pathKey() });
  const options = { onSuccess: refresh };
  const deactivate = useMutation(trpc.users.setActive.mutationOptions(options));
  const remove = useMutation(trpc.users.remove.mutationOptions(options));
  const reset = useMutation(trpc.users.resetPassword.mutationOptions(options));
  const mutation = action ? { deactivate, remove, reset }[action.kind] : null;

  const close = () => {
    deactivate.reset();
    remove.reset();
    reset.reset();
    onClose();
  };

  if (action?.kind === "reset" && reset.data) {
    return (
      <Dialog
        open
        onClose={close}
        title="Temporary password"
        footer={
          <Button variant="primary" onClick={close}>
            Done
          </Button>
        }
      >
        <div className="stack">
          <p className="muted">
            Give this to <strong style={{ color: "var(--text)" }}>{action.member.email}</strong> through a channel you trust. They will be
            asked to replace it when they sign in.
          </p>
          <SecretReveal value={reset.data.temporaryPassword} testId="generated-password" warning="It cannot be shown again. If it gets lost, reset the password once more." />
        </div>
      </Dialog>
    );
  }

  const copy = action ? COPY[action.kind] : COPY.remove;
  const confirm = () => {
    if (!action) return;
    const target = { teamId: team.id, userId: action.member.id };
    if (action.kind === "deactivate") deactivate.mutate({ ...target, isActive: false }, { onSuccess: close });
    if (action.kind === "remove") remove.mutate(target, { onSuccess: close });
    if (action.kind === "reset") reset.mutate(target);
  };

  return (
    <ConfirmDialog
      open={action !== null}
      title={copy.title}
      confirmLabel={copy.confirm}
      pending={mutation?.isPending}
      error={mutation?.error ? errorMessage(mutation.error) : null}
      onConfirm={confirm}
      onClose={close}
    >
      <p>
        <strong>{action?.member.name ?? action?.member.email}</strong>
        {action?.member.name ? ` (${action.member.email})` : ""}: {copy.body}
      </p>
      {isSelf && action?.kind === "remove" && <p style={{ marginTop: 8 }}>This is you: you will lose access to {team.name} yourself.</p>}
    </ConfirmDialog>
  );
}
