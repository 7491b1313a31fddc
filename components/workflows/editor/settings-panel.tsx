"use client";
// The workflow as a whole: its name and description, typed inputs (which build the Run
// form), outputs, model routing for its LLM and agent steps, and its limits.
import { STRATEGIES, STRATEGY_TEXT } from "@/server/shared/llm";
import { VALUE_TYPES, type InputSpec, type ValueType, type WorkflowDefinition } from "@/server/shared/workflow-definition";
import { parseList } from "@/components/lib/form-errors";
import { Button } from "@/components/ui/button";
import { SelectField, TextAreaField, TextField } from "@/components/ui/field";
import { Icon } from "@/components/ui/icons";
import { JsonField, OptionalNumberField } from "./fields";
import styles from "./editor.module.css";

type Entries<T> = [string, T][];

/** Renames, changes or removes entry `index` of a record, keeping the order of the others. */
function updateEntry<T>(record: Record<string, T>, index: number, next: [string, T] | null): Record<string, T> {
  const entries: Entries<T> = Object.entries(record);
  if (next) entries[index] = next;
  else entries.splice(index, 1);
  return Object.fromEntries(entries);
}

function freeName(record: Record<string, unknown>, base: string): string {
  for (let n = 1; ; n++) {
    const name = n === 1 ? base : `${base}${n}`;
    if (!(name in record)) return name;
  }
}

