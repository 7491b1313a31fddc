"use client";
import { LinkButton, Button } from "@/components/ui/button";
import { StatusNotice } from "./status-notice";

/** What an error boundary shows: an apology, the reference the server logged, a retry. */
export function ErrorNotice({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <StatusNotice
      icon="alert"
      code="SOMETHING WENT WRONG"
      title="This page could not be shown"
      tone="danger"
      actions={
        <>
          <Button variant="primary" onClick={reset}>
            Try again
          </Button>
          <LinkButton href="/">Back to the dashboard</LinkButton>
        </>
      }
    >
      <p className="status-body">
        The error has been logged on the server. Trying again often helps; if it keeps happening, send the reference below to
        whoever runs this Maestro installation.
      </p>
      {error.digest && (
        <p className="faint">
          Reference: <code>{error.digest}</code>
        </p>
      )}
    </StatusNotice>
  );
}
