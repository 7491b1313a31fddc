"use client";
// Every run of the team, newest first, filtered by status and workflow, a page at a time,
// kept current by the live "run:event" feed.
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import type { RunSummaryDto } from "@/server/shared/runs";
import { RUN_STATUSES, type RunStatus } from "@/server/shared/workflow-definition";
import { useTRPC } from "@/components/providers/trpc";
import { useCan, useTeam } from "@/components/shell/shell-context";
import { useTeamEvent } from "@/components/realtime/use-team-events";
import { RealtimeStatusBadge } from "@/components/realtime/realtime-status";
import { formatUsd } from "@/components/lib/units";
import { RunStatusBadge } from "@/components/graph/status-badge";
import { RUN_STATUS_META } from "@/components/graph/statuses";
import { Button, LinkButton } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Icon } from "@/components/ui/icons";
import { PageHeader } from "@/components/ui/page-header";
import { numericCell, QueryStateRows, TableFrame, TableMessage } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { RUNS_PAGE_SIZE } from "./constants";
import { durationMs, formatDuration, isFinishedRun } from "./run-model";
import { useNow } from "./use-now";
import styles from "./runs.module.css";
import { RunLimits } from "./run-limits";

const REFRESH_AFTER_MS = 800;
const SAFETY_POLL_MS = 15_000;

function Progress({ run }: { run: RunSummaryDto }) {
  const { done, total } = run.progress;
  const ratio = total ? Math.min(1, done / total) : 0;
  return (
    <div className={styles.progress} title={`${done} of ${total} steps finished`}>
      <div className={styles.progressBar} data-status={run.status} aria-hidden="true">
        <span style={{ width: `${ratio * 100}%`, background: RUN_STATUS_META[run.status].color }} />
      </div>
      <span className={styles.progressText}>
        {done}/{total}
      </span>
    </div>
  );
}

function isRunStatus(value: string | null): value is RunStatus {
  return RUN_STATUSES.includes(value as RunStatus);
}