function InputRow({ name, spec, index, onChange, onRemove }: { name: string; spec: InputSpec; index: number; onChange: (name: string, spec: InputSpec) => void; onRemove: () => void }) {
  return (
    <li className={styles.entry} aria-label={`Input ${name}`}>
      <div className={styles.entryGrid}>
        <TextField label="Name" value={name} onChange={(e) => onChange(e.target.value, spec)} className="mono" spellCheck={false} />
        <SelectField label="Type" value={spec.type} onChange={(e) => onChange(name, { ...spec, type: e.target.value as ValueType })}>
          {VALUE_TYPES.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </SelectField>
      </div>
      <TextField label="Description" value={spec.description ?? ""} onChange={(e) => onChange(name, { ...spec, description: e.target.value || undefined })} />
      <JsonField
        label="Default (JSON, optional)"
        rows={1}
        value={spec.default}
        onChange={(v) => onChange(name, { ...spec, default: v })}
        hint={spec.type === "string" ? 'Text in quotes: "hello".' : undefined}
      />
      <div className="row">
        <label className="checkbox">
          <input type="checkbox" checked={spec.required !== false} onChange={(e) => onChange(name, { ...spec, required: e.target.checked ? undefined : false })} />
          <span>Required (unless it has a default)</span>
        </label>
        <span className="spacer" />
        <Button size="sm" variant="ghost" onClick={onRemove} aria-label={`Remove input ${name || index + 1}`}>
          Remove
        </Button>
      </div>
    </li>
  );
}

export function SettingsPanel({ definition, readOnly, onChange }: { definition: WorkflowDefinition; readOnly: boolean; onChange: (definition: WorkflowDefinition) => void }) {
  const set = (patch: Partial<WorkflowDefinition>) => onChange({ ...definition, ...patch });
  const inputs = Object.entries(definition.inputs);
  const outputs = Object.entries(definition.outputs);
  const routing = definition.routing ?? {};
  const limits = definition.limits ?? {};
  const setRouting = (patch: Partial<NonNullable<WorkflowDefinition["routing"]>>) => {
    const next = { ...routing, ...patch };
    const empty = !next.strategy && !next.model && !next.fallback?.length;
    set({ routing: empty ? undefined : next });
  };
  const setLimits = (patch: Partial<NonNullable<WorkflowDefinition["limits"]>>) => {
    const next = { ...limits, ...patch };
    set({ limits: next.maxCostUsd === undefined && next.timeoutMs === undefined ? undefined : next });
  };

  return (
    <div className={styles.panelBody} data-testid="workflow-settings">
      <header className={styles.panelHeader}>
        <span className={styles.panelKind}>
          <Icon name="workflow" />
        </span>
        <div className={styles.panelTitle}>
          <h2>Workflow settings</h2>
          <p>Select a step on the canvas to configure it.</p>
        </div>
      </header>
      <fieldset className="fieldset stack" disabled={readOnly}>
        <TextField label="Name" value={definition.name} onChange={(e) => set({ name: e.target.value })} maxLength={120} required />
        <TextAreaField label="Description" rows={2} value={definition.description} onChange={(e) => set({ description: e.target.value })} />

        <details className={styles.section} open>
          <summary>Inputs ({inputs.length})</summary>
          <div className="stack">
            <p className="field-hint">What a run is started with; the Run form is built from these. Steps read them as {"{{ input.<name> }}"}.</p>
            {inputs.length > 0 && (
              <ul className={styles.entries}>
                {inputs.map(([name, spec], index) => (
                  <InputRow
                    key={index}
                    name={name}
                    spec={spec}
                    index={index}
                    onChange={(nextName, nextSpec) => set({ inputs: updateEntry(definition.inputs, index, [nextName, nextSpec]) })}
                    onRemove={() => set({ inputs: updateEntry(definition.inputs, index, null) })}
                  />
                ))}
              </ul>
            )}
            <Button size="sm" onClick={() => set({ inputs: { ...definition.inputs, [freeName(definition.inputs, "input")]: { type: "string" } } })}>
              <Icon name="plus" />
              Add input
            </Button>
          </div>
        </details>

        <details className={styles.section}>
          <summary>Outputs ({outputs.length})</summary>
          <div className="stack">
            <p className="field-hint">The run's output, by name. Without any, the run's output is the last steps' outputs.</p>
            {outputs.length > 0 && (
              <ul className={styles.entries}>
                {outputs.map(([name, value], index) => (
                  <li key={index} className={styles.entry}>
                    <div className={styles.entryGrid}>
                      <TextField label="Name" value={name} className="mono" spellCheck={false} onChange={(e) => set({ outputs: updateEntry(definition.outputs, index, [e.target.value, value]) })} />
                      <TextField
                        label="Value"
                        value={typeof value === "string" ? value : JSON.stringify(value)}
                        className="mono"
                        spellCheck={false}
                        placeholder="{{ steps.report.output }}"
                        onChange={(e) => set({ outputs: updateEntry(definition.outputs, index, [name, e.target.value]) })}
                      />
                    </div>
                    <div className="row">
                      <span className="spacer" />
                      <Button size="sm" variant="ghost" onClick={() => set({ outputs: updateEntry(definition.outputs, index, null) })} aria-label={`Remove output ${name}`}>
                        Remove
                      </Button>
                    </div>
                  </li>
                ))}
              </ul>
            )}
            <Button size="sm" onClick={() => set({ outputs: { ...definition.outputs, [freeName(definition.outputs, "result")]: "" } })}>
              <Icon name="plus" />
              Add output
            </Button>
          </div>
        </details>

        <details className={styles.section}>
          <summary>Model routing</summary>
          <div className="stack">
            <p className="field-hint">For this workflow's LLM and agent steps that name no model; over the team's routing.</p>
            <SelectField label="Strategy" value={routing.strategy ?? ""} onChange={(e) => setRouting({ strategy: (e.target.value || undefined) as (typeof STRATEGIES)[number] | undefined })}>
              <option value="">The team's</option>
              {STRATEGIES.map((s) => (
                <option key={s} value={s}>
                  {STRATEGY_TEXT[s].label}
                </option>
              ))}
            </SelectField>
            <TextField label="Model" value={routing.model ?? ""} spellCheck={false} placeholder="provider/model" onChange={(e) => setRouting({ model: e.target.value.trim() || undefined })} />
            <TextField
              label="Fallback models"
              value={(routing.fallback ?? []).join(", ")}
              spellCheck={false}
              hint="Tried in order when the model fails; separated by commas."
              onChange={(e) => setRouting({ fallback: parseList(e.target.value) })}
            />
          </div>
        </details>

        <details className={styles.section}>
          <summary>Limits</summary>
          <div className="stack">
            <OptionalNumberField label="Most a run may spend (USD)" value={limits.maxCostUsd} min={0.000001} max={100_000} step={0.01} onChange={(v) => setLimits({ maxCostUsd: v })} hint="Steps after it is reached fail with “budget exceeded”." />
            <OptionalNumberField label="Run timeout (ms)" value={limits.timeoutMs} min={1000} max={604_800_000} onChange={(v) => setLimits({ timeoutMs: v })} />
          </div>
        </details>
      </fieldset>
    </div>
  );
}
