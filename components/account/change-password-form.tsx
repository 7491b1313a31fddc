"use client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "@/components/providers/trpc";
import { toFormError, type FormError } from "@/components/lib/api-error";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";

const EMPTY = { currentPassword: "", newPassword: "", confirm: "" };

export function ChangePasswordForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const [values, setValues] = useState(EMPTY);
  const [error, setError] = useState<FormError | null>(null);
  const change = useMutation(
    trpc.account.changePassword.mutationOptions({
      onSuccess: () => {
        setValues(EMPTY);
        // The temporary-password banner comes from the server render.
        router.refresh();
      },
      onError: (e) => {
        const formError = toFormError(e, { currentPassword: "Current password", newPassword: "New password" });
        // The password policy names its field "password"; here that is the new one.
        if (formError.fields.password !== undefined) formError.fields.newPassword = formError.fields.password;
        setError(formError);
      },
    }),
  );

  const set = (field: keyof typeof EMPTY) => (e: { target: { value: string } }) => setValues((v) => ({ ...v, [field]: e.target.value }));

  function submit(event: FormEvent) {
    event.preventDefault();
    change.reset();
    if (values.newPassword !== values.confirm) {
      setError({ message: "The new passwords do not match.", fields: { confirm: "Type the same new password twice" } });
      return;
    }
    setError(null);
    change.mutate({ currentPassword: values.currentPassword, newPassword: values.newPassword });
  }

  return (
    <form className="stack" style={{ maxWidth: 720 }} onSubmit={submit} aria-label="Change password">
      {error && <Alert>{error.message}</Alert>}
      {change.isSuccess && (
        <Alert tone="success" title="Password changed">
          Your other sessions were signed out; this one stays signed in.
        </Alert>
      )}
      <input type="text" name="username" autoComplete="username" hidden readOnly />
      <TextField
        label="Current password"
        type="password"
        autoComplete="current-password"
        required
        value={values.currentPassword}
        onChange={set("currentPassword")}
        error={error?.fields.currentPassword}
      />
      <div className="form-grid">
        <TextField
          label="New password"
          type="password"
          autoComplete="new-password"
          required
          value={values.newPassword}
          onChange={set("newPassword")}
          error={error?.fields.newPassword}
          hint="A long passphrase is best. Common passwords and ones containing your e-mail name are refused."
        />
        <TextField
          label="Confirm new password"
          type="password"
          autoComplete="new-password"
          required
          value={values.confirm}
          onChange={set("confirm")}
          error={error?.fields.confirm}
        />
      </div>
      <div className="form-actions">
        <Button type="submit" variant="primary" pending={change.isPending}>
          Change password
        </Button>
      </div>
    </form>
  );
}
