"use client";
import { SCOPE_DESCRIPTIONS, scopeResource } from "@/server/shared/scope-labels";
import type { Scope } from "@/server/shared/rbac";

/** Checkboxes for the scopes the person holds, grouped by resource, with quick presets. */
export function ScopePicker({ available, value, onChange, error }: { available: Scope[]; value: Scope[]; onChange: (next: Scope[]) => void; error?: string }) {
  const groups = new Map<string, Scope[]>();
  for (const scope of available) groups.set(scopeResource(scope), [...(groups.get(scopeResource(scope)) ?? []), scope]);
  const toggle = (scope: Scope, on: boolean) => onChange(on ? [...value, scope] : value.filter((s) => s !== scope));

  return (
    <fieldset className="fieldset" aria-describedby={error ? "scope-error" : undefined}>
      <legend>Scopes</legend>
      <div className="row" style={{ marginBottom: 8 }}>
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => onChange(available.filter((s) => s.endsWith(":read")))}>
          Read-only
        </button>
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => onChange([...available])}>
          All of mine
        </button>
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => onChange([])}>
          None
        </button>
        <span className="faint" style={{ marginLeft: "auto", fontSize: 12.5 }}>
          {value.length} of {available.length} selected
        </span>
      </div>
      <div className="scope-grid">
        {[...groups].map(([resource, scopes]) => (
          <div key={resource} className="scope-group">
            <div className="scope-group-title">{resource}</div>
            {scopes.map((scope) => (
              <label key={scope} className="checkbox" title={SCOPE_DESCRIPTIONS[scope]}>
                <input type="checkbox" checked={value.includes(scope)} onChange={(e) => toggle(scope, e.target.checked)} />
                <span className="mono">
                  <span className="visually-hidden">{resource}:</span>
                  {scope.slice(resource.length + 1)}
                </span>
              </label>
            ))}
          </div>
        ))}
      </div>
      {error && (
        <p className="field-error" id="scope-error" style={{ marginTop: 6 }}>
          {error}
        </p>
      )}
    </fieldset>
  );
}
