"use client";
// A secret the server returns exactly once (generated password, new API key).
import { useState } from "react";
import { Alert } from "./alert";
import { Icon } from "./icons";

async function copyText(text: string) {
  // navigator.clipboard needs a secure context; self-hosted installs are often plain http.
  if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  document.execCommand("copy");
  area.remove();
}

export function CopyButton({ text, label = "Copy" }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="btn btn-secondary btn-sm"
      onClick={async () => {
        await copyText(text);
        setCopied(true);
        setTimeout(() => setCopied(false), 2000);
      }}
    >
      <Icon name={copied ? "check" : "copy"} />
      {copied ? "Copied" : label}
    </button>
  );
}

export function SecretReveal({ value, testId, warning }: { value: string; testId: string; warning: string }) {
  return (
    <div className="stack">
      <Alert tone="warning" title="Shown only once">
        {warning}
      </Alert>
      <div className="secret">
        <code className="secret-value" data-testid={testId}>{value}</code>
        <CopyButton text={value} />
      </div>
    </div>
  );
}
