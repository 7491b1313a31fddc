"use client";
// Recent audit entries of the selected team, with new ones prepended as the server
// pushes them. History needs audit:read; the live stream reaches every member.
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import type { AuditEntryDto } from "@/server/shared/dto";
import { useTRPC } from "@/components/providers/trpc";
import { useCan, useTeam } from "@/components/shell/shell-context";
import { useTeamEvent } from "@/components/realtime/use-team-events";
import { RealtimeStatusBadge } from "@/components/realtime/realtime-status";
import { Card } from "@/components/ui/card";
import { Icon } from "@/components/ui/icons";
import { Time } from "@/components/ui/time";
import { LinkButton } from "@/components/ui/button";
import { actorName, auditIcon, describeAudit } from "@/components/audit/describe";
import { LIVE_ACTIVITY_HISTORY } from "./constants";

const SHOWN = 30;

export function LiveActivity() {
  const trpc = useTRPC();
  const team = useTeam();
  const canReadAudit = useCan("audit:read");
  const history = useQuery({
    ...trpc.audit.list.queryOptions({ teamId: team.id, limit: LIVE_ACTIVITY_HISTORY }),
    enabled: canReadAudit,
  });
  // The page renders this with key={team.id}, so switching teams starts a fresh list.
  const [liveEntries, setLiveEntries] = useState<AuditEntryDto[]>([]);

  useTeamEvent("audit:created", (entry) => setLiveEntries((current) => [entry, ...current].slice(0, SHOWN)), { teamId: team.id });

  const freshIds = useMemo(() => new Set(liveEntries.map((e) => e.id)), [liveEntries]);
  const entries = useMemo(() => {
    const seen = new Set<string>();
    return [...liveEntries, ...(history.data?.items ?? [])]
      .filter((e) => !seen.has(e.id) && seen.add(e.id))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .slice(0, SHOWN);
  }, [liveEntries, history.data]);

  return (
    <Card
      className="card-flush"
      data-testid="live-activity"
      title={
        <>
          <Icon name="activity" /> Live activity
        </>
      }
      actions={
        <>
          <RealtimeStatusBadge />
          {canReadAudit && (
            <LinkButton href="/admin/audit" size="sm" variant="ghost">
              Audit log
            </LinkButton>
          )}
        </>
      }
    >
      {!canReadAudit && (
        <p className="feed-note">
          Changes in {team.name} appear here as they happen. Earlier history is in the audit log, which your role cannot read.
        </p>
      )}
      {canReadAudit && history.isPending && <p className="feed-empty">Loading recent activity…</p>}
      {canReadAudit && history.isError && <p className="feed-empty">Recent activity could not be loaded: {history.error.message}</p>}
      {entries.length === 0 && canReadAudit && history.isSuccess && (
        <p className="feed-empty">Nothing has happened in {team.name} yet. New activity will appear here live.</p>
      )}
      {entries.length > 0 && (
        <ol className="feed" aria-label="Recent activity, newest first" aria-live="polite">
          {entries.map((entry) => (
            <li key={entry.id} className="feed-item" data-fresh={freshIds.has(entry.id)}>
              <span className="feed-icon">
                <Icon name={auditIcon(entry.action)} />
              </span>
              <div>
                <div className="feed-title">
                  <strong>{actorName(entry)}</strong> {describeAudit(entry)}
                </div>
                <div className="feed-meta">
                  <code className="chip">{entry.action}</code>
                  {entry.ip && <span>from {entry.ip}</span>}
                </div>
              </div>
              <span className="feed-time">
                <Time iso={entry.createdAt} relative />
              </span>
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}
