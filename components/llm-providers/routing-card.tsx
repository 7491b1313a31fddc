"use client";
// The team's routing defaults: strategy, default model, fallback chain, and the response
// cache. A call (Playground, workflow step, /v1 request) may override each of them.
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { gatewaySettingsInput, type GatewaySettingsDto } from "@/server/shared/providers";
import { STRATEGIES, STRATEGY_TEXT, type Strategy } from "@/server/shared/llm";
import { useTRPC } from "@/components/providers/trpc";
import { useCan, useTeam } from "@/components/shell/shell-context";
import { errorMessage, toFormError, type FormError } from "@/components/lib/api-error";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { cx } from "@/components/ui/cx";
import { TextField } from "@/components/ui/field";
import { Form } from "@/components/ui/form";
import { Icon } from "@/components/ui/icons";
import lists from "@/components/ui/list.module.css";
import { Time } from "@/components/ui/time";
import { optionalNumber, zodFormError } from "@/components/lib/form-errors";
import styles from "./llm-providers.module.css";

const LABELS = { strategy: "Strategy", defaultModel: "Default model", fallback: "Fallback chain", cacheEnabled: "Cache", cacheTtlSeconds: "Cache TTL" };

function RoutingForm({ settings, refs, onSaved }: { settings: GatewaySettingsDto; refs: string[]; onSaved: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const team = useTeam();
  const canWrite = useCan("providers:write");
  const [strategy, setStrategy] = useState<Strategy>(settings.strategy);
  const [defaultModel, setDefaultModel] = useState(settings.defaultModel ?? "");
  const [fallback, setFallback] = useState<string[]>(settings.fallback);
  const [adding, setAdding] = useState("");
  const [cacheEnabled, setCacheEnabled] = useState(settings.cacheEnabled);
  const [ttl, setTtl] = useState(String(settings.cacheTtlSeconds));
  const [error, setError] = useState<FormError | null>(null);

  const save = useMutation(
    trpc.providers.updateSettings.mutationOptions({
      onSuccess: async () => {
        onSaved();
        await queryClient.invalidateQueries({ queryKey: trpc.providers.settings.queryKey({ teamId: team.id }) });
      },
      onError: (e) => setError(toFormError(e, LABELS)),
    }),
  );

  function submit() {
    setError(null);
    const input = {
      teamId: team.id,
      strategy,
      defaultModel: defaultModel.trim() || null,
      fallback,
      cacheEnabled,
      cacheTtlSeconds: optionalNumber(ttl) ?? 3600,
    };
    const parsed = gatewaySettingsInput.safeParse(input);
    if (!parsed.success) return setError(zodFormError(parsed.error, LABELS));
    save.mutate(input);
  }

  const move = (index: number, by: -1 | 1) =>
    setFallback((chain) => {
      const next = [...chain];
      const [item] = next.splice(index, 1);
      next.splice(index + by, 0, item!);
      return next;
    });
  const addable = refs.filter((r) => !fallback.includes(r));

  return (
    <Form onSubmit={submit} error={error?.message} submitLabel="Save routing" pending={save.isPending} submitDisabled={!canWrite} noValidate>
      <fieldset className="fieldset" disabled={!canWrite}>
        <legend>Strategy</legend>
        <div className={styles.strategyList}>
          {STRATEGIES.map((name) => (
            <label key={name} className={styles.strategy}>
              <input type="radio" name="strategy" value={name} checked={strategy === name} onChange={() => setStrategy(name)} />
              <strong>{STRATEGY_TEXT[name].label}</strong>
              <span>{STRATEGY_TEXT[name].description}</span>
            </label>
          ))}
        </div>
      </fieldset>

      <TextField
        label="Default model"
        list="routing-refs"
        placeholder="None: the strategy chooses"
        value={defaultModel}
        onChange={(e) => setDefaultModel(e.target.value)}
        disabled={!canWrite}
        hint={<>A model id or provider/model, used by the primary strategy when a call names none.</>}
        error={error?.fields.defaultModel}
        spellCheck={false}
      />
      <datalist id="routing-refs">
        {refs.map((r) => (
          <option key={r} value={r} />
        ))}
      </datalist>

      <div className="field">
        <span className="field-label" id="fallback-label">
          Fallback chain
        </span>
        {fallback.length === 0 ? (
          <p className="field-hint">Empty: after the first choice, the other capable models are tried in the strategy&apos;s order.</p>
        ) : (
          <ol className={cx(lists.column, styles.chain)} aria-labelledby="fallback-label">
            {fallback.map((ref, i) => (
              <li key={ref}>
                <span className={styles.chainIndex}>{i + 1}.</span>
                <code>{ref}</code>
                {canWrite && (
                  <>
                    <button type="button" className="icon-button" style={{ width: 26, height: 26 }} disabled={i === 0} onClick={() => move(i, -1)} aria-label={`Move ${ref} up`}>
                      <Icon name="chevronDown" style={{ transform: "rotate(180deg)" }} />
                    </button>
                    <button
                      type="button"
                      className="icon-button"
                      style={{ width: 26, height: 26 }}
                      disabled={i === fallback.length - 1}
                      onClick={() => move(i, 1)}
                      aria-label={`Move ${ref} down`}
                    >
                      <Icon name="chevronDown" />
                    </button>
                    <button type="button" className="icon-button" style={{ width: 26, height: 26 }} onClick={() => setFallback((c) => c.filter((x) => x !== ref))} aria-label={`Remove ${ref} from the chain`}>
                      <Icon name="close" />
                    </button>
                  </>
                )}
              </li>
            ))}
          </ol>
        )}
        {canWrite && addable.length > 0 && (
          <div className="row" style={{ flexWrap: "nowrap" }}>
            <select className="input select input-sm" value={adding} onChange={(e) => setAdding(e.target.value)} aria-label="Model to add to the fallback chain">
              <option value="">Choose a model…</option>
              {addable.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
            <Button
              size="sm"
              disabled={!adding}
              onClick={() => {
                setFallback((c) => [...c, adding]);
                setAdding("");
              }}
            >
              Add to chain
            </Button>
          </div>
        )}
        {error?.fields.fallback && <p className="field-error">{error.fields.fallback}</p>}
      </div>

      <div className="form-grid" style={{ alignItems: "end" }}>
        <label className="checkbox" style={{ minHeight: 36 }}>
          <input type="checkbox" checked={cacheEnabled} onChange={(e) => setCacheEnabled(e.target.checked)} disabled={!canWrite} />
          Cache deterministic answers
        </label>
        <TextField
          label="Cache TTL (seconds)"
          type="number"
          inputMode="numeric"
          min={0}
          max={604800}
          value={ttl}
          onChange={(e) => setTtl(e.target.value)}
          disabled={!canWrite || !cacheEnabled}
          error={error?.fields.cacheTtlSeconds}
        />
      </div>
      {!canWrite && <p className="faint">Read-only: your role in this team cannot change routing.</p>}
    </Form>
  );
}

export function RoutingCard() {
  const trpc = useTRPC();
  const team = useTeam();
  const settings = useQuery(trpc.providers.settings.queryOptions({ teamId: team.id }));
  const routable = useQuery(trpc.gateway.models.queryOptions({ teamId: team.id }));
  const refs = (routable.data ?? []).map((m) => m.ref);
  const [justSaved, setJustSaved] = useState(false);

  return (
    <Card
      title={
        <>
          <Icon name="workflow" /> Routing
        </>
      }
      actions={settings.data?.updatedAt ? <span className="faint" style={{ fontSize: 12.5 }}>Saved <Time iso={settings.data.updatedAt} relative /></span> : null}
    >
      {settings.isPending && <p className="muted">Loading routing settings…</p>}
      {settings.isError && <Alert title="Routing settings could not be loaded">{errorMessage(settings.error)}</Alert>}
      {/* Keyed by the saved version, so a save elsewhere (or here) refreshes the form. */}
      {justSaved && (
        <div style={{ marginBottom: 12 }}>
          <Alert tone="success">Routing saved. New calls use it at once.</Alert>
        </div>
      )}
      {settings.data && <RoutingForm key={settings.data.updatedAt ?? "defaults"} settings={settings.data} refs={refs} onSaved={() => setJustSaved(true)} />}
    </Card>
  );
}
