import type { ReactNode } from "react";
import { cx } from "./cx";

export function Card({ title, actions, children, className, ...rest }: { title?: ReactNode; actions?: ReactNode; children: ReactNode; className?: string; "data-testid"?: string }) {
  return (
    <section className={cx("card", className)} {...rest}>
      {(title || actions) && (
        <header className="card-header">
          {title && <h2 className="card-title">{title}</h2>}
          {actions && <div className="card-actions">{actions}</div>}
        </header>
      )}
      <div className="card-body">{children}</div>
    </section>
  );
}
