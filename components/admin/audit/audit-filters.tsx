"use client";
import { ACTION_PREFIXES } from "@/components/audit/describe";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";

export interface AuditFilterValues {
  action: string;
  actor: string;
  from: string;
  to: string;
}

export const NO_FILTERS: AuditFilterValues = { action: "", actor: "", from: "", to: "" };

/** Dates are picked in local time and sent as the start of `from` and the end of `to`. */
export function filtersToInput(f: AuditFilterValues) {
  return {
    action: f.action.trim() || undefined,
    actor: f.actor.trim() || undefined,
    since: f.from ? new Date(`${f.from}T00:00:00`).toISOString() : undefined,
    until: f.to ? new Date(`${f.to}T23:59:59.999`).toISOString() : undefined,
  };
}

export function AuditFilters({ value, onChange }: { value: AuditFilterValues; onChange: (next: AuditFilterValues) => void }) {
  const set = (key: keyof AuditFilterValues) => (e: { target: { value: string } }) => onChange({ ...value, [key]: e.target.value });
  const active = Object.values(value).some(Boolean);
  return (
    <div className="toolbar" role="search" aria-label="Filter the audit log">
      <TextField label="Action starts with" list="audit-action-prefixes" placeholder="e.g. apikey." value={value.action} onChange={set("action")} className="input-sm" />
      <datalist id="audit-action-prefixes">
        {ACTION_PREFIXES.map((p) => (
          <option key={p} value={p} />
        ))}
      </datalist>
      <TextField label="Actor" placeholder="Who did it" value={value.actor} onChange={set("actor")} className="input-sm" />
      <TextField label="From" type="date" value={value.from} max={value.to || undefined} onChange={set("from")} className="input-sm" />
      <TextField label="To" type="date" value={value.to} min={value.from || undefined} onChange={set("to")} className="input-sm" />
      {active && (
        <Button size="sm" variant="ghost" onClick={() => onChange(NO_FILTERS)}>
          Clear filters
        </Button>
      )}
    </div>
  );
}
