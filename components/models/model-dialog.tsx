"use client";
// Edit a model's price and limits for the team (a shipped model becomes an "override"),
// or add a model of the team's own ("custom"). Prices are USD per million tokens.
import { useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { modelUpsertInput, type CatalogModelDto } from "@/server/shared/providers";
import { CAPABILITIES, PROVIDER_KINDS, type Capability, type ProviderKind as Kind } from "@/server/shared/llm";
import { useTRPC } from "@/components/providers/trpc";
import { useTeam } from "@/components/shell/shell-context";
import { toFormError, type FormError } from "@/components/lib/api-error";
import { Dialog } from "@/components/ui/dialog";
import { SelectField, TextField } from "@/components/ui/field";
import { Form } from "@/components/ui/form";
import { kindInfo } from "@/components/llm-providers/kinds";
import { zodFormError } from "@/components/lib/form-errors";
import { useInvalidateCatalog } from "@/components/lib/use-invalidate-catalog";
import { formatPricePerMillion } from "@/components/lib/units";
import styles from "./models.module.css";


const LABELS: Record<string, string> = {
  modelId: "Model id",
  provider: "Provider kind",
  contextWindow: "Context window",
  maxOutputTokens: "Max output tokens",
  price: "Price",
  capabilities: "Capabilities",
};

const CAPABILITY_TEXT: Record<Capability, string> = {
  tools: "Tool calls",
  json: "JSON mode",
  vision: "Images in",
  streaming: "Streaming",
  reasoning: "Reasoning",
};

const num = (text: string) => (text.trim() === "" ? Number.NaN : Number(text));

function ModelForm({ model, onDone }: { model: CatalogModelDto | null; onDone: () => void }) {
  const trpc = useTRPC();
  const team = useTeam();
  const [modelId, setModelId] = useState(model?.id ?? "");
  const [provider, setProvider] = useState<Kind>(model?.provider ?? "openai-compatible");
  const [contextWindow, setContextWindow] = useState(String(model?.contextWindow ?? 128_000));
  const [maxOutput, setMaxOutput] = useState(String(model?.maxOutputTokens ?? 8_192));
  const [input, setInput] = useState(String(model?.price.input ?? 0));
  const [cached, setCached] = useState(String(model?.price.cachedInput ?? 0));
  const [output, setOutput] = useState(String(model?.price.output ?? 0));
  const [capabilities, setCapabilities] = useState<Capability[]>(
    (model?.capabilities ?? ["streaming"]).filter((c): c is Capability => (CAPABILITIES as readonly string[]).includes(c)),
  );
  const [error, setError] = useState<FormError | null>(null);

  const invalidateCatalog = useInvalidateCatalog();
  const save = useMutation(
    trpc.models.upsert.mutationOptions({
      onSuccess: async () => {
        await invalidateCatalog();
        onDone();
      },
      onError: (e) => setError(toFormError(e, LABELS)),
    }),
  );

  function submit() {
    setError(null);
    const body = {
      teamId: team.id,
      modelId: modelId.trim(),
      price: { input: num(input), cachedInput: num(cached), output: num(output) },
      provider,
      contextWindow: num(contextWindow),
      maxOutputTokens: num(maxOutput),
      capabilities,
    };
    const parsed = modelUpsertInput.safeParse(body);
    if (!parsed.success) {
      // Price issues are nested (price.input): show them under the matching field.
      const fe = zodFormError(parsed.error, LABELS);
      for (const issue of parsed.error.issues) {
        if (issue.path[0] === "price" && typeof issue.path[1] === "string") fe.fields[`price.${issue.path[1]}`] = issue.message.charAt(0).toUpperCase() + issue.message.slice(1);
      }
      return setError(fe);
    }
    if (body.maxOutputTokens > body.contextWindow) {
      return setError({ message: "Max output tokens cannot exceed the context window.", fields: { maxOutputTokens: "Cannot exceed the context window" } });
    }
    save.mutate(body);
  }

  const priceField = (label: string, key: "input" | "cachedInput" | "output", value: string, set: (v: string) => void) => (
    <TextField
      label={label}
      type="number"
      inputMode="decimal"
      min={0}
      step="0.001"
      value={value}
      onChange={(e) => set(e.target.value)}
      hint={model?.shippedPrice ? `Shipped: ${formatPricePerMillion(model.shippedPrice[key])}` : undefined}
      error={error?.fields[`price.${key}`] ?? (error?.fields.price !== undefined ? "" : undefined)}
    />
  );

  const tokensField = (label: string, key: "contextWindow" | "maxOutputTokens", value: string, set: (v: string) => void) => (
    <TextField label={label} type="number" inputMode="numeric" min={1} value={value} onChange={(e) => set(e.target.value)} error={error?.fields[key]} />
  );

  return (
    <Form id="model-form" onSubmit={submit} error={error?.message} submitLabel={model ? "Save model" : "Add model"} pending={save.isPending} noValidate>
      <div className="form-grid">
        <TextField
          label="Model id"
          required
          maxLength={128}
          value={modelId}
          onChange={(e) => setModelId(e.target.value)}
          readOnly={model !== null}
          hint={model ? "The id cannot change." : "Exactly as the provider names it, e.g. llama3.1:8b."}
          error={error?.fields.modelId}
          spellCheck={false}
          autoFocus={!model}
        />
        <SelectField label="Provider kind" value={provider} onChange={(e) => setProvider(e.target.value as Kind)} error={error?.fields.provider}>
          {PROVIDER_KINDS.map((k) => (
            <option key={k} value={k}>
              {kindInfo(k).short}
            </option>
          ))}
        </SelectField>
        {tokensField("Context window (tokens)", "contextWindow", contextWindow, setContextWindow)}
        {tokensField("Max output tokens", "maxOutputTokens", maxOutput, setMaxOutput)}
      </div>
      <fieldset className="fieldset">
        <legend>Price, USD per million tokens</legend>
        <div className="form-grid" style={{ gridTemplateColumns: "repeat(auto-fit, minmax(150px, 1fr))" }}>
          {priceField("Input", "input", input, setInput)}
          {priceField("Cached input", "cachedInput", cached, setCached)}
          {priceField("Output", "output", output, setOutput)}
        </div>
      </fieldset>
      <fieldset className="fieldset">
        <legend>Capabilities</legend>
        <div className={styles.capabilities}>
          {CAPABILITIES.map((c) => (
            <label key={c} className="checkbox">
              <input
                type="checkbox"
                checked={capabilities.includes(c)}
                onChange={(e) => setCapabilities((list) => (e.target.checked ? [...list, c] : list.filter((x) => x !== c)))}
              />
              {CAPABILITY_TEXT[c]}
            </label>
          ))}
        </div>
      </fieldset>
    </Form>
  );
}

export function ModelDialog({ open, model, onClose }: { open: boolean; model: CatalogModelDto | null; onClose: () => void }) {
  return (
    <Dialog
      open={open}
      onClose={onClose}
      size="lg"
      title={model ? `Edit ${model.id}` : "Add a custom model"}
      description={
        model
          ? model.source === "shipped"
            ? "Saving makes this team's own price for the model; reset it to return to the shipped one."
            : "This team's own entry; costs of new calls use it at once."
          : "A model the shipped catalog does not know, priced for this team. Enable it on a provider to route calls to it."
      }
    >
      <ModelForm model={model} onDone={onClose} />
    </Dialog>
  );
}

export { CAPABILITY_TEXT };
