"use client";
// Starts a run: a form generated from the version's typed inputs (text, numbers, a
// checkbox, JSON for objects and lists) and a priority; on success, the run's page.
import { useState } from "react";
import { useRouter } from "next/navigation";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { WorkflowDefinition } from "@/server/shared/workflow-definition";
import { useTRPC } from "@/components/providers/trpc";
import { useTeam } from "@/components/shell/shell-context";
import { toFormError, type FormError } from "@/components/lib/api-error";
import { Alert } from "@/components/ui/alert";
import { Dialog } from "@/components/ui/dialog";
import { TextAreaField, TextField } from "@/components/ui/field";
import { Form } from "@/components/ui/form";
import { Icon } from "@/components/ui/icons";
import { initialInputValues, inputFields, parseInputValues, type InputField, type InputValues } from "./run-inputs";
import styles from "./workflows.module.css";

export interface RunTarget {
  id: string;
  name: string;
  /** The version to run (its inputs build the form). */
  version: number;
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function InputControl({ field, value, error, onChange }: { field: InputField; value: string | boolean; error?: string; onChange: (value: string | boolean) => void }) {
  const label = field.required ? field.name : `${field.name} (optional)`;
  const hint = [field.spec.description, `Type: ${field.spec.type}`].filter(Boolean).join(" · ");
  const message = error ? `${capitalise(field.name)} ${error}.` : undefined;
  if (field.control === "boolean") {
    return (
      <div className="field">
        <label className="checkbox">
          <input type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} />
          <span>{field.name}</span>
        </label>
        <p className="field-hint">{hint}</p>
      </div>
    );
  }
  if (field.control === "number") {
    return (
      <TextField
        label={label}
        hint={hint}
        error={message}
        inputMode="decimal"
        value={String(value)}
        onChange={(e) => onChange(e.target.value)}
        required={field.required}
      />
    );
  }
  return (
    <TextAreaField
      label={label}
      hint={field.control === "json" ? `${hint} · JSON` : hint}
      error={message}
      rows={field.control === "json" ? 5 : 3}
      className={field.control === "json" ? styles.monoInput : undefined}
      spellCheck={field.control !== "json"}
      value={String(value)}
      onChange={(e) => onChange(e.target.value)}
      required={field.required}
    />
  );
}

function RunForm({ target, definition, onClose }: { target: RunTarget; definition: WorkflowDefinition; onClose: () => void }) {
  const trpc = useTRPC();
  const team = useTeam();
  const router = useRouter();
  const queryClient = useQueryClient();
  const fields = inputFields(definition.inputs);
  const [values, setValues] = useState<InputValues>(() => initialInputValues(fields));
  const [priority, setPriority] = useState("0");
  const [error, setError] = useState<FormError | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const start = useMutation(
    trpc.runs.start.mutationOptions({
      onSuccess: async ({ runId }) => {
        await queryClient.invalidateQueries({ queryKey: trpc.runs.list.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.workflows.list.pathKey() });
        onClose();
        router.push(`/runs/${runId}`);
      },
      onError: (e) => setError(toFormError(e)),
    }),
  );

  function submit() {
    const parsed = parseInputValues(fields, values);
    const level = Number(priority);
    const errors = { ...parsed.errors };
    if (!Number.isInteger(level) || level < -100 || level > 100) errors.priority = "must be a whole number from -100 to 100";
    setFieldErrors(errors);
    if (Object.keys(errors).length) {
      setError({ message: Object.entries(errors).map(([name, text]) => `${capitalise(name)} ${text}.`).join(" "), fields: {} });
      return;
    }
    setError(null);
    start.mutate({ teamId: team.id, workflow: target.id, version: target.version, input: parsed.input, priority: level });
  }

  return (
    <Form onSubmit={submit} error={error?.message} submitLabel={<><Icon name="runs" />Start run</>} pending={start.isPending} noValidate>
      {fields.length === 0 && <p className="muted">This workflow takes no inputs.</p>}
      {fields.map((field) => (
        <InputControl key={field.name} field={field} value={values[field.name] ?? ""} error={fieldErrors[field.name]} onChange={(v) => setValues((old) => ({ ...old, [field.name]: v }))} />
      ))}
      <TextField
        label="Priority"
        hint="From -100 to 100. When workers are busy, higher priorities start first."
        inputMode="numeric"
        value={priority}
        onChange={(e) => setPriority(e.target.value)}
        error={fieldErrors.priority ? `Priority ${fieldErrors.priority}.` : undefined}
        className={styles.narrowInput}
      />
    </Form>
  );
}

function RunDialogBody({ target, onClose }: { target: RunTarget; onClose: () => void }) {
  const trpc = useTRPC();
  const team = useTeam();
  const version = useQuery(trpc.workflows.version.queryOptions({ teamId: team.id, workflowId: target.id, version: target.version }));
  if (version.isPending) return <p className="muted">Loading the workflow’s inputs…</p>;
  if (version.isError) return <Alert>{toFormError(version.error).message}</Alert>;
  return <RunForm target={target} definition={version.data.definition} onClose={onClose} />;
}

export function RunDialog({ target, onClose }: { target: RunTarget | null; onClose: () => void }) {
  return (
    <Dialog
      open={target !== null}
      onClose={onClose}
      title={target ? `Run ${target.name}` : "Run"}
      description={target ? `Version ${target.version}. The run page opens once it starts.` : undefined}
    >
      {target && <RunDialogBody target={target} onClose={onClose} />}
    </Dialog>
  );
}
