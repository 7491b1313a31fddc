"use client";
import type { ComponentPropsWithoutRef, FormEvent, ReactNode } from "react";
import { Alert } from "./alert";
import { Button } from "./button";

/**
 * A form laid out the way every form in the app is: the error summary first (an Alert with
 * role="alert", so it is announced), then the fields, then the primary submit button.
 * `onSubmit` runs in place of the browser's own submission.
 */
export function Form({
  error,
  onSubmit,
  submitLabel,
  pending,
  submitDisabled,
  children,
  ...form
}: Omit<ComponentPropsWithoutRef<"form">, "onSubmit" | "className"> & {
  error: string | null | undefined;
  onSubmit: () => void;
  submitLabel: ReactNode;
  pending: boolean;
  submitDisabled?: boolean;
  children: ReactNode;
}) {
  function submit(event: FormEvent) {
    event.preventDefault();
    onSubmit();
  }

  return (
    <form className="stack" onSubmit={submit} {...form}>
      {error && <Alert>{error}</Alert>}
      {children}
      <div className="form-actions">
        <Button type="submit" variant="primary" pending={pending} disabled={submitDisabled}>
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}
