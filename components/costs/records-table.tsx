"use client";
// Recent calls (usage records) of the period, newest first, a page at a time.
import { useState } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { USAGE_OUTCOMES, type UsageOutcome, type UsageRecordDto } from "@/server/shared/usage";
import { useTRPC } from "@/components/providers/trpc";
import { useTeam } from "@/components/shell/shell-context";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Icon } from "@/components/ui/icons";
import { numericCell, QueryStateRows, TableFrame, TableMessage } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { formatInt, formatMs } from "@/components/lib/units";
import type { Range } from "./period";
import styles from "./costs.module.css";

const PAGE_SIZE = 20;
const OUTCOME_TONES: Record<UsageOutcome, BadgeTone> = { ok: "success", error: "danger", cancelled: "neutral", refused: "warning" };

function Who({ record }: { record: UsageRecordDto }) {
  if (record.apiKeyName) return <span title="API key">{record.apiKeyName}</span>;
  return <>{record.userEmail ?? <span className="faint">—</span>}</>;
}

export function RecordsTable({ range }: { range: Range }) {
  const trpc = useTRPC();
  const team = useTeam();
  const [outcome, setOutcome] = useState<UsageOutcome | "">("");
  // Cursors of the pages seen so far, so Previous works without the server going backwards.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const page = cursors.length - 1;
  const records = useQuery({
    ...trpc.usage.records.queryOptions({
      teamId: team.id,
      from: range.from,
      to: range.to,
      limit: PAGE_SIZE,
      ...(cursors[page] ? { cursor: cursors[page] } : {}),
      ...(outcome ? { outcome } : {}),
    }),
    placeholderData: keepPreviousData,
  });
  const rows = records.data?.items ?? [];
  const columns = 9;

  return (
    <Card
      title="Recent calls"
      className="card-flush"
      actions={
        <select
          className="input select input-sm"
          style={{ width: "auto" }}
          value={outcome}
          aria-label="Outcome"
          onChange={(e) => {
            setOutcome(e.target.value as UsageOutcome | "");
            setCursors([undefined]);
          }}
        >
          <option value="">All outcomes</option>
          {USAGE_OUTCOMES.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      }
    >
      <TableFrame label="Recent calls" stack>
        <thead>
          <tr>
            <th>When</th>
            <th>Model</th>
            <th>Operation</th>
            <th>Who</th>
            <th className={numericCell}>Tokens in / out</th>
            <th className={numericCell}>Cost</th>
            <th className={numericCell}>Latency</th>
            <th>Cache</th>
            <th>Outcome</th>
          </tr>
        </thead>
        <tbody data-testid="costs-records">
          <QueryStateRows query={records} colSpan={columns} noun="calls" />
          {records.isSuccess && rows.length === 0 && <TableMessage colSpan={columns}>No calls in this period{outcome ? ` with outcome “${outcome}”` : ""}.</TableMessage>}
          {rows.map((r) => (
            <tr key={r.id}>
              <td className="cell-title nowrap">
                <Time iso={r.createdAt} relative />
              </td>
              <td data-label="Model">
                <code style={{ overflowWrap: "anywhere" }}>{r.providerName ? `${r.providerName}/${r.model}` : r.model}</code>
              </td>
              <td data-label="Operation">{r.operation}</td>
              <td data-label="Who" style={{ overflowWrap: "anywhere" }}>
                <Who record={r} />
              </td>
              <td data-label="Tokens" className={numericCell}>
                {formatInt(r.inputTokens)} / {formatInt(r.outputTokens)}
                {r.cachedInputTokens > 0 && <div className="cell-sub">{formatInt(r.cachedInputTokens)} cached</div>}
              </td>
              <td data-label="Cost" className={numericCell}>
                ${r.costUsd.toFixed(6)}
              </td>
              <td data-label="Latency" className={numericCell}>
                {formatMs(r.latencyMs)}
              </td>
              <td data-label="Cache">{r.cacheHit ? <Badge tone="success">hit</Badge> : <span className="faint">miss</span>}</td>
              <td data-label="Outcome">
                <Badge tone={OUTCOME_TONES[r.outcome]} title={r.errorMessage ?? undefined}>
                  {r.outcome}
                </Badge>
                {r.errorMessage && (
                  <span className={styles.errorText} title={r.errorMessage}>
                    {r.errorMessage}
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </TableFrame>
      <div className="pagination" style={{ padding: "10px 16px" }}>
        <span>
          Page {page + 1}
          {records.isFetching && records.isPlaceholderData ? " · loading…" : ""}
        </span>
        <div className="row">
          <Button size="sm" disabled={page === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>
            <Icon name="chevronLeft" />
            Newer
          </Button>
          <Button
            size="sm"
            disabled={!records.data?.nextCursor || records.isPlaceholderData}
            onClick={() => records.data?.nextCursor && setCursors((c) => [...c, records.data!.nextCursor!])}
          >
            Older
            <Icon name="chevronRight" />
          </Button>
        </div>
      </div>
    </Card>
  );
}
