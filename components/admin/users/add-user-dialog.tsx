"use client";
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ROLES, ROLE_DESCRIPTIONS, ROLE_LABELS, type Role } from "@/server/shared/rbac";
import { useTRPC } from "@/components/providers/trpc";
import { useTeam } from "@/components/shell/shell-context";
import { toFormError, type FormError } from "@/components/lib/api-error";
import { Alert } from "@/components/ui/alert";
import { ResultDialog } from "@/components/ui/dialog";
import { SelectField, TextField } from "@/components/ui/field";
import { Form } from "@/components/ui/form";
import { SecretReveal } from "@/components/ui/secret-reveal";

interface Outcome {
  email: string;
  role: Role;
  created: boolean;
  temporaryPassword: string | null;
}

function AddUserForm({ onDone }: { onDone: (outcome: Outcome) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const team = useTeam();
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<FormError | null>(null);
  const create = useMutation(
    trpc.users.create.mutationOptions({
      onSuccess: async (result) => {
        await queryClient.invalidateQueries({ queryKey: trpc.users.list.pathKey() });
        onDone({ email: result.member.email, role: result.member.role, created: result.created, temporaryPassword: result.temporaryPassword });
      },
      onError: (e) => setError(toFormError(e, { email: "E-mail", name: "Name", password: "Password" })),
    }),
  );

  function submit() {
    setError(null);
    create.mutate({ teamId: team.id, email: email.trim(), name: name.trim() || undefined, role, password: password || undefined });
  }

  return (
    <Form id="add-user" onSubmit={submit} error={error?.message} submitLabel="Create user" pending={create.isPending}>
      <TextField
        label="E-mail"
        type="email"
        required
        autoComplete="off"
        autoFocus
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        error={error?.fields.email}
        hint="If this person already has a Maestro account, they are added to the team with it."
      />
      <TextField label="Full name (optional)" autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} error={error?.fields.name} />
      <SelectField label="Role" value={role} onChange={(e) => setRole(e.target.value as Role)} hint={ROLE_DESCRIPTIONS[role]}>
        {ROLES.map((r) => (
          <option key={r} value={r}>
            {ROLE_LABELS[r]}
          </option>
        ))}
      </SelectField>
      <TextField
        label="Initial password (optional)"
        type="password"
        autoComplete="new-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={error?.fields.password}
        hint="Leave empty to generate a temporary one, shown once, which must be changed at first sign-in."
      />
    </Form>
  );
}

function OutcomeView({ outcome, teamName }: { outcome: Outcome; teamName: string }) {
  const role = ROLE_LABELS[outcome.role];
  if (!outcome.created) {
    return (
      <Alert tone="success" title="Added to the team">
        {outcome.email} already had a Maestro account and is now {role.toLowerCase()} in {teamName}. They sign in with their existing
        password.
      </Alert>
    );
  }
  if (!outcome.temporaryPassword) {
    return (
      <Alert tone="success" title="User created">
        {outcome.email} can now sign in as {role.toLowerCase()} of {teamName} with the password you set.
      </Alert>
    );
  }
  return (
    <div className="stack">
      <p className="muted">
        <strong style={{ color: "var(--text)" }}>{outcome.email}</strong> was created as {role.toLowerCase()} of {teamName}. Give them
        this temporary password through a channel you trust; they will choose their own when they first sign in.
      </p>
      <SecretReveal
        value={outcome.temporaryPassword}
        testId="generated-password"
        warning="This password is not stored anywhere you can read it again. If it gets lost, reset the password from the users list."
      />
    </div>
  );
}

export function AddUserDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const team = useTeam();
  return (
    <ResultDialog<Outcome>
      open={open}
      onClose={onClose}
      title="Add user"
      description={`Invite someone to ${team.name}.`}
      resultTitle="User added"
      renderForm={(onDone) => <AddUserForm onDone={onDone} />}
      renderResult={(outcome) => <OutcomeView outcome={outcome} teamName={team.name} />}
    />
  );
}
