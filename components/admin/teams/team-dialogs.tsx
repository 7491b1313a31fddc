"use client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { TeamDto } from "@/server/shared/dto";
import { useTRPC } from "@/components/providers/trpc";
import { toFormError, type FormError } from "@/components/lib/api-error";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { TextField } from "@/components/ui/field";
import { suggestSlug } from "./slug";

/** After a team changes, the server-rendered switcher and shell need the new names. */
function useTeamsChanged() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  return async () => {
    await queryClient.invalidateQueries({ queryKey: trpc.teams.list.queryKey() });
    router.refresh();
  };
}

function CreateTeamForm({ onDone }: { onDone: () => void }) {
  const trpc = useTRPC();
  const changed = useTeamsChanged();
  const [name, setName] = useState("");
  const [slug, setSlug] = useState("");
  const [slugEdited, setSlugEdited] = useState(false);
  const [error, setError] = useState<FormError | null>(null);
  const create = useMutation(
    trpc.teams.create.mutationOptions({
      onSuccess: async () => {
        await changed();
        onDone();
      },
      onError: (e) => setError(toFormError(e, { name: "Team name", slug: "Slug" })),
    }),
  );
  const shownSlug = slugEdited ? slug : suggestSlug(name);

  function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    create.mutate({ name: name.trim(), slug: shownSlug });
  }

  return (
    <form className="stack" onSubmit={submit}>
      {error && <Alert>{error.message}</Alert>}
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
      <div className="form-actions">
        <Button type="submit" variant="primary" pending={create.isPending}>
          Create team
        </Button>
      </div>
    </form>
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
  const changed = useTeamsChanged();
  const [name, setName] = useState(team.name);
  const [error, setError] = useState<FormError | null>(null);
  const rename = useMutation(
    trpc.teams.rename.mutationOptions({
      onSuccess: async () => {
        await changed();
        onDone();
      },
      onError: (e) => setError(toFormError(e, { name: "Team name" })),
    }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    rename.mutate({ teamId: team.id, name: name.trim() });
  }

  return (
    <form className="stack" onSubmit={submit}>
      {error && <Alert>{error.message}</Alert>}
      <TextField label="Team name" required maxLength={120} autoFocus value={name} onChange={(e) => setName(e.target.value)} error={error?.fields.name} />
      <p className="faint" style={{ fontSize: 12.5 }}>
        The slug <code>{team.slug}</code> stays the same.
      </p>
      <div className="form-actions">
        <Button type="submit" variant="primary" pending={rename.isPending} disabled={!name.trim() || name.trim() === team.name}>
          Rename
        </Button>
      </div>
    </form>
  );
}

export function RenameTeamDialog({ team, onClose }: { team: TeamDto | null; onClose: () => void }) {
  return (
    <Dialog open={team !== null} onClose={onClose} title="Rename team" size="sm">
      {team && <RenameTeamForm team={team} onDone={onClose} />}
    </Dialog>
  );
}
