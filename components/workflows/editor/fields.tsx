"use client";
// Small form controls of the step and settings panels: JSON values, code, numbers that
// may be left empty, and lists of step ids.
import { useId, useState, type KeyboardEvent } from "react";
import { Icon } from "@/components/ui/icons";
import { TextAreaField, TextField } from "@/components/ui/field";
import styles from "./editor.module.css";

const json = (value: unknown) => (value === undefined ? "" : JSON.stringify(value, null, 2));

export type JsonExpectation = "object" | "array" | "any";

function expectationProblem(value: unknown, expect: JsonExpectation): string | null {
  if (expect === "object" && (value === null || typeof value !== "object" || Array.isArray(value))) return "must be a JSON object ({ … })";
  if (expect === "array" && !Array.isArray(value)) return "must be a JSON array ([ … ])";
  return null;
}

/**
 * A JSON value edited as text: every change that parses is passed on, one that does not
 * stays in the box with the parser's message. Empty text means "not set".
 */
export function JsonField({
  label,
  value,
  onChange,
  hint,
  rows = 4,
  expect = "any",
  disabled,
}: {
  label: string;
  value: unknown;
  onChange: (value: unknown) => void;
  hint?: string;
  rows?: number;
  expect?: JsonExpectation;
  disabled?: boolean;
}) {
  const [text, setText] = useState(() => json(value));
  const [committed, setCommitted] = useState(() => json(value));
  const [error, setError] = useState<string | undefined>();
  // A change from elsewhere (the YAML view, a rename) replaces the text.
  if (json(value) !== committed) {
    setCommitted(json(value));
    setText(json(value));
    setError(undefined);
  }
  function change(next: string) {
    setText(next);
    if (next.trim() === "") {
      setError(undefined);
      setCommitted("");
      onChange(undefined);
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(next);
    } catch (e) {
      setError(`Not valid JSON yet: ${e instanceof Error ? e.message : "parse error"}`);
      return;
    }
    const problem = expectationProblem(parsed, expect);
    if (problem) return setError(`${label} ${problem}.`);
    setError(undefined);
    setCommitted(json(parsed));
    onChange(parsed);
  }
  return (
    <TextAreaField
      label={label}
      hint={hint}
      error={error}
      rows={rows}
      value={text}
      onChange={(e) => change(e.target.value)}
      className={styles.mono}
      spellCheck={false}
      disabled={disabled}
    />
  );
}

/** A monospace editor for JavaScript: Tab indents instead of leaving the box (Escape, then Tab, leaves). */
export function CodeField({ label, value, onChange, hint, rows = 10, disabled }: { label: string; value: string; onChange: (value: string) => void; hint?: string; rows?: number; disabled?: boolean }) {
  const [trapTab, setTrapTab] = useState(true);
  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Escape") return setTrapTab(false);
    if (event.key !== "Tab" || !trapTab || event.shiftKey) return;
    event.preventDefault();
    const area = event.currentTarget;
    const { selectionStart, selectionEnd } = area;
    const next = `${value.slice(0, selectionStart)}  ${value.slice(selectionEnd)}`;
    onChange(next);
    requestAnimationFrame(() => area.setSelectionRange(selectionStart + 2, selectionStart + 2));
  }
  return (
    <TextAreaField
      label={label}
      hint={hint ?? "Tab indents; press Escape first to move on with Tab."}
      rows={rows}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      onKeyDown={onKeyDown}
      onFocus={() => setTrapTab(true)}
      className={`${styles.mono} ${styles.code}`}
      spellCheck={false}
      disabled={disabled}
    />
  );
}

/** A whole number that may be left empty (undefined: the default applies). */
export function OptionalNumberField({
  label,
  value,
  onChange,
  hint,
  min,
  max,
  step,
  disabled,
}: {
  label: string;
  value: number | undefined;
  onChange: (value: number | undefined) => void;
  hint?: string;
  min?: number;
  max?: number;
  step?: number;
  disabled?: boolean;
}) {
  const [text, setText] = useState(value === undefined ? "" : String(value));
  const [committed, setCommitted] = useState(value);
  if (value !== committed) {
    setCommitted(value);
    setText(value === undefined ? "" : String(value));
  }
  const number = Number(text);
  const invalid = text.trim() !== "" && (!Number.isFinite(number) || (min !== undefined && number < min) || (max !== undefined && number > max));
  return (
    <TextField
      label={label}
      hint={hint}
      type="number"
      inputMode="decimal"
      min={min}
      max={max}
      step={step}
      value={text}
      disabled={disabled}
      error={invalid ? `${label} must be a number${min !== undefined && max !== undefined ? ` from ${min} to ${max}` : ""}.` : undefined}
      onChange={(e) => {
        const next = e.target.value;
        setText(next);
        const n = Number(next);
        if (next.trim() === "") {
          setCommitted(undefined);
          onChange(undefined);
        } else if (Number.isFinite(n) && (min === undefined || n >= min) && (max === undefined || n <= max)) {
          setCommitted(n);
          onChange(n);
        }
      }}
    />
  );
}

/** Step ids as removable chips, plus a picker to add one of `options`. */
export function StepListField({
  label,
  value,
  options,
  onChange,
  hint,
  disabled,
}: {
  label: string;
  value: readonly string[];
  options: readonly string[];
  onChange: (value: string[]) => void;
  hint?: string;
  disabled?: boolean;
}) {
  const id = useId();
  const addable = options.filter((o) => !value.includes(o));
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      {value.length > 0 && (
        <ul className={styles.chips} aria-label={label}>
          {value.map((stepId) => (
            <li key={stepId} className={styles.chip}>
              <code>{stepId}</code>
              {!disabled && (
                <button type="button" aria-label={`Remove ${stepId} from ${label.toLowerCase()}`} onClick={() => onChange(value.filter((v) => v !== stepId))}>
                  <Icon name="close" size={12} />
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <select
        id={id}
        className="input select input-sm"
        value=""
        disabled={disabled || addable.length === 0}
        onChange={(e) => e.target.value && onChange([...value, e.target.value])}
      >
        <option value="">{addable.length ? "Add a step…" : value.length ? "Every other step is listed" : "No other steps yet"}</option>
        {addable.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
      {hint && <p className="field-hint">{hint}</p>}
    </div>
  );
}
