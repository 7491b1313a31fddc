"use client";
// One step of a run: its state and timings, attempts, the node that ran it, tokens and
// cost, input, output, error and log; a map's items; a compensation; and what may be done
// from here (approve or reject a waiting approval, retry a failed run from this step).
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { RunDto, StepRunDto } from "@/server/shared/runs";
import { can } from "@/server/shared/rbac";
import { useTRPC } from "@/components/providers/trpc";
import { useCan, useTeam } from "@/components/shell/shell-context";
import { errorMessage } from "@/components/lib/api-error";
import { formatInt, formatUsd } from "@/components/lib/units";
import { KIND_META } from "@/components/graph/kinds";
import { KindIcon } from "@/components/graph/kind-icon";
import { StepStatusBadge } from "@/components/graph/status-badge";
import { stepSummary } from "@/components/graph/flow-model";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { TextAreaField } from "@/components/ui/field";
import { Icon } from "@/components/ui/icons";
import { Time } from "@/components/ui/time";
import { JsonView } from "./json-view";
import { durationMs, formatDuration, isFinishedRun, type StepView } from "./run-model";
import styles from "./runs.module.css";

function Facts({ row }: { row: StepRunDto }) {
  return (
    <dl className={styles.facts}>
      <dt>Attempt</dt>
      <dd>
        {row.attempt} of {row.maxAttempts}
      </dd>
      <dt>Queued</dt>
      <dd>
        <Time iso={row.queuedAt} />
      </dd>
      <dt>Started</dt>
      <dd>
        <Time iso={row.startedAt} />
      </dd>
      <dt>Finished</dt>
      <dd>
        <Time iso={row.finishedAt} />
      </dd>
      <dt>Duration</dt>
      <dd>{formatDuration(durationMs(row.startedAt, row.finishedAt))}</dd>
      <dt>Node</dt>
      <dd>{row.nodeId ? <code>{row.nodeId}</code> : <span className="faint">—</span>}</dd>
      <dt>Tokens</dt>
      <dd>
        {formatInt(row.inputTokens)} in · {formatInt(row.outputTokens)} out
      </dd>
      <dt>Cost</dt>
      <dd>{formatUsd(row.costUsd)}</dd>
    </dl>
  );
}

function RowBody({ row, label }: { row: StepRunDto; label: string }) {
  return (
    <div className="stack">
      {row.error && (
        <Alert title={`Error${row.error.code ? ` (${row.error.code})` : ""}`}>
          <span className={styles.preWrap} data-testid="step-error">
            {row.error.message}
          </span>
        </Alert>
      )}
      <Facts row={row} />
      {row.output !== null && row.output !== undefined && <JsonView value={row.output} label={`${label} output`} testId="step-output" />}
      {row.input !== null && row.input !== undefined && <JsonView value={row.input} label={`${label} input`} openDepth={1} />}
      {row.logs.length > 0 && (
        <section aria-label={`${label} log`}>
          <h4 className={styles.subTitle}>Log</h4>
          <ol className={styles.logs}>
            {row.logs.map((line, i) => (
              <li key={i} data-level={line.level}>
                <span className={styles.logTime}>{new Date(line.at).toLocaleTimeString()}</span>
                <span className={styles.logLevel}>{line.level}</span>
                <span className={styles.preWrap}>{line.message}</span>
              </li>
            ))}
          </ol>
        </section>
      )}
    </div>
  );
}

function ApprovalForm({ run, view }: { run: RunDto; view: StepView }) {
  const trpc = useTRPC();
  const team = useTeam();
  const queryClient = useQueryClient();
  const [comment, setComment] = useState("");
  const decide = useMutation(trpc.runs.approve.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.runs.get.queryKey({ teamId: team.id, runId: run.id }) }) }));
  const step = run.definition.steps.find((s) => s.id === view.stepId);
  const message = (view.main?.input as { message?: unknown } | null)?.message;
  const text = typeof message === "string" ? message : step?.kind === "approval" ? step.message : "";
  const send = (approved: boolean) => decide.mutate({ teamId: team.id, runId: run.id, stepKey: view.stepId, approved, comment: comment.trim() });
  return (
    <section className={styles.approval} aria-label="Decision" data-testid="approval-form">
      <p className={styles.approvalMessage}>{text}</p>
      <TextAreaField label="Comment (optional)" rows={2} value={comment} maxLength={2000} onChange={(e) => setComment(e.target.value)} />
      {decide.error && <Alert>{errorMessage(decide.error)}</Alert>}
      <div className="row">
        <Button variant="primary" pending={decide.isPending && decide.variables?.approved} onClick={() => send(true)}>
          <Icon name="check" />
          Approve
        </Button>
        <Button variant="danger" pending={decide.isPending && !decide.variables?.approved} onClick={() => send(false)}>
          Reject
        </Button>
      </div>
    </section>
  );
}

