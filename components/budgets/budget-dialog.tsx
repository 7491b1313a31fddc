"use client";
// Create or edit a budget. What it watches (scope and the user, provider or model) and
// its period are chosen at creation; name, limit, thresholds and enabled can change later.
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { BUDGET_PERIODS, BUDGET_SCOPES, budgetCreateInput, budgetUpdateInput, type BudgetPeriod, type BudgetScope, type BudgetStatusDto } from "@/server/shared/budgets";
import { useTRPC } from "@/components/providers/trpc";
import { useCan, useTeam } from "@/components/shell/shell-context";
import { toFormError, type FormError } from "@/components/lib/api-error";
import { Dialog } from "@/components/ui/dialog";
import { SelectField, TextField } from "@/components/ui/field";
import { Form } from "@/components/ui/form";
import { Icon } from "@/components/ui/icons";
import { zodFormError } from "@/components/lib/form-errors";
import styles from "./budgets.module.css";

const LABELS: Record<string, string> = {
  name: "Name",
  scope: "Applies to",
  scopeRef: "Watched",
  period: "Period",
  limitUsd: "Limit",
  thresholds: "Alert thresholds",
  enabled: "Enabled",
};

export const SCOPE_LABELS: Record<BudgetScope, string> = { team: "The whole team", user: "One member", provider: "One provider", model: "One model" };
export const PERIOD_LABELS: Record<BudgetPeriod, string> = { daily: "Daily (UTC day)", monthly: "Monthly (UTC month)" };

const DEFAULT_THRESHOLDS = [50, 80, 100];

/** The picker for what a user/provider/model budget watches. */
function ScopeRefField({ scope, value, onChange, error, disabled }: { scope: BudgetScope; value: string; onChange: (v: string) => void; error?: string; disabled: boolean }) {
  const trpc = useTRPC();
  const team = useTeam();
  const canListMembers = useCan("users:admin");
  const members = useQuery({ ...trpc.users.list.queryOptions({ teamId: team.id, limit: 100 }), enabled: scope === "user" && canListMembers });
  const providers = useQuery({ ...trpc.providers.list.queryOptions({ teamId: team.id }), enabled: scope === "provider" });
  const models = useQuery({ ...trpc.models.list.queryOptions({ teamId: team.id }), enabled: scope === "model" });

  if (scope === "team") return null;
  if (scope === "user") {
    if (!canListMembers || members.isError) {
      return (
        <TextField
          label="Member (user id)"
          required
          value={value}
          onChange={(e) => onChange(e.target.value)}
          disabled={disabled}
          hint="Your role cannot list the team's members; enter the member's user id."
          error={error}
          spellCheck={false}
        />
      );
    }
    return (
      <SelectField label="Member" value={value} onChange={(e) => onChange(e.target.value)} disabled={disabled} error={error}>
        <option value="">{members.isPending ? "Loading members…" : "Choose a member…"}</option>
        {(members.data?.items ?? []).map((m) => (
          <option key={m.id} value={m.id}>
            {m.name ? `${m.name} (${m.email})` : m.email}
          </option>
        ))}
      </SelectField>
    );
  }
  if (scope === "provider") {
    return (
      <SelectField label="Provider" value={value} onChange={(e) => onChange(e.target.value)} disabled={disabled} error={error} hint={providers.data?.length === 0 ? "The team has no provider yet." : undefined}>
        <option value="">{providers.isPending ? "Loading providers…" : "Choose a provider…"}</option>
        {(providers.data ?? []).map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </SelectField>
    );
  }
  return (
    <>
      <TextField label="Model" required list="budget-models" value={value} onChange={(e) => onChange(e.target.value)} disabled={disabled} error={error} hint="A model id, e.g. gpt-4o-mini." spellCheck={false} />
      <datalist id="budget-models">
        {(models.data ?? []).map((m) => (
          <option key={m.id} value={m.id} />
        ))}
      </datalist>
    </>
  );
}

function ThresholdsField({ value, onChange, error }: { value: number[]; onChange: (v: number[]) => void; error?: string }) {
  const [draft, setDraft] = useState("");
  const add = () => {
    const n = Number(draft);
    if (!Number.isInteger(n) || n < 1 || n > 100) return;
    onChange([...new Set([...value, n])].sort((a, b) => a - b));
    setDraft("");
  };
  return (
    <fieldset className="fieldset">
      <legend>Alert thresholds (% of the limit)</legend>
      <div className={styles.thresholds}>
        {value.map((t) => (
          <span key={t} className={styles.thresholdChip}>
            {t}%
            <button type="button" aria-label={`Remove the ${t}% threshold`} onClick={() => onChange(value.filter((x) => x !== t))}>
              <Icon name="close" size={12} />
            </button>
          </span>
        ))}
        <input
          className={`input input-sm ${styles.thresholdInput}`}
          type="number"
          min={1}
          max={100}
          placeholder="e.g. 90"
          aria-label="New threshold (percent)"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              e.preventDefault();
              add();
            }
          }}
        />
        <button type="button" className="btn btn-ghost btn-sm" onClick={add} disabled={!draft}>
          Add
        </button>
      </div>
      <p className="field-hint" style={{ marginTop: 6 }}>
        An event is recorded (and pushed live) the first time each is crossed in a period. Calls are refused at 100% whatever the thresholds.
      </p>
      {error && <p className="field-error">{error}</p>}
    </fieldset>
  );
}

