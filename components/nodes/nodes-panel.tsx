"use client";
// The Nodes page: every process that executes steps, polled every few seconds, with
// Drain for admins; how to add workers when the web process is alone; and the dead
// letters of the team's runs.
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { NodeListDto, WorkerNodeDto } from "@/server/shared/nodes";
import { NODE_HISTORY_HOURS } from "@/server/shared/nodes";
import { useTRPC } from "@/components/providers/trpc";
import { useCan, useTeam } from "@/components/shell/shell-context";
import { errorMessage } from "@/components/lib/api-error";
import { useAuditRefresh } from "@/components/lib/use-audit-refresh";
import { formatInt } from "@/components/lib/units";
import { Stat } from "@/components/dashboard/stat";
import { Alert } from "@/components/ui/alert";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { TableFrame, QueryStateRows } from "@/components/ui/table";
import { DeadLettersCard } from "./dead-letters-card";
import { NodesTable } from "./nodes-table";
import styles from "./nodes.module.css";

const POLL_MS = 5_000;
const WORKER_COMMAND = [
  "DATABASE_URL=postgresql://user:pass@db-host:5432/maestro \\",
  "REDIS_URL=redis://redis-host:6379 \\",
  "MAESTRO_SECRET=<the same secret as the web server> \\",
  "npm run worker",
].join("\n");

function Summary({ nodes }: { nodes: WorkerNodeDto[] }) {
  const live = nodes.filter((n) => n.status === "ACTIVE");
  const capacity = live.reduce((sum, n) => sum + n.capacity, 0);
  const running = nodes.filter((n) => n.status === "ACTIVE" || n.status === "DRAINING").reduce((sum, n) => sum + n.running, 0);
  const processed = nodes.reduce((sum, n) => sum + n.processed, 0);
  const failed = nodes.reduce((sum, n) => sum + n.failed, 0);
  const draining = nodes.filter((n) => n.status === "DRAINING").length;
  const lost = nodes.filter((n) => n.status === "LOST").length;
  return (
    <div className="stat-grid">
      <Stat
        label="Active nodes"
        value={<span data-testid="active-node-count">{live.length}</span>}
        note={[draining && `${draining} draining`, lost && `${lost} lost`].filter(Boolean).join(" · ") || `of ${nodes.length} listed`}
      />
      <Stat label="Steps running" value={`${running} / ${capacity}`} note={capacity ? `${Math.round((running / capacity) * 100)}% of active capacity` : "No capacity"} />
      <Stat label="Processed" value={formatInt(processed)} note="Steps finished by the nodes listed" />
      <Stat label="Failed" value={formatInt(failed)} note={processed + failed ? `${((failed / (processed + failed)) * 100).toFixed(1)}% of finished` : "None yet"} />
    </div>
  );
}

/** Shown while the web process is the only one executing steps. */
function AddWorkers({ backend }: { backend: NodeListDto["backend"] }) {
  return (
    <Alert tone="info" title="Only the web process executes steps">
      <div className={styles.howTo}>
        <p style={{ margin: 0 }}>
          Add workers to run more steps at once, on this machine or others. Each worker is the same engine without the web part; it registers
          here on start and takes jobs from the shared queue.
        </p>
        <ol>
          {backend !== "bullmq" && (
            <li>
              Run this server on PostgreSQL and Redis (workers cannot share the embedded database and in-process queue it uses now): set{" "}
              <code>DATABASE_URL</code> and <code>REDIS_URL</code> and restart it.
            </li>
          )}
          <li>
            On each worker machine, start a worker with the same database, Redis and secret as this server:
            <pre className="code-block" style={{ marginTop: 6 }}>
              {WORKER_COMMAND}
            </pre>
          </li>
          <li>The worker appears in this list within a few seconds; an admin can drain it here to stop it gracefully.</li>
        </ol>
      </div>
    </Alert>
  );
}

