"use client";
// Name/value rows for a server's secrets: environment variables for a command, HTTP
// headers for a URL. Stored values are shown masked and can only be replaced or removed.
import type { McpTransport } from "@/server/shared/mcp";
import { Button } from "@/components/ui/button";
import { Icon } from "@/components/ui/icons";
import { emptySecretRow, type SecretRow } from "./secrets";
import styles from "./mcp.module.css";

const MASK = "••••••••";

export function SecretsEditor({
  transport,
  rows,
  onChange,
  error,
  mustReenter,
}: {
  transport: McpTransport;
  rows: SecretRow[];
  onChange: (rows: SecretRow[]) => void;
  error?: string;
  /** Stored secrets that must be typed again (or removed) before saving. */
  mustReenter: string[];
}) {
  const noun = transport === "stdio" ? "environment variables" : "HTTP headers";
  const namePlaceholder = transport === "stdio" ? "GITHUB_TOKEN" : "Authorization";
  const valuePlaceholder = transport === "stdio" ? "Value" : "Bearer …";
  const update = (key: string, change: Partial<SecretRow>) => onChange(rows.map((row) => (row.key === key ? { ...row, ...change } : row)));

  return (
    <div className={styles.secrets} role="group" aria-labelledby="mcp-secrets-label" aria-describedby="mcp-secrets-hint">
      <div className={styles.secretsHead}>
        <span className="field-label" id="mcp-secrets-label">
          Secrets <span className="faint">({noun})</span>
        </span>
        <Button size="sm" variant="ghost" onClick={() => onChange([...rows, emptySecretRow()])}>
          <Icon name="plus" /> Add secret
        </Button>
      </div>
      {rows.map((row, index) =>
        row.stored ? (
          <div key={row.key} className={styles.secretRow} data-removed={row.removed}>
            <span className={styles.storedName} title={`${row.name} (stored)`}>
              <Icon name="lock" size={12} />
              {row.name}
            </span>
            <input
              className="input"
              type="password"
              autoComplete="new-password"
              aria-label={`New value for ${row.name}`}
              placeholder={row.removed ? "Removed on save" : `${MASK} stored; type to replace`}
              value={row.value}
              disabled={row.removed}
              aria-invalid={mustReenter.includes(row.name) || undefined}
              onChange={(e) => update(row.key, { value: e.target.value })}
            />
            <button
              type="button"
              className="icon-button"
              aria-label={row.removed ? `Keep ${row.name}` : `Remove ${row.name}`}
              title={row.removed ? "Keep it" : "Remove it"}
              onClick={() => update(row.key, { removed: !row.removed, value: "" })}
            >
              <Icon name={row.removed ? "refresh" : "trash"} />
            </button>
          </div>
        ) : (
          <div key={row.key} className={styles.secretRow}>
            <input
              className={`input ${styles.mono}`}
              aria-label={`Secret ${index + 1} name`}
              placeholder={namePlaceholder}
              value={row.name}
              autoComplete="off"
              spellCheck={false}
              onChange={(e) => update(row.key, { name: e.target.value })}
            />
            <input
              className="input"
              type="password"
              autoComplete="new-password"
              aria-label={`Secret ${index + 1} value`}
              placeholder={valuePlaceholder}
              value={row.value}
              onChange={(e) => update(row.key, { value: e.target.value })}
            />
            <button type="button" className="icon-button" aria-label={`Remove secret ${index + 1}`} onClick={() => onChange(rows.filter((r) => r.key !== row.key))}>
              <Icon name="close" />
            </button>
          </div>
        ),
      )}
      <p className="field-hint" id="mcp-secrets-hint">
        {transport === "stdio"
          ? "Passed to the command as environment variables. "
          : "Sent as headers on every request to the server (e.g. Authorization). "}
        Encrypted at rest; after saving only their names are shown.
      </p>
      {mustReenter.length > 0 && (
        <p className="field-error">
          You changed where this server runs: type {mustReenter.join(", ")} again or remove {mustReenter.length === 1 ? "it" : "them"}, so stored
          secrets are never sent to a different server.
        </p>
      )}
      {error && <p className="field-error">{error}</p>}
    </div>
  );
}
