"use client";
// What a connection test said: ok or not, how long it took, the vendor's message, and the
// models the endpoint reports, each a button that adds it to the provider's models.
import type { ProviderTestResultDto } from "@/server/shared/providers";
import { Badge } from "@/components/ui/badge";
import { Icon } from "@/components/ui/icons";
import { formatMs } from "@/components/lib/units";
import styles from "./llm-providers.module.css";

const SHOWN_MODELS = 40;

export function ProviderTestResult({
  result,
  enabledModels,
  onPickModel,
  pickDisabled = false,
}: {
  result: ProviderTestResultDto;
  enabledModels: readonly string[];
  /** Without it the reported models are shown, not offered. */
  onPickModel?: (model: string) => void;
  pickDisabled?: boolean;
}) {
  const shown = result.models.slice(0, SHOWN_MODELS);
  return (
    <div className={styles.testResult} data-testid="provider-test-result" role="status">
      <div className={styles.testHead}>
        {result.ok ? (
          <Badge tone="success">
            <Icon name="check" size={12} /> Connected
          </Badge>
        ) : (
          <Badge tone="danger">
            <Icon name="alert" size={12} /> Failed
          </Badge>
        )}
        <span className="muted">{formatMs(result.latencyMs)}</span>
        {result.message && <span className={styles.testMessage}>{result.message}</span>}
      </div>
      {result.models.length > 0 && (
        <div className="stack" style={{ gap: 6 }}>
          <span className="faint" style={{ fontSize: 12.5 }}>
            {onPickModel ? "Models the endpoint reports — click one to enable it:" : "Models the endpoint reports:"}
          </span>
          <div className="chip-list">
            {shown.map((model) => {
              const enabled = enabledModels.includes(model);
              return onPickModel ? (
                <button
                  key={model}
                  type="button"
                  className={styles.modelChip}
                  disabled={enabled || pickDisabled}
                  aria-pressed={enabled}
                  title={enabled ? "Already enabled" : `Enable ${model}`}
                  onClick={() => onPickModel(model)}
                >
                  {enabled ? <Icon name="check" size={11} /> : <Icon name="plus" size={11} />}
                  {model}
                </button>
              ) : (
                <code key={model} className="chip">
                  {model}
                </code>
              );
            })}
            {result.models.length > shown.length && <span className="chip">+{result.models.length - shown.length} more</span>}
          </div>
        </div>
      )}
    </div>
  );
}
