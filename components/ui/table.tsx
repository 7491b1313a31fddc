import type { ReactNode } from "react";
import { errorMessage } from "@/components/lib/api-error";
import { Button } from "./button";
import styles from "./table.module.css";

/** The class of a numeric column's header and cells: right-aligned, figures lined up. */
export const numericCell = styles.num;

/** Horizontally scrollable on narrow screens; with `stack`, rows become cards on phones (cells need data-label). */
export function TableFrame({ children, label, stack = false }: { children: ReactNode; label?: string; stack?: boolean }) {
  return (
    <div className="table-frame" role={label ? "region" : undefined} aria-label={label} tabIndex={label ? 0 : undefined}>
      <table className={stack ? "table table-stack" : "table"}>{children}</table>
    </div>
  );
}

export function TableMessage({ colSpan, children }: { colSpan: number; children: ReactNode }) {
  return (
    <tr>
      <td colSpan={colSpan} className="table-message">
        {children}
      </td>
    </tr>
  );
}

/** The header of the trailing buttons column: empty to the eye, named for screen readers. */
export function ActionsHeaderCell({ label = "Actions" }: { label?: string }) {
  return (
    <th className="cell-actions">
      <span className="visually-hidden">{label}</span>
    </th>
  );
}

/** The trailing cell of a row's buttons (under ActionsHeaderCell); empty when there are none. */
export function ActionsCell({ children }: { children?: ReactNode }) {
  return <td className="cell-actions">{children && <div className="row">{children}</div>}</td>;
}

/** A small button in a row's ActionsCell, named for screen readers after the row: "Edit team-budget". */
export function RowAction({ label, rowName, onClick, pending }: { label: string; rowName: string; onClick: () => void; pending?: boolean }) {
  return (
    <Button size="sm" variant="ghost" pending={pending} onClick={onClick} aria-label={`${label} ${rowName}`}>
      {label}
    </Button>
  );
}

interface QueryState {
  isPending: boolean;
  isError: boolean;
  error: unknown;
}

/**
 * The rows a table shows while its query loads or after it failed, spanning the whole table.
 * `noun` is what the table lists, in lower case mid-sentence ("teams", "the audit log").
 */
export function QueryStateRows({ query, colSpan, noun }: { query: QueryState; colSpan: number; noun: string }) {
  return (
    <>
      {query.isPending && <TableMessage colSpan={colSpan}>{`Loading ${noun}…`}</TableMessage>}
      {query.isError && (
        <TableMessage colSpan={colSpan}>
          {`${noun.charAt(0).toUpperCase()}${noun.slice(1)} could not be loaded: `}
          {errorMessage(query.error)}
        </TableMessage>
      )}
    </>
  );
}
