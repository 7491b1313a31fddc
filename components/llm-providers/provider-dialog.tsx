"use client";
// Add or edit one provider. The form validates with the server's own schemas before
// sending, can test the unsaved configuration ("draft"), and offers model ids from the
// price catalog for the chosen kind and from what the endpoint itself reports.
import { useState } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import {
  providerConfigProblem,
  providerCreateInput,
  providerUpdateInput,
  type ProviderDto,
  type ProviderTestResultDto,
} from "@/server/shared/providers";
import { useTRPC } from "@/components/providers/trpc";
import { useTeam } from "@/components/shell/shell-context";
import { errorMessage, toFormError, type FormError } from "@/components/lib/api-error";
import { useInvalidateCatalog } from "@/components/lib/use-invalidate-catalog";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { SelectField, TextAreaField, TextField } from "@/components/ui/field";
import { Form } from "@/components/ui/form";
import { Icon } from "@/components/ui/icons";
import { DEFAULT_BASE_URLS, KIND_OPTIONS, kindInfo, type ProviderKind } from "./kinds";
import { optionalNumber, parseList, zodFormError } from "@/components/lib/form-errors";
import { ProviderTestResult } from "./provider-test-result";
import styles from "./llm-providers.module.css";

const LABELS: Record<string, string> = {
  name: "Name",
  kind: "Kind",
  baseUrl: "Base URL",
  apiKey: "API key",
  models: "Models",
  priority: "Priority",
  timeoutMs: "Timeout",
  enabled: "Enabled",
};

const SUGGESTIONS_SHOWN = 12;

function ModelSuggestions({ kind, chosen, onAdd }: { kind: ProviderKind; chosen: string[]; onAdd: (model: string) => void }) {
  const trpc = useTRPC();
  const team = useTeam();
  const catalog = useQuery(trpc.models.list.queryOptions({ teamId: team.id }));
  const suggestions = (catalog.data ?? []).filter((m) => m.provider === kind && !chosen.includes(m.id)).slice(0, SUGGESTIONS_SHOWN);
  if (!suggestions.length) {
    return kind === "openai-compatible" ? (
      <p className="field-hint">Use “Test connection” to list the models the server offers, then click the ones to enable.</p>
    ) : null;
  }
  return (
    <div className="stack" style={{ gap: 4 }}>
      <span className="field-hint">From the price catalog:</span>
      <div className="chip-list">
        {suggestions.map((m) => (
          <button key={m.id} type="button" className={styles.modelChip} onClick={() => onAdd(m.id)} title={`Add ${m.id}`}>
            <Icon name="plus" size={11} />
            {m.id}
          </button>
        ))}
      </div>
    </div>
  );
}

