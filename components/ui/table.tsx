import type { ReactNode } from "react";

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
