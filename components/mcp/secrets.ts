// The secrets part of the MCP server form. Stored values never come back from the server:
// a stored secret is a name that may be kept, replaced or removed; new ones are name/value
// pairs. What is sent follows the API: a value sets, null removes, an omitted name keeps.

export interface SecretRow {
  /** Stable React key. */
  key: string;
  name: string;
  value: string;
  /** Saved on the server (its name is fixed; its value is unknown here). */
  stored: boolean;
  removed: boolean;
}

let nextKey = 0;
const newKey = () => `secret-${++nextKey}`;

export function storedSecretRows(names: readonly string[]): SecretRow[] {
  return names.map((name) => ({ key: newKey(), name, value: "", stored: true, removed: false }));
}

export function emptySecretRow(): SecretRow {
  return { key: newKey(), name: "", value: "", stored: false, removed: false };
}

/** The changes to send; undefined when nothing changed. Blank new rows are ignored. */
export function secretChanges(rows: readonly SecretRow[]): Record<string, string | null> | undefined {
  const changes: Record<string, string | null> = {};
  for (const row of rows) {
    const name = row.name.trim();
    if (row.stored) {
      if (row.removed) changes[name] = null;
      else if (row.value !== "") changes[name] = row.value;
    } else if (name || row.value) {
      changes[name] = row.value;
    }
  }
  return Object.keys(changes).length ? changes : undefined;
}

/** A problem the server would refuse less clearly: a name given twice, or a value without a name. */
export function secretRowsProblem(rows: readonly SecretRow[]): string | null {
  const seen = new Set<string>();
  for (const row of rows) {
    if (row.removed) continue;
    const name = row.name.trim();
    if (!row.stored && !name && row.value) return "Give each secret a name.";
    if (!name) continue;
    if (seen.has(name)) return `The secret "${name}" is listed twice.`;
    seen.add(name);
  }
  return null;
}

/** Stored secrets that would be kept as they are (neither re-entered nor removed). */
export function keptStoredSecrets(rows: readonly SecretRow[]): string[] {
  return rows.filter((row) => row.stored && !row.removed && row.value === "").map((row) => row.name);
}

/** Arguments typed one per line; blank lines dropped. */
export function parseArgs(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}
