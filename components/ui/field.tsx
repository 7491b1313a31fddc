"use client";
import { useId, type ComponentPropsWithRef, type ReactNode } from "react";
import { cx } from "./cx";

interface FieldProps {
  label: string;
  hint?: ReactNode;
  /** Shown under the control; "" marks the control invalid without a message. */
  error?: string;
}

/** Label, control, hint and error wired together (for/id, aria-describedby, aria-invalid). */
function useFieldIds(error?: string, hint?: ReactNode) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return { id, hintId, errorId, describedBy };
}

function FieldFrame({ id, label, hint, hintId, error, errorId, children }: FieldProps & { id: string; hintId?: string; errorId?: string; children: ReactNode }) {
  return (
    <div className={cx("field", error !== undefined && "field-invalid")}>
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      {children}
      {hint && (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}

export function TextField({ label, hint, error, className, ...input }: FieldProps & ComponentPropsWithRef<"input">) {
  const ids = useFieldIds(error, hint);
  return (
    <FieldFrame label={label} hint={hint} error={error} {...ids}>
      <input
        id={ids.id}
        className={cx("input", className)}
        aria-invalid={error !== undefined || undefined}
        aria-describedby={ids.describedBy}
        {...input}
      />
    </FieldFrame>
  );
}

export function SelectField({
  label,
  hint,
  error,
  className,
  children,
  ...select
}: FieldProps & ComponentPropsWithRef<"select"> & { children: ReactNode }) {
  const ids = useFieldIds(error, hint);
  return (
    <FieldFrame label={label} hint={hint} error={error} {...ids}>
      <select
        id={ids.id}
        className={cx("input select", className)}
        aria-invalid={error !== undefined || undefined}
        aria-describedby={ids.describedBy}
        {...select}
      >
        {children}
      </select>
    </FieldFrame>
  );
}
