"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "@/components/providers/trpc";
import { toFormError, type FormError } from "@/components/lib/api-error";
import { Alert } from "@/components/ui/alert";
import { TextField } from "@/components/ui/field";
import { Form } from "@/components/ui/form";

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

  // The props every password box here shares: required, bound to its value, showing its error.
  const passwordProps = (field: keyof typeof EMPTY) => ({
    type: "password",
    required: true,
    value: values[field],
    onChange: (e: { target: { value: string } }) => setValues((v) => ({ ...v, [field]: e.target.value })),
    error: error?.fields[field],
  });

  function submit() {
    change.reset();
    if (values.newPassword !== values.confirm) {
      setError({ message: "The new passwords do not match.", fields: { confirm: "Type the same new password twice" } });
      return;
    }
    setError(null);
    change.mutate({ currentPassword: values.currentPassword, newPassword: values.newPassword });
  }

  return (
    <Form
      style={{ maxWidth: 720 }}
      aria-label="Change password"
      onSubmit={submit}
      error={error?.message}
      submitLabel="Change password"
      pending={change.isPending}
    >
      {change.isSuccess && (
        <Alert tone="success" title="Password changed">
          Your other sessions were signed out; this one stays signed in.
        </Alert>
      )}
      <input type="text" name="username" autoComplete="username" hidden readOnly />
      <TextField label="Current password" autoComplete="current-password" {...passwordProps("currentPassword")} />
      <div className="form-grid">
        <TextField
          label="New password"
          autoComplete="new-password"
          hint="A long passphrase is best. Common passwords and ones containing your e-mail name are refused."
          {...passwordProps("newPassword")}
        />
        <TextField label="Confirm new password" autoComplete="new-password" {...passwordProps("confirm")} />
      </div>
    </Form>
  );
}