function ProviderForm({ provider, onDone }: { provider: ProviderDto | null; onDone: () => void }) {
  const trpc = useTRPC();
  const team = useTeam();
  const editing = provider !== null;

  const [kind, setKind] = useState<ProviderKind>(provider?.kind ?? "openai");
  const [name, setName] = useState(provider?.name ?? kindInfo("openai").defaultName);
  const [nameTouched, setNameTouched] = useState(editing);
  const [baseUrl, setBaseUrl] = useState(provider?.baseUrl ?? "");
  const [apiKey, setApiKey] = useState("");
  const [removeKey, setRemoveKey] = useState(false);
  const [modelsText, setModelsText] = useState((provider?.models ?? []).join("\n"));
  const [priority, setPriority] = useState(String(provider?.priority ?? 100));
  const [timeoutMs, setTimeoutMs] = useState(String(provider?.timeoutMs ?? 60_000));
  const [enabled, setEnabled] = useState(provider?.enabled ?? true);
  const [error, setError] = useState<FormError | null>(null);
  const [testResult, setTestResult] = useState<ProviderTestResultDto | null>(null);

  const models = parseList(modelsText);
  const addModel = (model: string) => setModelsText((text) => parseList(`${text}\n${model}`).join("\n"));

  const invalidate = useInvalidateCatalog({ providers: true });
  const onServerError = (e: unknown) => setError(toFormError(e, LABELS));
  const create = useMutation(trpc.providers.create.mutationOptions({ onSuccess: async () => (await invalidate(), onDone()), onError: onServerError }));
  const update = useMutation(trpc.providers.update.mutationOptions({ onSuccess: async () => (await invalidate(), onDone()), onError: onServerError }));
  const test = useMutation(
    trpc.providers.test.mutationOptions({
      onSuccess: (result) => setTestResult(result),
      onError: (e) => setTestResult({ ok: false, latencyMs: 0, message: errorMessage(e), models: [] }),
    }),
  );

  // undefined keeps the stored key (edit), null removes it, a string sets it.
  const keyValue = removeKey ? null : apiKey.trim() ? apiKey.trim() : undefined;
  const hasKeyAfterSave = keyValue === undefined ? (provider?.hasApiKey ?? false) : keyValue !== null;

  function chooseKind(next: ProviderKind) {
    setKind(next);
    if (!nameTouched) setName(kindInfo(next).defaultName);
    setTestResult(null);
  }

  function submit() {
    setError(null);
    if (editing) {
      const input = {
        teamId: team.id,
        providerId: provider.id,
        name: name.trim(),
        kind,
        baseUrl: baseUrl.trim(),
        ...(keyValue !== undefined ? { apiKey: keyValue } : {}),
        models,
        priority: optionalNumber(priority) ?? 100,
        timeoutMs: optionalNumber(timeoutMs) ?? 60_000,
        enabled,
      };
      const parsed = providerUpdateInput.safeParse(input);
      if (!parsed.success) return setError(zodFormError(parsed.error, LABELS));
      // The create schema checks these together; for an edit they depend on what is stored.
      const problem = providerConfigProblem({ kind, baseUrl: baseUrl.trim() || null, hasApiKey: hasKeyAfterSave });
      if (problem) return setError({ message: problem.message, fields: { [problem.field]: problem.message } });
      update.mutate(input);
    } else {
      const input = {
        teamId: team.id,
        name: name.trim(),
        kind,
        baseUrl: baseUrl.trim(),
        ...(apiKey.trim() ? { apiKey: apiKey.trim() } : {}),
        models,
        priority: optionalNumber(priority),
        timeoutMs: optionalNumber(timeoutMs),
        enabled,
      };
      const parsed = providerCreateInput.safeParse(input);
      if (!parsed.success) return setError(zodFormError(parsed.error, LABELS));
      create.mutate(input);
    }
  }

  function runTest() {
    setTestResult(null);
    test.mutate({
      teamId: team.id,
      ...(editing ? { providerId: provider.id } : {}),
      draft: {
        kind,
        baseUrl: baseUrl.trim(),
        // Omitted on an edit without a new key: the server tests with the stored one.
        ...(keyValue !== undefined ? { apiKey: keyValue } : editing ? {} : { apiKey: null }),
        ...(optionalNumber(timeoutMs) ? { timeoutMs: optionalNumber(timeoutMs) } : {}),
      },
    });
  }

  const info = kindInfo(kind);
  const needsKey = kind === "openai" || kind === "anthropic";
  const usesUrl = kind !== "offline";

  return (
    <Form
      id="provider-form"
      onSubmit={submit}
      error={error?.message}
      submitLabel={editing ? "Save changes" : "Add provider"}
      pending={create.isPending || update.isPending}
      noValidate
    >
      <div className="form-grid">
        <SelectField label="Kind" value={kind} onChange={(e) => chooseKind(e.target.value as ProviderKind)} hint={info.hint} error={error?.fields.kind}>
          {KIND_OPTIONS.map((k) => (
            <option key={k.kind} value={k.kind}>
              {k.label}
            </option>
          ))}
        </SelectField>
        <TextField
          label="Name"
          required
          maxLength={40}
          value={name}
          onChange={(e) => {
            setName(e.target.value);
            setNameTouched(true);
          }}
          hint={
            <>
              Models are addressed as <code>{name.trim() || "name"}/model</code>.
            </>
          }
          error={error?.fields.name}
          autoComplete="off"
          spellCheck={false}
        />
      </div>

      {usesUrl && (
        <TextField
          label="Base URL"
          type="url"
          required={kind === "openai-compatible"}
          placeholder={DEFAULT_BASE_URLS[kind] ?? "http://localhost:11434/v1"}
          value={baseUrl}
          onChange={(e) => setBaseUrl(e.target.value)}
          hint={kind === "openai-compatible" ? "Required, e.g. http://localhost:11434/v1 for Ollama." : `Leave empty for ${DEFAULT_BASE_URLS[kind]}.`}
          error={error?.fields.baseUrl}
          autoComplete="off"
          spellCheck={false}
        />
      )}

      {usesUrl && (
        <div className="stack" style={{ gap: 6 }}>
          <TextField
            label="API key"
            type="password"
            autoComplete="new-password"
            placeholder={editing && provider.hasApiKey ? `Leave empty to keep ${provider.apiKey ?? "the stored key"}` : needsKey ? "Required" : "Optional"}
            value={apiKey}
            disabled={removeKey}
            onChange={(e) => setApiKey(e.target.value)}
            hint="Encrypted at rest and never shown again; only its last four characters are."
            error={error?.fields.apiKey}
          />
          {editing && provider.hasApiKey && (
            <label className="checkbox">
              <input type="checkbox" checked={removeKey} onChange={(e) => setRemoveKey(e.target.checked)} />
              Remove the stored key ({provider.apiKey})
            </label>
          )}
        </div>
      )}

      <div className="stack" style={{ gap: 6 }}>
        <TextAreaField
          label="Models"
          className={styles.modelList}
          rows={3}
          value={modelsText}
          placeholder={kind === "offline" ? "maestro-offline" : "One per line, or separated by commas"}
          onChange={(e) => setModelsText(e.target.value)}
          hint={`The model ids this provider serves, one per line or separated by commas (${models.length} listed).`}
          error={error?.fields.models}
          spellCheck={false}
        />
        <ModelSuggestions kind={kind} chosen={models} onAdd={addModel} />
      </div>

      <div className="form-grid">
        <TextField
          label="Priority"
          type="number"
          inputMode="numeric"
          min={0}
          max={1000}
          value={priority}
          onChange={(e) => setPriority(e.target.value)}
          hint="Lower is preferred (0-1000)."
          error={error?.fields.priority}
        />
        <TextField
          label="Timeout (ms)"
          type="number"
          inputMode="numeric"
          min={1000}
          max={600000}
          step={1000}
          value={timeoutMs}
          onChange={(e) => setTimeoutMs(e.target.value)}
          hint="Per call, 1000-600000."
          error={error?.fields.timeoutMs}
        />
      </div>

      <label className="checkbox">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
        Enabled: route calls to this provider
      </label>

      <div className="stack" style={{ gap: 8 }}>
        <div className="row">
          <Button onClick={runTest} pending={test.isPending}>
            <Icon name="zap" />
            Test connection
          </Button>
          <span className="faint" style={{ fontSize: 12.5 }}>
            Tests the values above without saving them.
          </span>
        </div>
        {testResult && <ProviderTestResult result={testResult} enabledModels={models} onPickModel={addModel} />}
      </div>
    </Form>
  );
}

export function ProviderDialog({ open, provider, onClose }: { open: boolean; provider: ProviderDto | null; onClose: () => void }) {
  return (
    <Dialog
      open={open}
      onClose={onClose}
      size="lg"
      title={provider ? `Edit ${provider.name}` : "Add provider"}
      description={provider ? undefined : "Connect a model vendor or a local server. Every call goes through the gateway, so it is routed, cached and accounted."}
    >
      <ProviderForm provider={provider} onDone={onClose} />
    </Dialog>
  );
}
