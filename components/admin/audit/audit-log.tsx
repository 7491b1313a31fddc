"use client";
import { Fragment, useDeferredValue, useState } from "react";
import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import type { AuditEntryDto, JsonValue } from "@/server/shared/dto";
import { useTRPC } from "@/components/providers/trpc";
import { useTeam } from "@/components/shell/shell-context";
import { describeAudit } from "@/components/audit/describe";
import { Button } from "@/components/ui/button";
import { Icon } from "@/components/ui/icons";
import { ActionsHeaderCell, QueryStateRows, TableFrame, TableMessage } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { AuditFilters, NO_FILTERS, filtersToInput, type AuditFilterValues } from "./audit-filters";
import { AUDIT_PAGE_SIZE } from "./constants";

function JsonBlock({ label, value }: { label: string; value: JsonValue | null }) {
  return (
    <div className="stack" style={{ gap: 4, minWidth: 0 }}>
      <span className="stat-label">{label}</span>
      {value === null ? <p className="faint">Nothing recorded</p> : <pre className="json">{JSON.stringify(value, null, 2)}</pre>}
    </div>
  );
}

function AuditRow({ entry, expanded, onToggle }: { entry: AuditEntryDto; expanded: boolean; onToggle: () => void }) {
  const hasDetails = entry.before !== null || entry.after !== null;
  const detailsId = `audit-${entry.id}`;
  return (
    <>
      <tr>
        <td className="nowrap" data-label="When">
          <Time iso={entry.createdAt} />
        </td>
        <td data-label="Who">{entry.actorLabel ?? <span className="faint">System</span>}</td>
        <td className="cell-title">
          <code className="chip">{entry.action}</code>
          <div className="cell-sub">{describeAudit(entry)}</div>
        </td>
        <td className="nowrap" data-label="Target">
          {entry.targetType ? (
            <span className="cell-sub" title={entry.targetId ?? undefined}>
              {entry.targetType}
              {entry.targetId && <code> · {entry.targetId.slice(0, 10)}</code>}
            </span>
          ) : (
            <span className="faint">—</span>
          )}
        </td>
        <td className="mono nowrap" data-label="IP">{entry.ip ?? <span className="faint">—</span>}</td>
        <td className="cell-actions">
          {hasDetails && (
            <button type="button" className="icon-button" aria-expanded={expanded} aria-controls={detailsId} aria-label={expanded ? "Hide changes" : "Show changes"} onClick={onToggle}>
              <Icon name={expanded ? "chevronDown" : "chevronRight"} />
            </button>
          )}
        </td>
      </tr>
      {expanded && (
        <tr id={detailsId}>
          <td colSpan={6} className="cell-full" style={{ background: "var(--surface-2)" }}>
            <div className="grid-2" style={{ gridTemplateColumns: "repeat(auto-fit, minmax(240px, 1fr))" }}>
              <JsonBlock label="Before" value={entry.before} />
              <JsonBlock label="After" value={entry.after} />
            </div>
          </td>
        </tr>
      )}
    </>
  );
}

export function AuditLog() {
  const trpc = useTRPC();
  const team = useTeam();
  const [filters, setFilters] = useState<AuditFilterValues>(NO_FILTERS);
  const deferred = useDeferredValue(filters);
  const [expanded, setExpanded] = useState<Set<string>>(new Set());

  const log = useInfiniteQuery({
    ...trpc.audit.list.infiniteQueryOptions(
      { teamId: team.id, limit: AUDIT_PAGE_SIZE, ...filtersToInput(deferred) },
      { getNextPageParam: (page) => page.nextCursor ?? undefined },
    ),
    placeholderData: keepPreviousData,
  });
  const entries = log.data?.pages.flatMap((p) => p.items) ?? [];
  const total = log.data?.pages[0]?.total ?? 0;
  const toggle = (id: string) =>
    setExpanded((current) => {
      const next = new Set(current);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  return (
    <div className="stack">
      <AuditFilters value={filters} onChange={setFilters} />
      <TableFrame label="Audit log" stack>
        <thead>
          <tr>
            <th>When</th>
            <th>Who</th>
            <th>Action</th>
            <th>Target</th>
            <th>IP</th>
            <ActionsHeaderCell label="Details" />
          </tr>
        </thead>
        <tbody>
          <QueryStateRows query={log} colSpan={6} noun="the audit log" />
          {log.isSuccess && entries.length === 0 && (
            <TableMessage colSpan={6}>{Object.values(deferred).some(Boolean) ? "No entries match these filters." : "Nothing has been recorded yet."}</TableMessage>
          )}
          {entries.map((entry) => (
            <Fragment key={entry.id}>
              <AuditRow entry={entry} expanded={expanded.has(entry.id)} onToggle={() => toggle(entry.id)} />
            </Fragment>
          ))}
        </tbody>
      </TableFrame>
      <div className="pagination">
        <span aria-live="polite">{log.isSuccess ? `Showing ${entries.length} of ${total} entr${total === 1 ? "y" : "ies"}` : ""}</span>
        {log.hasNextPage && (
          <Button size="sm" pending={log.isFetchingNextPage} onClick={() => void log.fetchNextPage()}>
            Load more
          </Button>
        )}
      </div>
    </div>
  );
}
