"use client";
// Last resort when the root layout itself fails: no providers, no stylesheet guarantees.
export default function GlobalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: "system-ui, sans-serif", display: "grid", placeItems: "center", minHeight: "100vh", margin: 0 }}>
        <div role="alert" style={{ maxWidth: 480, padding: 24, textAlign: "center" }}>
          <h1 style={{ fontSize: 20 }}>Maestro could not load</h1>
          <p>The error has been logged on the server.{error.digest ? ` Reference: ${error.digest}.` : ""}</p>
          <button type="button" onClick={reset} style={{ padding: "8px 14px", cursor: "pointer" }}>
            Try again
          </button>
        </div>
      </body>
    </html>
  );
}