export function RunsPanel() {
  const trpc = useTRPC();
  const team = useTeam();
  const queryClient = useQueryClient();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const canSeeWorkflows = useCan("workflows:read");
  const initialStatus = params.get("status");
  const [status, setStatus] = useState<RunStatus | "">(isRunStatus(initialStatus) ? initialStatus : "");
  const [workflowId, setWorkflowId] = useState(params.get("workflow") ?? "");
  // Cursors of the pages seen so far, so Newer works without the server going backwards.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const page = cursors.length - 1;
  const input = {
    teamId: team.id,
    limit: RUNS_PAGE_SIZE,
    ...(status ? { status: [status] } : {}),
    ...(workflowId ? { workflowId } : {}),
    ...(cursors[page] ? { cursor: cursors[page] } : {}),
  };
  const runs = useQuery({
    ...trpc.runs.list.queryOptions(input),
    placeholderData: keepPreviousData,
    // Events keep the list current; a slow poll while runs are going guards against a lost one.
    refetchInterval: (query) => (query.state.data?.items.some((r) => !isFinishedRun(r.status)) ? SAFETY_POLL_MS : false),
  });
  const workflows = useQuery({ ...trpc.workflows.list.queryOptions({ teamId: team.id }), enabled: canSeeWorkflows });
  const rows = runs.data?.items ?? [];
  const now = useNow(rows.some((r) => !isFinishedRun(r.status)));

  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (pending.current) clearTimeout(pending.current);
    },
    [],
  );
  useTeamEvent("run:event", (event) => {
    if (event.type !== "run.status" && event.type !== "step.status") return;
    if (pending.current) return;
    // Many steps finishing at once refresh the list once.
    pending.current = setTimeout(() => {
      pending.current = null;
      void queryClient.invalidateQueries({ queryKey: trpc.runs.list.pathKey() });
    }, REFRESH_AFTER_MS);
  });

  function filter(next: { status?: RunStatus | ""; workflowId?: string }) {
    const s = next.status ?? status;
    const w = next.workflowId ?? workflowId;
    setStatus(s);
    setWorkflowId(w);
    setCursors([undefined]);
    const query = new URLSearchParams();
    if (s) query.set("status", s);
    if (w) query.set("workflow", w);
    router.replace(query.size ? `${pathname}?${query}` : pathname, { scroll: false });
  }

  const filtered = Boolean(status || workflowId);
  const columns = 7;
  return (
    <div className="stack-lg">
      <PageHeader
        title="Runs"
        description="Every workflow run of the team, newest first, with live progress. Open a run to follow its steps, their output and cost."
        actions={<RealtimeStatusBadge />}
      />
      <RunLimits />
      <div className="toolbar" role="search" aria-label="Filter runs">
        <div className="field">
          <label className="field-label" htmlFor="runs-status">
            Status
          </label>
          <select id="runs-status" className="input select" value={status} onChange={(e) => filter({ status: e.target.value as RunStatus | "" })}>
            <option value="">All statuses</option>
            {RUN_STATUSES.map((s) => (
              <option key={s} value={s}>
                {RUN_STATUS_META[s].label}
              </option>
            ))}
          </select>
        </div>
        {canSeeWorkflows && (
          <div className="field grow">
            <label className="field-label" htmlFor="runs-workflow">
              Workflow
            </label>
            <select id="runs-workflow" className="input select" value={workflowId} onChange={(e) => filter({ workflowId: e.target.value })}>
              <option value="">All workflows</option>
              {(workflows.data ?? []).map((w) => (
                <option key={w.id} value={w.id}>
                  {w.name}
                </option>
              ))}
            </select>
          </div>
        )}
        {filtered && (
          <Button variant="ghost" onClick={() => filter({ status: "", workflowId: "" })}>
            Clear filters
          </Button>
        )}
      </div>

      {runs.isSuccess && rows.length === 0 && page === 0 && !filtered ? (
        <section className="card">
          <EmptyState
            icon="runs"
            title="No runs yet"
            actions={
              canSeeWorkflows && (
                <LinkButton href="/workflows" variant="primary">
                  Go to the workflows
                </LinkButton>
              )
            }
          >
            <p>A run starts when someone presses Run on a workflow, or calls the API or the CLI. Its progress shows up here as it happens.</p>
          </EmptyState>
        </section>
      ) : (
        <section className="card card-flush">
          <TableFrame label="Runs" stack>
            <thead>
              <tr>
                <th>Run</th>
                <th>Status</th>
                <th>Progress</th>
                <th className={numericCell}>Cost</th>
                <th className={numericCell}>Duration</th>
                <th>Started by</th>
                <th>Started</th>
              </tr>
            </thead>
            <tbody data-testid="runs-table">
              <QueryStateRows query={runs} colSpan={columns} noun="runs" />
              {runs.isSuccess && rows.length === 0 && <TableMessage colSpan={columns}>No runs match these filters.</TableMessage>}
              {rows.map((r) => (
                <tr key={r.id} data-testid={`run-row-${r.id}`} data-status={r.status}>
                  <td className="cell-title">
                    <Link href={`/runs/${r.id}`} className="cell-primary">
                      {r.workflowName}
                    </Link>
                    <div className="cell-sub">
                      <code>{r.id.slice(-8)}</code> · v{r.version}
                    </div>
                  </td>
                  <td data-label="Status">
                    <RunStatusBadge status={r.status} />
                  </td>
                  <td data-label="Progress">
                    <Progress run={r} />
                  </td>
                  <td data-label="Cost" className={numericCell}>
                    {formatUsd(r.costUsd)}
                  </td>
                  <td data-label="Duration" className={numericCell}>
                    {formatDuration(durationMs(r.startedAt, r.finishedAt, now))}
                  </td>
                  <td data-label="Started by" style={{ overflowWrap: "anywhere" }}>
                    {r.createdBy ?? <span className="faint">—</span>}
                  </td>
                  <td data-label="Started" className="nowrap">
                    <Time iso={r.createdAt} relative />
                  </td>
                </tr>
              ))}
            </tbody>
          </TableFrame>
          <div className="pagination" style={{ padding: "10px 16px" }}>
            <span>
              Page {page + 1}
              {runs.isFetching && runs.isPlaceholderData ? " · loading…" : ""}
            </span>
            <div className="row">
              <Button size="sm" disabled={page === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>
                <Icon name="chevronLeft" />
                Newer
              </Button>
              <Button
                size="sm"
                disabled={!runs.data?.nextCursor || runs.isPlaceholderData}
                onClick={() => runs.data?.nextCursor && setCursors((c) => [...c, runs.data!.nextCursor!])}
              >
                Older
                <Icon name="chevronRight" />
              </Button>
            </div>
          </div>
        </section>
      )}
    </div>
  );
}
