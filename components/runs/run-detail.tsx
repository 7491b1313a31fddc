"use client";
// One run, live: what ran (workflow, version, who, when), where it stands (the DAG coloured
// by state, progress, tokens, cost), each step's details, and the timeline, conversation
// and memory underneath.
import Link from "next/link";
import { useMemo, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/providers/trpc";
import { useTeam } from "@/components/shell/shell-context";
import { errorMessage } from "@/components/lib/api-error";
import { formatInt, formatUsd } from "@/components/lib/units";
import { GraphLegend } from "@/components/graph/legend";
import { RunStatusBadge } from "@/components/graph/status-badge";
import { RealtimeStatusBadge } from "@/components/realtime/realtime-status";
import { Alert } from "@/components/ui/alert";
import { Button, LinkButton } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Icon } from "@/components/ui/icons";
import { Spinner } from "@/components/ui/spinner";
import { Time } from "@/components/ui/time";
import { RunActions } from "./run-actions";
import { RunGraph } from "./run-graph";
import { durationMs, formatDuration, isFinishedRun, stepViews } from "./run-model";
import { RunTabs } from "./run-tabs";
import { StepDetails } from "./step-details";
import { useNow } from "./use-now";
import { useRunLive } from "./use-run-live";
import styles from "./runs.module.css";

/** Without the socket an unfinished run is polled; with it, a slow poll guards against a lost event. */
const POLL_MS = 4000;
const SAFETY_POLL_MS = 15_000;

export function RunDetail({ runId }: { runId: string }) {
  const trpc = useTRPC();
  const team = useTeam();
  const { live } = useRunLive(runId);
  const run = useQuery({
    ...trpc.runs.get.queryOptions({ teamId: team.id, runId }),
    refetchInterval: (query) => (query.state.data && !isFinishedRun(query.state.data.status) ? (live ? SAFETY_POLL_MS : POLL_MS) : false),
  });
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const views = useMemo(() => (run.data ? stepViews(run.data) : new Map()), [run.data]);
  const going = run.data ? !isFinishedRun(run.data.status) : false;
  const now = useNow(going && Boolean(run.data?.startedAt));

  if (run.isPending) return <Spinner label="Loading the run" />;
  if (run.isError) {
    return (
      <section className="card">
        <EmptyState
          icon="runs"
          title="This run could not be opened"
          actions={
            <LinkButton href="/runs" variant="primary">
              Back to the runs
            </LinkButton>
          }
        >
          <p>{errorMessage(run.error)}</p>
        </EmptyState>
      </section>
    );
  }
  const data = run.data;
  const selected = selectedId ? views.get(selectedId) : undefined;
  const waiting = [...views.values()].filter((v) => v.state === "WAITING" && v.kind === "approval");
  const select = (id: string | null) => setSelectedId(id);

  return (
    <div className="stack-lg">
      <header className={styles.header}>
        <div className={styles.headerMain}>
          <Link href="/runs" className={styles.back}>
            <Icon name="chevronLeft" /> Runs
          </Link>
          <div className={styles.titleRow}>
            <h1 className={styles.title}>{data.workflowName}</h1>
            <RunStatusBadge status={data.status} testId="run-status" />
            <RealtimeStatusBadge />
          </div>
          <p className={styles.meta}>
            Run <code>{data.id}</code> of{" "}
            <Link href={`/workflows/${data.workflowId}`}>
              {data.workflowSlug} v{data.version}
            </Link>
            {data.createdBy ? <> · started by {data.createdBy}</> : null}
            {data.priority !== 0 ? <> · priority {data.priority}</> : null}
          </p>
        </div>
        <RunActions run={data} />
      </header>

      <dl className={styles.stats}>
        <div>
          <dt>Progress</dt>
          <dd data-testid="run-progress">
            {data.progress.done} / {data.progress.total} steps
          </dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>
            <Time iso={data.startedAt ?? data.createdAt} />
          </dd>
        </div>
        <div>
          <dt>Finished</dt>
          <dd>{data.finishedAt ? <Time iso={data.finishedAt} /> : <span className="faint">{data.status === "QUEUED" ? "Not started" : "Still going"}</span>}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{formatDuration(durationMs(data.startedAt, data.finishedAt, now))}</dd>
        </div>
        <div>
          <dt>Tokens</dt>
          <dd>
            {formatInt(data.inputTokens)} in · {formatInt(data.outputTokens)} out
          </dd>
        </div>
        <div>
          <dt>Cost</dt>
          <dd>{formatUsd(data.costUsd)}</dd>
        </div>
      </dl>

      {waiting.map((v) => (
        <Alert key={v.stepId} tone="warning" title={`Step ${v.stepId} waits for an approval`}>
          <div className="row">
            <span>The run continues once someone allowed to decide approves it; a rejection fails the step.</span>
            <span className="spacer" />
            <Button size="sm" onClick={() => select(v.stepId)}>
              Review
            </Button>
          </div>
        </Alert>
      ))}
      {data.error && data.status !== "SUCCEEDED" && (
        <Alert title={`The run ${data.status === "CANCELLED" ? "was cancelled" : "failed"}`}>
          {data.error.message}
          {data.error.stepKey && (
            <>
              {" "}
              <button type="button" className="link-button" onClick={() => select(data.error!.stepKey!.replace(/\[\d+\]$|~compensate$/, ""))}>
                Show step {data.error.stepKey}
              </button>
            </>
          )}
        </Alert>
      )}

      <section className={styles.graphCard} data-with-panel={selected ? true : undefined}>
        <div className={styles.graphArea}>
          <div className={styles.graphCanvas}>
            <RunGraph run={data} views={views} selectedId={selectedId} onSelect={select} />
          </div>
          <div className={styles.legendBar}>
            <GraphLegend states />
          </div>
        </div>
        {selected && (
          <aside className={styles.graphSide} aria-label={`Step ${selected.stepId}`}>
            <StepDetails key={selected.stepId} run={data} view={selected} onClose={() => select(null)} />
          </aside>
        )}
      </section>
      {!selected && <p className="faint">Select a step to see its input, output, log, attempts and cost.</p>}

      <RunTabs run={data} onSelectStep={select} />
    </div>
  );
}
