"use client";
import { useState, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { Scope } from "@/server/shared/rbac";
import { useTRPC } from "@/components/providers/trpc";
import { useTeam } from "@/components/shell/shell-context";
import { toFormError, type FormError } from "@/components/lib/api-error";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { TextField } from "@/components/ui/field";
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

  function submit(event: FormEvent) {
    event.preventDefault();
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
    <form id="create-api-key" className="stack" onSubmit={submit}>
      {error && <Alert>{error.message}</Alert>}
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
      <div className="form-actions">
        <Button type="submit" variant="primary" pending={create.isPending}>
          Create key
        </Button>
      </div>
    </form>
  );
}

export function CreateApiKeyDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const team = useTeam();
  const [key, setKey] = useState<string | null>(null);
  const close = () => {
    setKey(null);
    onClose();
  };

  return (
    <Dialog
      open={open}
      onClose={close}
      size="lg"
      title={key ? "Your new API key" : "Create API key"}
      description={key ? undefined : `The key acts as you in ${team.name}, with at most the scopes you choose (never more than your role has).`}
      footer={
        key ? (
          <Button variant="primary" onClick={close}>
            Done
          </Button>
        ) : undefined
      }
    >
      {key ? (
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
      ) : (
        <CreateKeyForm onCreated={setKey} />
      )}
    </Dialog>
  );
}
