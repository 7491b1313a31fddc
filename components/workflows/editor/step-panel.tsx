"use client";
// The selected step's settings: what it does (fields of its kind), what it waits for,
// timeouts and retries, rollback, loop back and its output type.
import { useState, type ReactNode } from "react";
import type { DefinitionIssue, MapItemStep, RetryPolicy, StepDefinition, TypeSpec } from "@/server/shared/workflow-definition";
import { KIND_META } from "@/components/graph/kinds";
import { KindIcon } from "@/components/graph/kind-icon";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { SelectField, TextAreaField, TextField } from "@/components/ui/field";
import { Icon } from "@/components/ui/icons";
import { ApprovalFields, ConditionFields, ItemStepFields, MapFields, NestedStepFields } from "./kind-fields";
import { JsonField, OptionalNumberField, StepListField } from "./fields";
import styles from "./editor.module.css";

type Patch = Record<string, unknown>;

const DEFAULT_RETRY: RetryPolicy = { attempts: 3, backoff: "exponential", delayMs: 1000, maxDelayMs: 60_000 };

function Section({ title, children, open = false }: { title: string; children: ReactNode; open?: boolean }) {
  return (
    <details className={styles.section} open={open}>
      <summary>{title}</summary>
      <div className="stack">{children}</div>
    </details>
  );
}

