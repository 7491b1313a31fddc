"use client";
import { useId, type ComponentPropsWithRef, type ReactNode } from "react";
import { cx } from "./cx";
import styles from "./field.module.css";

/** The class of a multi-line `.input` (for a textarea outside a TextAreaField). */
export const textareaInput = cx("input", styles.textarea);

interface FieldProps {
  label: string;
  hint?: ReactNode;
  /** Shown under the control; "" marks the control invalid without a message. */
  error?: string;
}

/** Label, control, hint and error wired together (for/id, aria-describedby, aria-invalid). */
function useFieldWiring(error?: string, hint?: ReactNode) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  return {
    frame: { id, hintId, errorId },
    control: {
      id,
      "aria-invalid": error !== undefined || undefined,
      "aria-describedby": [hintId, errorId].filter(Boolean).join(" ") || undefined,
    },
  };
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
  const { frame, control } = useFieldWiring(error, hint);
  return (
    <FieldFrame label={label} hint={hint} error={error} {...frame}>
      <input className={cx("input", className)} {...control} {...input} />
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
  const { frame, control } = useFieldWiring(error, hint);
  return (
    <FieldFrame label={label} hint={hint} error={error} {...frame}>
      <select className={cx("input select", className)} {...control} {...select}>
        {children}
      </select>
    </FieldFrame>
  );
}

export function TextAreaField({ label, hint, error, className, ...textarea }: FieldProps & ComponentPropsWithRef<"textarea">) {
  const { frame, control } = useFieldWiring(error, hint);
  return (
    <FieldFrame label={label} hint={hint} error={error} {...frame}>
      <textarea className={cx(textareaInput, className)} {...control} {...textarea} />
    </FieldFrame>
  );
}
