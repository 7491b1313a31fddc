"use client";
// Step jobs that failed past their queue attempts (a worker kept crashing, the database
// was unreachable), with a Retry that puts the step back in the queue.
import { useState } from "react";
import Link from "next/link";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { DeadLetterDto } from "@/server/shared/runs";
import { useTRPC } from "@/components/providers/trpc";
import { useCan, useTeam } from "@/components/shell/shell-context";
import { errorMessage } from "@/components/lib/api-error";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { Icon } from "@/components/ui/icons";
import { ActionsCell, ActionsHeaderCell, numericCell, QueryStateRows, RowAction, TableFrame } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import styles from "./nodes.module.css";

type DeadLetter = DeadLetterDto;

const REFRESH_MS = 10_000;

function RunCell({ letter }: { letter: DeadLetter }) {
  return (
    <>
      <Link href={`/runs/${letter.runId}`} className="cell-primary">
        {letter.workflowName ?? "Run"}
      </Link>
      <div className="cell-sub mono">
        {letter.runId}
        {letter.runStatus && ` · ${letter.runStatus.toLowerCase()}`}
      </div>
    </>
  );
}

export function DeadLettersCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const team = useTeam();
  const canRetry = useCan("workflows:run");
  const letters = useQuery({ ...trpc.runs.deadLetters.queryOptions({ teamId: team.id }), refetchInterval: REFRESH_MS });
  const [retryingId, setRetryingId] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const retry = useMutation(
    trpc.runs.retryDeadLetter.mutationOptions({
      onMutate: (input) => {
        setRetryingId(input.deadLetterId);
        setFailure(null);
      },
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.runs.pathKey() }),
      onError: (e) => setFailure(errorMessage(e)),
      onSettled: () => setRetryingId(null),
    }),
  );

  const rows = letters.data ?? [];
  const columns = canRetry ? 6 : 5;
  return (
    <Card
      title={
        <>
          <Icon name="alert" /> Dead letters
        </>
      }
      className="card-flush"
      data-testid="dead-letters"
    >
      <p className="cell-sub" style={{ margin: 0, padding: "12px 16px" }}>
        Steps whose job failed past its queue attempts: a worker kept crashing, or the database or Redis was unreachable. Retry puts the step back in
        the queue; its run continues from there.
      </p>
      {failure && (
        <div style={{ margin: "0 16px 12px" }}>
          <Alert title="The step was not retried">{failure}</Alert>
        </div>
      )}
      {letters.isSuccess && rows.length === 0 ? (
        <div className="feed-empty">No dead letters. Every step job finished or is still being tried.</div>
      ) : (
        <TableFrame label="Dead letters" stack>
          <thead>
            <tr>
              <th>Failed</th>
              <th>Run</th>
              <th>Step</th>
              <th>Error</th>
              <th className={numericCell}>Attempts</th>
              {canRetry && <ActionsHeaderCell />}
            </tr>
          </thead>
          <tbody>
            <QueryStateRows query={letters} colSpan={columns} noun="dead letters" />
            {rows.map((letter) => (
              <tr key={letter.id} className={letter.retriedAt ? "row-muted" : undefined}>
                <td data-label="Failed" className="nowrap">
                  <Time iso={letter.createdAt} relative />
                  {letter.retriedAt && (
                    <div className="cell-sub">
                      <Badge tone="success">Retried</Badge> <Time iso={letter.retriedAt} relative />
                    </div>
                  )}
                </td>
                <td data-label="Run">
                  <RunCell letter={letter} />
                </td>
                <td data-label="Step">
                  <code>{letter.stepKey}</code>
                  <div className="cell-sub">queue {letter.queue}</div>
                </td>
                <td data-label="Error">
                  <div className={styles.error} title={letter.error}>
                    {letter.error}
                  </div>
                </td>
                <td data-label="Attempts" className={numericCell}>
                  {letter.attempts}
                </td>
                {canRetry && (
                  <ActionsCell>
                    {!letter.retriedAt && (
                      <RowAction
                        label="Retry"
                        rowName={`${letter.stepKey} of run ${letter.runId}`}
                        pending={retryingId === letter.id}
                        onClick={() => retry.mutate({ teamId: team.id, deadLetterId: letter.id })}
                      />
                    )}
                  </ActionsCell>
                )}
              </tr>
            ))}
          </tbody>
        </TableFrame>
      )}
    </Card>
  );
}
