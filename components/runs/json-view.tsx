"use client";
// A JSON value as a collapsible tree (native <details>, so it works from the keyboard),
// strings shown whole with their line breaks, and a button to copy the whole value.
import type { ReactNode } from "react";
import { CopyButton } from "@/components/ui/secret-reveal";
import styles from "./runs.module.css";

function summary(value: object): string {
  if (Array.isArray(value)) return value.length === 1 ? "1 item" : `${value.length} items`;
  const keys = Object.keys(value).length;
  return keys === 1 ? "1 key" : `${keys} keys`;
}

function Primitive({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span className={styles.jsonNull}>null</span>;
  if (typeof value === "string") return value.includes("\n") || value.length > 80 ? <span className={`${styles.jsonString} ${styles.jsonLong}`}>{value}</span> : <span className={styles.jsonString}>“{value}”</span>;
  if (typeof value === "number") return <span className={styles.jsonNumber}>{value}</span>;
  if (typeof value === "boolean") return <span className={styles.jsonBoolean}>{String(value)}</span>;
  return <span>{String(value)}</span>;
}

function Node({ name, value, depth, openDepth }: { name: ReactNode; value: unknown; depth: number; openDepth: number }) {
  if (value === null || typeof value !== "object") {
    return (
      <li className={styles.jsonLeaf}>
        {name !== null && <span className={styles.jsonKey}>{name}:</span>} <Primitive value={value} />
      </li>
    );
  }
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  return (
    <li>
      <details open={depth < openDepth}>
        <summary>
          {name !== null && <span className={styles.jsonKey}>{name}:</span>} <span className={styles.jsonMeta}>{Array.isArray(value) ? `[ ${summary(value)} ]` : `{ ${summary(value)} }`}</span>
        </summary>
        {entries.length > 0 && (
          <ul className={styles.jsonList}>
            {entries.map(([key, inner]) => (
              <Node key={key} name={Array.isArray(value) ? <span className={styles.jsonIndex}>{key}</span> : key} value={inner} depth={depth + 1} openDepth={openDepth} />
            ))}
          </ul>
        )}
      </details>
    </li>
  );
}

export function JsonView({ value, label, openDepth = 2, testId }: { value: unknown; label: string; openDepth?: number; testId?: string }) {
  const text = value === undefined ? "null" : JSON.stringify(value, null, 2);
  return (
    <div className={styles.json} data-testid={testId}>
      <div className={styles.jsonToolbar}>
        <span className={styles.jsonLabel}>{label}</span>
        <CopyButton text={text} label="Copy JSON" />
      </div>
      <ul className={styles.jsonList} aria-label={label} style={{ paddingLeft: 0 }}>
        <Node name={null} value={value} depth={0} openDepth={openDepth} />
      </ul>
    </div>
  );
}
