"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { TeamDto } from "@/server/shared/dto";
import { useTRPC } from "@/components/providers/trpc";
import { toFormError, type FormError } from "@/components/lib/api-error";
import { Dialog } from "@/components/ui/dialog";
import { TextField } from "@/components/ui/field";
import { Form } from "@/components/ui/form";
import { suggestSlug } from "./slug";

/** After a team changes, the server-rendered switcher and shell need the new names; then `onDone`. */
function useTeamsChanged(onDone: () => void) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  return async () => {
    await queryClient.invalidateQueries({ queryKey: trpc.teams.list.queryKey() });
    router.refresh();
    onDone();
  };
}

function CreateTeamForm({ onDone }: { onDone: () => void }) {
  const trpc = useTRPC();
  const afterSave = useTeamsChanged(onDone);
  const [name, setName] = useState("");
  const [slug, setSlug] = useState("");
  const [slugEdited, setSlugEdited] = useState(false);
  const [error, setError] = useState<FormError | null>(null);
  const create = useMutation(
    trpc.teams.create.mutationOptions({
      onSuccess: afterSave,
      onError: (e) => setError(toFormError(e, { name: "Team name", slug: "Slug" })),
    }),
  );
  const shownSlug = slugEdited ? slug : suggestSlug(name);

  function submit() {
    setError(null);
    create.mutate({ name: name.trim(), slug: shownSlug });
  }

  return (
    <Form onSubmit={submit} error={error?.message} submitLabel="Create team" pending={create.isPending}>
      <TextField label="Team name" required maxLength={120} autoFocus value={name} onChange={(e) => setName(e.target.value)} error={error?.fields.name} />
      <TextField
        label="Slug"
        required
        minLength={2}
        maxLength={48}
        pattern="[a-z0-9]+(-[a-z0-9]+)*"
        value={shownSlug}
        onChange={(e) => {
          setSlugEdited(true);
          setSlug(e.target.value);
        }}
        error={error?.fields.slug}
        hint="Lower-case letters, digits and single dashes. Used in URLs and the CLI (--team); it cannot be changed later."
      />
      <p className="faint" style={{ fontSize: 12.5 }}>
        You become the new team&apos;s first admin.
      </p>
    </Form>
  );
}

export function CreateTeamDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Dialog open={open} onClose={onClose} title="Create team" description="A team has its own members, roles, API keys and audit log.">
      <CreateTeamForm onDone={onClose} />
    </Dialog>
  );
}

function RenameTeamForm({ team, onDone }: { team: TeamDto; onDone: () => void }) {
  const trpc = useTRPC();
  const afterSave = useTeamsChanged(onDone);
  const [name, setName] = useState(team.name);
  const [error, setError] = useState<FormError | null>(null);
  const rename = useMutation(
    trpc.teams.rename.mutationOptions({
      onSuccess: afterSave,
      onError: (e) => setError(toFormError(e, { name: "Team name" })),
    }),
  );

  function submit() {
    setError(null);
    rename.mutate({ teamId: team.id, name: name.trim() });
  }

  return (
    <Form
      onSubmit={submit}
      error={error?.message}
      submitLabel="Rename"
      pending={rename.isPending}
      submitDisabled={!name.trim() || name.trim() === team.name}
    >
      <TextField label="Team name" required maxLength={120} autoFocus value={name} onChange={(e) => setName(e.target.value)} error={error?.fields.name} />
      <p className="faint" style={{ fontSize: 12.5 }}>
        The slug <code>{team.slug}</code> stays the same.
      </p>
    </Form>
  );
}

export function RenameTeamDialog({ team, onClose }: { team: TeamDto | null; onClose: () => void }) {
  return (
    <Dialog open={team !== null} onClose={onClose} title="Rename team" size="sm">
      {team && <RenameTeamForm team={team} onDone={onClose} />}
    </Dialog>
  );
}