/** The id, renamed on Enter or when leaving the box; a refused name keeps the box with the reason. */
function IdField({ id, onRename, disabled }: { id: string; onRename: (next: string) => string | null; disabled?: boolean }) {
  const [text, setText] = useState(id);
  const [error, setError] = useState<string | undefined>();
  const commit = () => {
    if (text === id) return setError(undefined);
    const problem = onRename(text.trim());
    setError(problem ?? undefined);
  };
  return (
    <TextField
      label="Id"
      value={text}
      onChange={(e) => setText(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => e.key === "Enter" && (e.preventDefault(), commit())}
      error={error}
      hint="Other steps refer to it as steps.<id>; renaming updates them."
      className="mono"
      spellCheck={false}
      disabled={disabled}
    />
  );
}

function RetryFields({ retry, onChange, disabled }: { retry: RetryPolicy | undefined; onChange: (retry: RetryPolicy | undefined) => void; disabled?: boolean }) {
  const value = retry ?? { ...DEFAULT_RETRY, attempts: 1 };
  const set = (p: Partial<RetryPolicy>) => {
    const next = { ...value, ...p };
    onChange(next.attempts <= 1 && !retry ? undefined : next);
  };
  return (
    <>
      <div className="form-grid">
        <OptionalNumberField label="Attempts" value={value.attempts} min={1} max={20} onChange={(v) => set({ attempts: v ?? 1 })} hint="Tries in all (1: no retry)." disabled={disabled} />
        <SelectField label="Backoff" value={value.backoff} onChange={(e) => set({ backoff: e.target.value as RetryPolicy["backoff"] })} disabled={disabled || value.attempts <= 1}>
          <option value="exponential">Exponential</option>
          <option value="fixed">Fixed</option>
        </SelectField>
      </div>
      <div className="form-grid">
        <OptionalNumberField label="First delay (ms)" value={value.delayMs} min={0} max={3_600_000} onChange={(v) => set({ delayMs: v ?? 1000 })} disabled={disabled || value.attempts <= 1} />
        <OptionalNumberField label="Longest delay (ms)" value={value.maxDelayMs} min={0} max={3_600_000} onChange={(v) => set({ maxDelayMs: v ?? 60_000 })} disabled={disabled || value.attempts <= 1} />
      </div>
    </>
  );
}

function KindSpecificFields({ step, patch, otherSteps, disabled }: { step: StepDefinition; patch: (p: Patch) => void; otherSteps: readonly string[]; disabled?: boolean }) {
  switch (step.kind) {
    case "condition":
      return <ConditionFields step={step} patch={patch} otherSteps={otherSteps} disabled={disabled} />;
    case "map":
      return <MapFields step={step} patch={patch} disabled={disabled} />;
    case "approval":
      return <ApprovalFields step={step} patch={patch} disabled={disabled} />;
    default: {
      // The other kinds carry exactly the fields their map-item form has, plus the common ones.
      const item = step as unknown as MapItemStep;
      return <ItemStepFields step={item} onChange={(next) => patch(next as unknown as Patch)} disabled={disabled} />;
    }
  }
}

export function StepPanel({
  step,
  stepIds,
  issues,
  readOnly,
  onChange,
  onRename,
  onDelete,
  onClose,
}: {
  step: StepDefinition;
  stepIds: readonly string[];
  issues: readonly DefinitionIssue[];
  readOnly: boolean;
  onChange: (step: StepDefinition) => void;
  /** Returns why the new id is refused, or null once renamed. */
  onRename: (next: string) => string | null;
  onDelete: () => void;
  onClose: () => void;
}) {
  const patch = (p: Patch) => onChange({ ...step, ...p } as StepDefinition);
  const otherSteps = stepIds.filter((id) => id !== step.id);
  const meta = KIND_META[step.kind];
  const compensable = step.kind !== "condition" && step.kind !== "map" && step.kind !== "approval";
  return (
    <div className={styles.panelBody} data-testid="step-panel">
      <header className={styles.panelHeader}>
        <span className={styles.panelKind} style={{ color: meta.color }}>
          <KindIcon kind={step.kind} />
        </span>
        <div className={styles.panelTitle}>
          <h2>{step.name || step.id}</h2>
          <p>
            {meta.label} step · {meta.description}
          </p>
        </div>
        <button type="button" className="icon-button" aria-label="Close the step panel" onClick={onClose}>
          <Icon name="close" />
        </button>
      </header>
      {issues.length > 0 && (
        <Alert title={issues.length === 1 ? "1 issue" : `${issues.length} issues`}>
          <ul className={styles.plainList}>
            {issues.map((issue, i) => (
              <li key={i}>{issue.message}</li>
            ))}
          </ul>
        </Alert>
      )}
      <fieldset className="fieldset stack" disabled={readOnly}>
        <IdField key={step.id} id={step.id} onRename={onRename} disabled={readOnly} />
        <TextField label="Name (optional)" value={step.name ?? ""} onChange={(e) => patch({ name: e.target.value || undefined })} maxLength={120} />
        <KindSpecificFields step={step} patch={patch} otherSteps={otherSteps} disabled={readOnly} />
        <StepListField
          label="Runs after"
          value={step.needs ?? []}
          options={otherSteps}
          onChange={(needs) => patch({ needs: needs.length ? needs : undefined })}
          hint="Beyond the steps its templates read. Dragging from one step's right edge to another's left edge adds one."
          disabled={readOnly}
        />
        <Section title="Timeout and retries">
          <OptionalNumberField label="Timeout (ms)" value={step.timeoutMs} min={10} max={86_400_000} onChange={(v) => patch({ timeoutMs: v })} hint="Empty: the engine's default." disabled={readOnly} />
          <RetryFields retry={step.retry} onChange={(retry) => patch({ retry })} disabled={readOnly} />
        </Section>
        {compensable && (
          <Section title="Compensation (rollback)">
            <p className="field-hint">Runs when a later step fails and the run rolls back, to undo what this step did. {"{{ steps.<this id>.output }}"} is its result.</p>
            <NestedStepFields label="Compensation step" step={(step as { compensate?: MapItemStep }).compensate} onChange={(compensate) => patch({ compensate })} allowNone disabled={readOnly} />
          </Section>
        )}
        <Section title="Loop back (revise)">
          <SelectField
            label="Send the run back to"
            value={step.revise?.from ?? ""}
            onChange={(e) => patch({ revise: e.target.value ? { from: e.target.value, if: step.revise?.if ?? "false", max: step.revise?.max ?? 2 } : undefined })}
            hint="After this step succeeds and the condition holds, that step and everything after it run again."
          >
            <option value="">Never</option>
            {otherSteps.map((id) => (
              <option key={id}>{id}</option>
            ))}
          </SelectField>
          {step.revise && (
            <>
              <TextField label="When" value={step.revise.if} className="mono" spellCheck={false} onChange={(e) => patch({ revise: { ...step.revise!, if: e.target.value } })} />
              <OptionalNumberField label="At most (rounds)" value={step.revise.max} min={1} max={10} onChange={(v) => patch({ revise: { ...step.revise!, max: v ?? 2 } })} />
            </>
          )}
        </Section>
        <Section title="Description and output type">
          <TextAreaField label="Description (optional)" rows={2} value={step.description ?? ""} onChange={(e) => patch({ description: e.target.value || undefined })} />
          <JsonField
            label="Output type (optional)"
            value={step.output}
            expect="object"
            onChange={(v) => patch({ output: v as TypeSpec | undefined })}
            hint='A JSON-Schema subset, e.g. { "type": "object", "properties": { "score": { "type": "number" } } }. Steps reading this output are checked against it.'
          />
        </Section>
      </fieldset>
      {!readOnly && (
        <div className={styles.panelFooter}>
          <Button variant="danger" size="sm" onClick={onDelete}>
            <Icon name="trash" />
            Delete step
          </Button>
        </div>
      )}
    </div>
  );
}
