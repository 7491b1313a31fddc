"use client";
// The team's budgets with where each stands this period, and the budget events
// (thresholds crossed, calls refused), which also arrive live over socket.io.
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { BudgetEventDto, BudgetStatusDto } from "@/server/shared/budgets";
import { useTRPC } from "@/components/providers/trpc";
import { useCan, useTeam } from "@/components/shell/shell-context";
import { useTeamEvent } from "@/components/realtime/use-team-events";
import { RealtimeStatusBadge } from "@/components/realtime/realtime-status";
import { errorMessage } from "@/components/lib/api-error";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { Icon } from "@/components/ui/icons";
import { PageHeader } from "@/components/ui/page-header";
import { ActionsCell, ActionsHeaderCell, numericCell, QueryStateRows, RowAction, TableFrame } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { formatUsd } from "@/components/lib/units";
import { BudgetDialog } from "./budget-dialog";
import { useAuditRefresh } from "@/components/lib/use-audit-refresh";
import { UsageBar } from "./usage-bar";
import styles from "./budgets.module.css";

const STATES: Record<BudgetStatusDto["state"], { label: string; tone: BadgeTone; title: string }> = {
  ok: { label: "On track", tone: "success", title: "Under every threshold, and the forecast stays under the limit" },
  warning: { label: "Threshold crossed", tone: "warning", title: "At least one alert threshold was crossed this period" },
  "forecast-over": { label: "Forecast over", tone: "warning", title: "At the current rate, spend passes the limit before the period ends" },
  exceeded: { label: "Exceeded", tone: "danger", title: "The limit is reached: calls it watches are refused until the period ends" },
};

function StateBadge({ budget }: { budget: BudgetStatusDto }) {
  if (!budget.enabled) return <Badge title="Not enforced">Disabled</Badge>;
  const s = STATES[budget.state];
  return (
    <Badge tone={s.tone} title={s.title}>
      {s.label}
    </Badge>
  );
}

function EventLine({ event }: { event: BudgetEventDto }) {
  if (event.kind === "refused") {
    return (
      <>
        <strong>{event.budgetName}</strong> refused a call at {formatUsd(event.spentUsd)} of {formatUsd(event.limitUsd)}
      </>
    );
  }
  return (
    <>
      <strong>{event.budgetName}</strong> crossed {event.threshold}% ({formatUsd(event.spentUsd)} of {formatUsd(event.limitUsd)})
    </>
  );
}

function EventsCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const team = useTeam();
  const key = trpc.budgets.events.queryKey({ teamId: team.id });
  const events = useQuery(trpc.budgets.events.queryOptions({ teamId: team.id }));
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());

  useTeamEvent(
    "budget:event",
    ({ teamId: _team, ...event }) => {
      queryClient.setQueryData(key, (old) => (old?.some((e) => e.id === event.id) ? old : [event, ...(old ?? [])].slice(0, 100)));
      setFresh((f) => new Set(f).add(event.id));
      // The event means spend moved: the bars above are out of date.
      void queryClient.invalidateQueries({ queryKey: trpc.budgets.list.queryKey({ teamId: team.id }) });
    },
    { teamId: team.id },
  );

  const rows = events.data ?? [];
  return (
    <Card
      title={
        <>
          <Icon name="activity" /> Budget events
        </>
      }
      actions={<RealtimeStatusBadge />}
      className="card-flush"
    >
      {events.isError && <div className="feed-empty">Events could not be loaded: {errorMessage(events.error)}</div>}
      {events.isPending && <div className="feed-empty">Loading events…</div>}
      {events.isSuccess && rows.length === 0 && <div className="feed-empty">No threshold crossed and no call refused yet. New events appear here as they happen.</div>}
      {rows.length > 0 && (
        <ol className="feed" data-testid="budget-events" aria-live="polite">
          {rows.map((e) => (
            <li key={e.id} className="feed-item" data-fresh={fresh.has(e.id) || undefined} data-kind={e.kind}>
              <span className="feed-icon" style={e.kind === "refused" ? { color: "var(--danger)" } : { color: "var(--warning)" }}>
                <Icon name={e.kind === "refused" ? "lock" : "alert"} />
              </span>
              <div>
                <div className="feed-title">
                  <EventLine event={e} />
                </div>
                <div className="feed-meta">
                  <Badge tone={e.kind === "refused" ? "danger" : "warning"}>{e.kind === "refused" ? "Refused" : "Threshold"}</Badge>
                </div>
              </div>
              <span className="feed-time">
                <Time iso={e.createdAt} relative />
              </span>
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}

export function BudgetsPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const team = useTeam();
  const canWrite = useCan("budgets:write");
  const budgets = useQuery({ ...trpc.budgets.list.queryOptions({ teamId: team.id }), refetchInterval: 60_000 });
  useAuditRefresh(["budget."], [trpc.budgets.pathKey()]);
  const [editing, setEditing] = useState<BudgetStatusDto | null>(null);
  const [creating, setCreating] = useState(false);
  const [removing, setRemoving] = useState<BudgetStatusDto | null>(null);
  const remove = useMutation(
    trpc.budgets.remove.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.budgets.pathKey() });
        setRemoving(null);
      },
    }),
  );
  const rows = budgets.data ?? [];
  const columns = canWrite ? 5 : 4;
  const createButton = canWrite && (
    <Button variant="primary" onClick={() => setCreating(true)}>
      <Icon name="plus" />
      Create budget
    </Button>
  );

  return (
    <div className="stack-lg">
      <PageHeader
        title="Budgets"
        description="Spending limits per UTC day or month, on the whole team or on one member, provider or model. A call that could go over a limit is refused before it reaches the provider."
        actions={createButton}
      />

      {budgets.isSuccess && rows.length === 0 ? (
        <section className="card">
          <EmptyState icon="budgets" title="No budgets yet" actions={createButton}>
            <p>Without a budget, nothing stops spending. Start with a monthly budget for the whole team; alerts at 50%, 80% and 100% are recorded here.</p>
          </EmptyState>
        </section>
      ) : (
        <TableFrame label="Budgets" stack>
          <thead>
            <tr>
              <th>Budget</th>
              <th style={{ minWidth: 260 }}>This period</th>
              <th className={numericCell}>Forecast</th>
              <th>State</th>
              {canWrite && <ActionsHeaderCell />}
            </tr>
          </thead>
          <tbody>
            <QueryStateRows query={budgets} colSpan={columns} noun="budgets" />
            {rows.map((b) => (
              <tr key={b.id} data-testid={`budget-row-${b.name}`} data-state={b.enabled ? b.state : "disabled"} className={b.enabled ? undefined : "row-muted"}>
                <td className="cell-title">
                  <div className="cell-primary">{b.name}</div>
                  <div className="cell-sub">
                    {b.scopeLabel} · {b.period === "daily" ? "daily" : "monthly"}, resets <Time iso={b.periodEnd} relative />
                  </div>
                </td>
                <td data-label="This period">
                  <UsageBar budget={b} />
                </td>
                <td data-label="Forecast" className={numericCell}>
                  <div title="Spend at the end of the period if the rate so far continues">
                    <span className={b.forecastUsd > b.limitUsd ? styles.over : undefined}>{formatUsd(b.forecastUsd)}</span>
                    {b.forecastUsd > b.limitUsd && <div className="cell-sub">over the limit</div>}
                  </div>
                </td>
                <td data-label="State">
                  <StateBadge budget={b} />
                </td>
                {canWrite && (
                  <ActionsCell>
                    <RowAction label="Edit" rowName={b.name} onClick={() => setEditing(b)} />
                    <RowAction label="Delete" rowName={b.name} onClick={() => setRemoving(b)} />
                  </ActionsCell>
                )}
              </tr>
            ))}
          </tbody>
        </TableFrame>
      )}

      <EventsCard />

      <BudgetDialog open={creating || editing !== null} budget={editing} onClose={() => (setCreating(false), setEditing(null))} />
      <ConfirmDialog
        open={removing !== null}
        title="Delete this budget?"
        confirmLabel="Delete budget"
        pending={remove.isPending}
        error={remove.error ? errorMessage(remove.error) : null}
        onConfirm={() => removing && remove.mutate({ teamId: team.id, budgetId: removing.id })}
        onClose={() => {
          remove.reset();
          setRemoving(null);
        }}
      >
        <strong>{removing?.name}</strong> stops limiting calls at once, and its events are deleted with it. Recorded usage is kept.
      </ConfirmDialog>
    </div>
  );
}
