"use client";
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { Scope } from "@/server/shared/rbac";
import { useTRPC } from "@/components/providers/trpc";
import { useTeam } from "@/components/shell/shell-context";
import { toFormError, type FormError } from "@/components/lib/api-error";
import { ResultDialog } from "@/components/ui/dialog";
import { TextField } from "@/components/ui/field";
import { Form } from "@/components/ui/form";
import { SecretReveal } from "@/components/ui/secret-reveal";
import { ScopePicker } from "./scope-picker";

function usageSnippet(key: string) {
  const origin = typeof window === "undefined" ? "https://maestro.example.com" : window.location.origin;
  return `curl ${origin}/api/trpc/account.me \\\n  -H "Authorization: Bearer ${key}"`;
}

function CreateKeyForm({ onCreated }: { onCreated: (key: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const team = useTeam();
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<Scope[]>(() => team.scopes.filter((s) => s.endsWith(":read")));
  const [expiresInDays, setExpiresInDays] = useState("");
  const [error, setError] = useState<FormError | null>(null);
  const create = useMutation(
    trpc.apiKeys.create.mutationOptions({
      onSuccess: async (result) => {
        await queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey({ teamId: team.id }) });
        onCreated(result.key);
      },
      onError: (e) => setError(toFormError(e, { name: "Name", scopes: "Scopes", expiresInDays: "Expiry" })),
    }),
  );

  function submit() {
    const days = expiresInDays.trim() ? Number(expiresInDays) : undefined;
    if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 3650)) {
      setError({ message: "Expiry must be a whole number of days between 1 and 3650.", fields: { expiresInDays: "Between 1 and 3650 days" } });
      return;
    }
    if (!scopes.length) {
      setError({ message: "Choose at least one scope.", fields: { scopes: "Choose at least one scope" } });
      return;
    }
    setError(null);
    create.mutate({ teamId: team.id, name: name.trim(), scopes, expiresInDays: days });
  }

  return (
    <Form id="create-api-key" onSubmit={submit} error={error?.message} submitLabel="Create key" pending={create.isPending}>
      <TextField
        label="Name"
        required
        maxLength={120}
        placeholder="e.g. CI pipeline"
        hint="So you recognise the key later."
        value={name}
        onChange={(e) => setName(e.target.value)}
        error={error?.fields.name}
        autoFocus
      />
      <ScopePicker available={team.scopes} value={scopes} onChange={setScopes} error={error?.fields.scopes} />
      <TextField
        label="Expires after (days)"
        type="number"
        inputMode="numeric"
        min={1}
        max={3650}
        placeholder="Never"
        hint="Leave empty for a key that does not expire."
        value={expiresInDays}
        onChange={(e) => setExpiresInDays(e.target.value)}
        error={error?.fields.expiresInDays}
      />
    </Form>
  );
}

export function CreateApiKeyDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const team = useTeam();
  return (
    <ResultDialog<string>
      open={open}
      onClose={onClose}
      size="lg"
      title="Create API key"
      description={`The key acts as you in ${team.name}, with at most the scopes you choose (never more than your role has).`}
      resultTitle="Your new API key"
      renderForm={(onCreated) => <CreateKeyForm onCreated={onCreated} />}
      renderResult={(key) => (
        <div className="stack">
          <SecretReveal
            value={key}
            testId="new-api-key"
            warning="Copy this key now. Maestro stores only a hash of it, so it cannot be shown again; if you lose it, revoke it and create another."
          />
          <div className="stack" style={{ gap: 6 }}>
            <p className="field-label">Use it as a Bearer token</p>
            <pre className="code-block">{usageSnippet(key)}</pre>
          </div>
        </div>
      )}
    />
  );
}
