"use client";
// What one gateway call cost and how it went: tokens, cost, latency, cache, the target
// that answered and every attempt before it (fallbacks).
import type { ReactNode } from "react";
import type { CallMetaDto } from "@/server/shared/gateway";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { cx } from "@/components/ui/cx";
import { Icon } from "@/components/ui/icons";
import lists from "@/components/ui/list.module.css";
import { formatInt, formatMs } from "@/components/lib/units";
import styles from "./playground.module.css";

export const usd6 = (value: number) => `$${value.toFixed(6)}`;

function Detail({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div className={styles.detail}>
      <div className={styles.detailLabel}>{label}</div>
      <div className={styles.detailValue} data-testid={testId}>
        {children}
      </div>
    </div>
  );
}

export function CallDetails({ meta, finishReason }: { meta: CallMetaDto; finishReason: string | null }) {
  const fallbacks = meta.attempts.filter((a) => a.outcome !== "ok").length;
  return (
    <Card
      title={
        <>
          <Icon name="activity" /> Last call
        </>
      }
      actions={
        <span data-testid="playground-cache">
          {meta.cacheHit ? <Badge tone="success">Cache hit</Badge> : <Badge>Cache miss</Badge>}
        </span>
      }
      data-testid="playground-details"
    >
      <div className="stack">
        <div className={styles.details}>
          <Detail label="Answered by" testId="playground-provider">
            {meta.provider}/{meta.model}
          </Detail>
          <Detail label="Cost" testId="playground-cost">
            {usd6(meta.costUsd)}
          </Detail>
          <Detail label="Tokens" testId="playground-tokens">
            {formatInt(meta.inputTokens)} in · {formatInt(meta.outputTokens)} out · {formatInt(meta.cachedInputTokens)} cached
          </Detail>
          <Detail label="Latency" testId="playground-latency">
            {formatMs(meta.latencyMs)}
          </Detail>
          <Detail label="First chunk" testId="playground-first-chunk">
            {formatMs(meta.firstChunkMs)}
          </Detail>
          <Detail label="Strategy">
            {meta.strategy}
            {finishReason ? <span className="faint"> · {finishReason}</span> : null}
          </Detail>
        </div>
        {meta.attempts.length > 0 && (
          <div className="stack" style={{ gap: 6 }}>
            <div className={styles.detailLabel}>
              Attempts{fallbacks > 0 ? ` (${fallbacks} fell back)` : ""}
            </div>
            <ol className={cx(lists.column, styles.attempts)} data-testid="playground-attempts">
              {meta.attempts.map((a, i) => (
                <li key={i}>
                  <span className="faint">{i + 1}.</span>
                  <code>{a.target}</code>
                  <Badge tone={a.outcome === "ok" ? "success" : a.outcome === "skipped" ? "neutral" : "danger"}>{a.outcome}</Badge>
                  <span className="faint">{formatMs(a.latencyMs)}</span>
                  {(a.errorKind || a.message) && (
                    <span className="muted" style={{ overflowWrap: "anywhere" }}>
                      {[a.errorKind, a.message].filter(Boolean).join(": ")}
                    </span>
                  )}
                </li>
              ))}
            </ol>
          </div>
        )}
      </div>
    </Card>
  );
}
