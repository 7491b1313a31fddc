"use client";
import { LinkButton, Button } from "@/components/ui/button";
import { Icon } from "@/components/ui/icons";

/** What an error boundary shows: an apology, the reference the server logged, a retry. */
export function ErrorNotice({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="status-page" role="alert">
      <div className="empty-state-icon" style={{ background: "var(--danger-soft)", color: "var(--danger)" }}>
        <Icon name="alert" size={22} />
      </div>
      <p className="status-code" style={{ color: "var(--danger)" }}>
        SOMETHING WENT WRONG
      </p>
      <h1 className="status-title">This page could not be shown</h1>
      <p className="status-body">
        The error has been logged on the server. Trying again often helps; if it keeps happening, send the reference below to
        whoever runs this Maestro installation.
      </p>
      {error.digest && (
        <p className="faint">
          Reference: <code>{error.digest}</code>
        </p>
      )}
      <div className="status-actions">
        <Button variant="primary" onClick={reset}>
          Try again
        </Button>
        <LinkButton href="/">Back to the dashboard</LinkButton>
      </div>
    </div>
  );
}
