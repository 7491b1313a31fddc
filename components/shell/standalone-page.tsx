import Link from "next/link";
import type { ReactNode } from "react";
import { Brand } from "./sidebar";

/** Pages shown outside the dashboard shell (login, root 404/403/error). */
export function StandalonePage({ children, narrow = false }: { children: ReactNode; narrow?: boolean }) {
  return (
    <main className="auth-page">
      <div className={narrow ? "auth-card" : undefined} style={narrow ? undefined : { width: "min(100%, 640px)" }}>
        <Link href="/" className="auth-brand" style={{ color: "inherit", textDecoration: "none", justifyContent: narrow ? undefined : "center" }}>
          <Brand />
        </Link>
        {children}
      </div>
    </main>
  );
}