export function NodesPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const team = useTeam();
  const canDrain = useCan("nodes:admin");
  const canReadRuns = useCan("runs:read");
  const [includeOld, setIncludeOld] = useState(false);
  const [draining, setDraining] = useState<WorkerNodeDto | null>(null);

  const list = useQuery({ ...trpc.nodes.list.queryOptions({ teamId: team.id, includeOld }), refetchInterval: POLL_MS, placeholderData: (previous) => previous });
  useAuditRefresh(["node."], [trpc.nodes.pathKey()]);
  const drain = useMutation(
    trpc.nodes.drain.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.nodes.pathKey() });
        setDraining(null);
      },
    }),
  );

  const nodes = list.data?.nodes ?? [];
  const active = nodes.filter((n) => n.status === "ACTIVE");
  const workers = nodes.filter((n) => n.role !== "web" && (n.status === "ACTIVE" || n.status === "DRAINING"));
  const hidden = list.data?.hiddenCount ?? 0;
  const otherActive = draining ? active.filter((n) => n.id !== draining.id).length : 0;

  return (
    <div className="stack-lg">
      <PageHeader
        title="Nodes"
        description={`The processes that execute workflow steps: the web server and every worker. Refreshed every ${POLL_MS / 1000} seconds.`}
        actions={
          <div className={styles.headerActions}>
            <span className="live-dot" data-state={list.isError ? "offline" : "live"} role="status">
              {list.isError ? "Not refreshing" : "Live"}
            </span>
            <label className="checkbox">
              <input type="checkbox" checked={includeOld} onChange={(e) => setIncludeOld(e.target.checked)} />
              Show nodes stopped over {NODE_HISTORY_HOURS} h ago
            </label>
          </div>
        }
      />

      {list.isSuccess && <Summary nodes={nodes} />}
      {list.isSuccess && nodes.length > 0 && workers.length === 0 && <AddWorkers backend={list.data.backend} />}
      {list.isError && list.data && <Alert title="The list could not be refreshed">{errorMessage(list.error)}</Alert>}

      {list.isSuccess && nodes.length === 0 ? (
        <section className="card">
          <EmptyState icon="server" title="No node is running">
            <p>
              No process has registered in the last {NODE_HISTORY_HOURS} hours{hidden ? ` (${hidden} older ones are hidden)` : ""}. The web server
              registers itself when its engine starts; workers when <code>npm run worker</code> starts.
            </p>
          </EmptyState>
        </section>
      ) : list.data ? (
        <NodesTable nodes={nodes} fetchedAt={list.dataUpdatedAt} canDrain={canDrain} onDrain={setDraining} />
      ) : (
        <TableFrame label="Worker nodes">
          <tbody>
            <QueryStateRows query={list} colSpan={1} noun="nodes" />
          </tbody>
        </TableFrame>
      )}
      {!includeOld && hidden > 0 && (
        <p className="faint" style={{ margin: 0, fontSize: 12.5 }}>
          {hidden} node{hidden === 1 ? "" : "s"} stopped or lost more than {NODE_HISTORY_HOURS} hours ago {hidden === 1 ? "is" : "are"} hidden.{" "}
          <button type="button" className="link-button" onClick={() => setIncludeOld(true)}>
            Show {hidden === 1 ? "it" : "them"}
          </button>
        </p>
      )}

      {canReadRuns && <DeadLettersCard />}

      <ConfirmDialog
        open={draining !== null}
        title="Drain this node?"
        confirmLabel="Drain node"
        pending={drain.isPending}
        error={drain.error ? errorMessage(drain.error) : null}
        onConfirm={() => draining && drain.mutate({ teamId: team.id, nodeId: draining.id })}
        onClose={() => {
          drain.reset();
          setDraining(null);
        }}
      >
        <p style={{ marginTop: 0 }}>
          <strong>
            {draining?.host} (pid {draining?.pid})
          </strong>{" "}
          takes no new steps{draining?.running ? `, finishes the ${draining.running} it is running,` : ""} and stops. It notices at its next heartbeat,
          within a few seconds.
        </p>
        {draining?.role === "web" && (
          <p>This is the web server: the dashboard and the API keep working, but this process executes no more steps until it is restarted.</p>
        )}
        {otherActive === 0 && <p>No other node is active: new steps wait in the queue until a worker starts.</p>}
      </ConfirmDialog>
    </div>
  );
}