function BudgetForm({ budget, onDone }: { budget: BudgetStatusDto | null; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const team = useTeam();
  const editing = budget !== null;
  const [name, setName] = useState(budget?.name ?? "");
  const [scope, setScope] = useState<BudgetScope>(budget?.scope ?? "team");
  const [scopeRef, setScopeRef] = useState(budget?.scopeRef ?? "");
  const [period, setPeriod] = useState<BudgetPeriod>(budget?.period ?? "monthly");
  const [limit, setLimit] = useState(budget ? String(budget.limitUsd) : "");
  const [thresholds, setThresholds] = useState<number[]>(budget?.thresholds ?? DEFAULT_THRESHOLDS);
  const [enabled, setEnabled] = useState(budget?.enabled ?? true);
  const [error, setError] = useState<FormError | null>(null);

  const done = async () => {
    await queryClient.invalidateQueries({ queryKey: trpc.budgets.pathKey() });
    onDone();
  };
  const onError = (e: unknown) => setError(toFormError(e, LABELS));
  const create = useMutation(trpc.budgets.create.mutationOptions({ onSuccess: done, onError }));
  const update = useMutation(trpc.budgets.update.mutationOptions({ onSuccess: done, onError }));

  function submit() {
    setError(null);
    const limitUsd = limit.trim() === "" ? Number.NaN : Number(limit);
    if (Number.isNaN(limitUsd)) return setError({ message: "Limit must be an amount in US dollars, e.g. 25 or 0.5.", fields: { limitUsd: "Enter an amount in USD" } });
    if (editing) {
      const input = { teamId: team.id, budgetId: budget.id, name: name.trim(), limitUsd, thresholds, enabled };
      const parsed = budgetUpdateInput.safeParse(input);
      if (!parsed.success) return setError(zodFormError(parsed.error, LABELS));
      update.mutate(input);
    } else {
      if (scope !== "team" && !scopeRef.trim()) {
        return setError({ message: `Choose the ${scope} this budget watches.`, fields: { scopeRef: `Choose a ${scope}` } });
      }
      const input = { teamId: team.id, name: name.trim(), scope, scopeRef: scope === "team" ? null : scopeRef.trim(), period, limitUsd, thresholds, enabled };
      const parsed = budgetCreateInput.safeParse(input);
      if (!parsed.success) return setError(zodFormError(parsed.error, LABELS));
      create.mutate(input);
    }
  }

  return (
    <Form id="budget-form" onSubmit={submit} error={error?.message} submitLabel={editing ? "Save budget" : "Create budget"} pending={create.isPending || update.isPending} noValidate>
      <TextField label="Name" required maxLength={120} value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Team monthly" error={error?.fields.name} autoFocus={!editing} />
      <div className="form-grid">
        <SelectField
          label="Applies to"
          value={scope}
          disabled={editing}
          onChange={(e) => {
            setScope(e.target.value as BudgetScope);
            setScopeRef("");
          }}
          hint={editing ? "Fixed once the budget exists." : undefined}
          error={error?.fields.scope}
        >
          {BUDGET_SCOPES.map((s) => (
            <option key={s} value={s}>
              {SCOPE_LABELS[s]}
            </option>
          ))}
        </SelectField>
        <SelectField label="Period" value={period} disabled={editing} onChange={(e) => setPeriod(e.target.value as BudgetPeriod)} error={error?.fields.period}>
          {BUDGET_PERIODS.map((p) => (
            <option key={p} value={p}>
              {PERIOD_LABELS[p]}
            </option>
          ))}
        </SelectField>
      </div>
      <ScopeRefField scope={scope} value={scopeRef} onChange={setScopeRef} error={error?.fields.scopeRef} disabled={editing} />
      <TextField
        label="Limit (USD)"
        required
        type="number"
        inputMode="decimal"
        min={0}
        step="any"
        placeholder="e.g. 50"
        value={limit}
        onChange={(e) => setLimit(e.target.value)}
        hint="Calls are refused when they could take the spend over it (estimated before the call, settled after)."
        error={error?.fields.limitUsd}
      />
      <ThresholdsField value={thresholds} onChange={setThresholds} error={error?.fields.thresholds} />
      <label className="checkbox">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
        Enabled: enforce the limit and record threshold events
      </label>
    </Form>
  );
}

export function BudgetDialog({ open, budget, onClose }: { open: boolean; budget: BudgetStatusDto | null; onClose: () => void }) {
  return (
    <Dialog open={open} onClose={onClose} title={budget ? `Edit ${budget.name}` : "Create budget"} description={budget ? undefined : "A spending limit per UTC day or month, checked before every gateway call."}>
      <BudgetForm budget={budget} onDone={onClose} />
    </Dialog>
  );
}