function RetryButton({ run, stepKey }: { run: RunDto; stepKey: string }) {
  const trpc = useTRPC();
  const team = useTeam();
  const queryClient = useQueryClient();
  const retry = useMutation(trpc.runs.retry.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.runs.pathKey() }) }));
  return (
    <div className="stack" style={{ gap: 6 }}>
      <Button onClick={() => retry.mutate({ teamId: team.id, runId: run.id, stepKey })} pending={retry.isPending}>
        <Icon name="refresh" />
        Retry from this step
      </Button>
      {retry.error && <Alert>{errorMessage(retry.error)}</Alert>}
    </div>
  );
}

export function StepDetails({ run, view, onClose }: { run: RunDto; view: StepView; onClose: () => void }) {
  const team = useTeam();
  const canRun = useCan("workflows:run");
  const step = run.definition.steps.find((s) => s.id === view.stepId);
  const meta = KIND_META[view.kind];
  const approvalScope = step?.kind === "approval" ? step.scope : null;
  const mayDecide = canRun && view.state === "WAITING" && step?.kind === "approval" && (!approvalScope || can(team.scopes, approvalScope));
  const mayRetry = canRun && (view.state === "FAILED" || view.state === "CANCELLED") && isFinishedRun(run.status) && run.status !== "SUCCEEDED";
  return (
    <div className={styles.stepPanel} data-testid="step-details">
      <header className={styles.stepHeader}>
        <span className={styles.stepKind} style={{ color: meta.color }}>
          <KindIcon kind={view.kind} />
        </span>
        <div className={styles.stepTitle}>
          <h3>{step?.name || view.stepId}</h3>
          <p>
            {meta.label} · <code>{view.stepId}</code>
          </p>
        </div>
        <button type="button" className="icon-button" aria-label="Close the step details" onClick={onClose}>
          <Icon name="close" />
        </button>
      </header>
      <div className="row">
        <StepStatusBadge status={view.state} testId="step-details-state" />
        {step && step.kind !== "approval" && <span className="cell-sub">{stepSummary(step)}</span>}
      </div>
      {mayDecide && <ApprovalForm run={run} view={view} />}
      {view.state === "WAITING" && step?.kind === "approval" && !mayDecide && <Alert tone="info">Waiting for someone allowed to decide ({approvalScope}).</Alert>}
      {mayRetry && <RetryButton run={run} stepKey={view.stepId} />}
      {view.main ? <RowBody row={view.main} label={step?.name || view.stepId} /> : <p className="muted">The run has not reached this step{isFinishedRun(run.status) ? ", and never will: the run is over" : " yet"}.</p>}
      {view.itemsProgress && (
        <section aria-label="Items">
          <h4 className={styles.subTitle}>
            Items · {view.itemsProgress.done} of {view.itemsProgress.total} finished{view.itemsProgress.failed ? `, ${view.itemsProgress.failed} failed` : ""}
          </h4>
          <ul className={styles.items}>
            {view.items.map((item) => (
              <li key={item.key}>
                <details>
                  <summary>
                    <code>{item.key}</code> <StepStatusBadge status={item.status} /> <span className="cell-sub">{formatDuration(durationMs(item.startedAt, item.finishedAt))}</span>
                  </summary>
                  <RowBody row={item} label={item.key} />
                </details>
              </li>
            ))}
          </ul>
        </section>
      )}
      {view.compensation && (
        <section aria-label="Compensation">
          <h4 className={styles.subTitle}>
            Compensation <StepStatusBadge status={view.compensation.status} />
          </h4>
          <RowBody row={view.compensation} label="Compensation" />
        </section>
      )}
    </div>
  );
}
