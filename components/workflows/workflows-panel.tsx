"use client";
// The team's workflows: what each is, its versions and steps, how its last run went, and
// what the caller's role may do with it (run, edit, export, archive).
import Link from "next/link";
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { WorkflowSummaryDto } from "@/server/shared/runs";
import { useTRPC } from "@/components/providers/trpc";
import { useCan, useTeam } from "@/components/shell/shell-context";
import { useTeamEvent } from "@/components/realtime/use-team-events";
import { useAuditRefresh } from "@/components/lib/use-audit-refresh";
import { errorMessage } from "@/components/lib/api-error";
import { RunStatusBadge } from "@/components/graph/status-badge";
import { Alert } from "@/components/ui/alert";
import { Button, LinkButton } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { Icon } from "@/components/ui/icons";
import { Menu } from "@/components/ui/menu";
import { PageHeader } from "@/components/ui/page-header";
import { ActionsCell, ActionsHeaderCell, numericCell, QueryStateRows, TableFrame } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { NewWorkflowDialog, type NewWorkflowMode } from "./new-workflow-dialog";
import { RunDialog, type RunTarget } from "./run-dialog";
import { useExportWorkflow } from "./use-export";

function LastRun({ run }: { run: WorkflowSummaryDto["lastRun"] }) {
  if (!run) return <span className="faint">Never run</span>;
  return (
    <Link href={`/runs/${run.id}`} className="row" style={{ gap: 6, flexWrap: "nowrap" }} aria-label={`Last run: ${run.status}`}>
      <RunStatusBadge status={run.status} />
      <span className="cell-sub nowrap">
        <Time iso={run.createdAt} relative />
      </span>
    </Link>
  );
}

export function WorkflowsPanel() {
  const trpc = useTRPC();
  const team = useTeam();
  const queryClient = useQueryClient();
  const canWrite = useCan("workflows:write");
  const canRun = useCan("workflows:run");
  const workflows = useQuery(trpc.workflows.list.queryOptions({ teamId: team.id }));
  useAuditRefresh(["workflow."], [trpc.workflows.list.pathKey()]);
  // A run starting or finishing changes the "last run" column.
  useTeamEvent("run:event", (event) => {
    if (event.type === "run.status") void queryClient.invalidateQueries({ queryKey: trpc.workflows.list.queryKey({ teamId: team.id }) });
  });
  const [creating, setCreating] = useState<NewWorkflowMode | null>(null);
  const [running, setRunning] = useState<RunTarget | null>(null);
  const [archiving, setArchiving] = useState<WorkflowSummaryDto | null>(null);
  const { exportWorkflow, error: exportError, clearError } = useExportWorkflow();
  const archive = useMutation(
    trpc.workflows.archive.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.workflows.list.pathKey() });
        setArchiving(null);
      },
    }),
  );

  const rows = workflows.data ?? [];
  const columns = 7;
  const newButton = canWrite && (
    <Button variant="primary" onClick={() => setCreating("template")}>
      <Icon name="plus" />
      New workflow
    </Button>
  );

  return (
    <div className="stack-lg">
      <PageHeader
        title="Workflows"
        description="Graphs of agent, model, tool, code and HTTP steps that Maestro runs on its engine. Each save is a new version; runs pin the version they started with."
        actions={newButton}
      />
      {exportError && (
        <Alert>
          Export failed: {exportError}{" "}
          <button type="button" className="link-button" onClick={clearError}>
            Dismiss
          </button>
        </Alert>
      )}

      {workflows.isSuccess && rows.length === 0 ? (
        <section className="card">
          <EmptyState
            icon="workflow"
            title="No workflows yet"
            actions={
              canWrite && (
                <>
                  <Button variant="primary" onClick={() => setCreating("template")}>
                    <Icon name="plus" />
                    Start from a template
                  </Button>
                  <Button onClick={() => setCreating("import")}>Import YAML or JSON</Button>
                </>
              )
            }
          >
            {canWrite ? (
              <p>
                The quickest start is a template: pick one, open it in the editor, and press Run. Templates made of code steps run without any model provider.
              </p>
            ) : (
              <p>Your role can see workflows but not create them. Ask an operator or an admin of {team.name} to add one.</p>
            )}
          </EmptyState>
        </section>
      ) : (
        <TableFrame label="Workflows" stack>
          <thead>
            <tr>
              <th>Workflow</th>
              <th>Slug</th>
              <th className={numericCell}>Versions</th>
              <th className={numericCell}>Steps</th>
              <th>Last run</th>
              <th>Updated</th>
              <ActionsHeaderCell />
            </tr>
          </thead>
          <tbody>
            <QueryStateRows query={workflows} colSpan={columns} noun="workflows" />
            {rows.map((w) => (
              <tr key={w.id} data-testid={`workflow-row-${w.slug}`}>
                <td className="cell-title">
                  <Link href={`/workflows/${w.id}`} className="cell-primary">
                    {w.name}
                  </Link>
                  {w.description && <div className="cell-sub">{w.description}</div>}
                </td>
                <td data-label="Slug">
                  <code>{w.slug}</code>
                </td>
                <td data-label="Versions" className={numericCell}>
                  v{w.latestVersion}
                </td>
                <td data-label="Steps" className={numericCell}>
                  {w.stepCount}
                </td>
                <td data-label="Last run">
                  <LastRun run={w.lastRun} />
                </td>
                <td data-label="Updated" className="nowrap">
                  <Time iso={w.updatedAt} relative />
                </td>
                <ActionsCell>
                  {canRun && (
                    <Button size="sm" variant="secondary" onClick={() => setRunning({ id: w.id, name: w.name, version: w.latestVersion })} aria-label={`Run ${w.name}`}>
                      <Icon name="runs" />
                      Run
                    </Button>
                  )}
                  <LinkButton size="sm" variant="ghost" href={`/workflows/${w.id}`} aria-label={`${canWrite ? "Edit" : "Open"} ${w.name}`}>
                    {canWrite ? "Edit" : "Open"}
                  </LinkButton>
                  <Menu
                    label={`More actions for ${w.name}`}
                    trigger={<Icon name="more" />}
                    width={200}
                    entries={[
                      { label: "Export YAML", icon: "download", onSelect: () => void exportWorkflow(w.id, "yaml") },
                      { label: "Export JSON", icon: "download", onSelect: () => void exportWorkflow(w.id, "json") },
                      { kind: "link", label: "Runs of this workflow", icon: "list", href: `/runs?workflow=${w.id}` },
                      ...(canWrite ? [{ kind: "separator" as const }, { label: "Archive…", icon: "trash" as const, danger: true, onSelect: () => setArchiving(w) }] : []),
                    ]}
                  />
                </ActionsCell>
              </tr>
            ))}
          </tbody>
        </TableFrame>
      )}

      <NewWorkflowDialog mode={creating} onClose={() => setCreating(null)} />
      <RunDialog target={running} onClose={() => setRunning(null)} />
      <ConfirmDialog
        open={archiving !== null}
        title="Archive this workflow?"
        confirmLabel="Archive workflow"
        pending={archive.isPending}
        error={archive.error ? errorMessage(archive.error) : null}
        onConfirm={() => archiving && archive.mutate({ teamId: team.id, workflowId: archiving.id })}
        onClose={() => {
          archive.reset();
          setArchiving(null);
        }}
      >
        <strong>{archiving?.name}</strong> leaves this list and cannot start new runs. Its versions and past runs are kept.
      </ConfirmDialog>
    </div>
  );
}
