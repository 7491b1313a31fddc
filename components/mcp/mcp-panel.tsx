"use client";
// The MCP servers page: the team's servers with how each stands, their tools (a side
// panel), and for admins add, edit, test, enable and delete.
import { Fragment, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { MCP_TRANSPORT_LABELS, type McpConnectionState, type McpServerDto, type McpTestResultDto } from "@/server/shared/mcp";
import { useTRPC } from "@/components/providers/trpc";
import { useCan, useTeam } from "@/components/shell/shell-context";
import { errorMessage } from "@/components/lib/api-error";
import { useAuditRefresh } from "@/components/lib/use-audit-refresh";
import { Alert } from "@/components/ui/alert";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { Icon } from "@/components/ui/icons";
import { PageHeader } from "@/components/ui/page-header";
import { ActionsCell, ActionsHeaderCell, QueryStateRows, RowAction, TableFrame } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { ServerDialog } from "./server-dialog";
import { McpTestResult } from "./test-result";
import { ToolsDrawer } from "./tools-drawer";
import styles from "./mcp.module.css";

const STATES: Record<McpConnectionState, { label: string; tone: BadgeTone; title: string }> = {
  connected: { label: "Connected", tone: "success", title: "This process holds an open connection" },
  disconnected: { label: "Not connected", tone: "neutral", title: "Connects when a step first calls one of its tools" },
  error: { label: "Error", tone: "danger", title: "The last connection attempt failed" },
  disabled: { label: "Disabled", tone: "neutral", title: "Its tools cannot be called" },
};

function Target({ server }: { server: McpServerDto }) {
  if (server.transport === "http") return <div className={styles.target}>{server.url}</div>;
  return (
    <div className={styles.target} title={[server.command, ...server.args].join(" ")}>
      {server.command}
      {server.args.length > 0 && ` ${server.args.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(" ")}`}
    </div>
  );
}

function SecretNames({ names }: { names: string[] }) {
  if (!names.length) return <span className="faint">None</span>;
  return (
    <span className="chip-list">
      {names.map((name) => (
        <code key={name} className={`chip ${styles.secretChip}`} title="Stored encrypted; the value is never shown">
          {name}=<span className={styles.mask}>••••</span>
        </code>
      ))}
    </span>
  );
}

function Status({ server }: { server: McpServerDto }) {
  const state = STATES[server.status];
  return (
    <div className="stack" style={{ gap: 4, alignItems: "flex-start" }}>
      <Badge tone={state.tone} title={state.title}>
        {state.label}
      </Badge>
      {server.status === "error" && server.lastError && (
        <div className={styles.lastError} title={server.lastError}>
          {server.lastError}
        </div>
      )}
      {server.lastConnectedAt && server.status !== "error" && (
        <span className="cell-sub">
          Last connected <Time iso={server.lastConnectedAt} relative />
        </span>
      )}
    </div>
  );
}

export function McpPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const team = useTeam();
  const canAdmin = useCan("tools:admin");
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<McpServerDto | null>(null);
  const [removing, setRemoving] = useState<McpServerDto | null>(null);
  const [browsing, setBrowsing] = useState<McpServerDto | null>(null);
  const [tests, setTests] = useState<Record<string, McpTestResultDto>>({});
  const [testingId, setTestingId] = useState<string | null>(null);
  const [rowError, setRowError] = useState<string | null>(null);

  const servers = useQuery(trpc.mcp.list.queryOptions({ teamId: team.id }));
  useAuditRefresh(["mcp."], [trpc.mcp.pathKey()]);
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.mcp.pathKey() });

  const update = useMutation(trpc.mcp.update.mutationOptions({ onSuccess: invalidate, onError: (e) => setRowError(errorMessage(e)) }));
  const remove = useMutation(
    trpc.mcp.remove.mutationOptions({
      onSuccess: async () => {
        await invalidate();
        setRemoving(null);
      },
    }),
  );
  const test = useMutation(
    trpc.mcp.test.mutationOptions({
      onSuccess: async (result, input) => {
        if (input.serverId) setTests((t) => ({ ...t, [input.serverId!]: result }));
        await invalidate();
      },
      onError: (e, input) => input.serverId && setTests((t) => ({ ...t, [input.serverId!]: { ok: false, tools: [], latencyMs: 0, error: errorMessage(e) } })),
      onSettled: () => setTestingId(null),
    }),
  );

  const rows = servers.data ?? [];
  const columns = canAdmin ? 6 : 5;

  const addButton = canAdmin && (
    <Button variant="primary" onClick={() => setAdding(true)}>
      <Icon name="plus" />
      Add server
    </Button>
  );

  return (
    <div className="stack-lg">
      <PageHeader
        title="MCP servers"
        description="Tool servers speaking the Model Context Protocol. Their tools are offered to agents and tool steps as server.tool, alongside the built-in ones."
        actions={addButton}
      />

      {rowError && (
        <Alert title="The change was not saved">
          {rowError}{" "}
          <button type="button" className="link-button" onClick={() => setRowError(null)}>
            Dismiss
          </button>
        </Alert>
      )}

      {servers.isSuccess && rows.length === 0 ? (
        <section className="card">
          <EmptyState icon="tool" title="No MCP servers yet" actions={addButton}>
            <p>
              Connect a local command such as <code>npx -y @modelcontextprotocol/server-filesystem /data</code>, or a remote server by its URL. Secrets
              (tokens, API keys) are encrypted at rest and only their names are shown.
            </p>
            {!canAdmin && <p>Admins of the team can add servers.</p>}
          </EmptyState>
        </section>
      ) : (
        <TableFrame label="MCP servers" stack>
          <thead>
            <tr>
              <th>Server</th>
              <th>Command or URL</th>
              <th>Secrets</th>
              <th>Status</th>
              <th>Tools</th>
              {canAdmin && <ActionsHeaderCell />}
            </tr>
          </thead>
          <tbody>
            <QueryStateRows query={servers} colSpan={columns} noun="MCP servers" />
            {rows.map((server) => {
              const result = tests[server.id];
              return (
                <Fragment key={server.id}>
                  <tr className={server.enabled ? undefined : "row-muted"} data-testid={`mcp-row-${server.name}`}>
                    <td className="cell-title">
                      <div className="cell-primary">{server.name}</div>
                      <div className="cell-sub">{MCP_TRANSPORT_LABELS[server.transport]}</div>
                      {canAdmin && (
                        <label className={styles.switch} style={{ marginTop: 4 }}>
                          <input
                            type="checkbox"
                            checked={server.enabled}
                            disabled={update.isPending}
                            onChange={(e) => update.mutate({ teamId: team.id, serverId: server.id, enabled: e.target.checked })}
                            aria-label={`Enable ${server.name}`}
                          />
                          {server.enabled ? "Enabled" : "Disabled"}
                        </label>
                      )}
                    </td>
                    <td data-label="Command or URL">
                      <Target server={server} />
                    </td>
                    <td data-label="Secrets">
                      <SecretNames names={server.secretNames} />
                    </td>
                    <td data-label="Status">
                      <Status server={server} />
                    </td>
                    <td data-label="Tools" className="nowrap">
                      <Button size="sm" variant="ghost" onClick={() => setBrowsing(server)} aria-label={`Tools of ${server.name}`}>
                        <Icon name="tool" />
                        {server.toolCount} tool{server.toolCount === 1 ? "" : "s"}
                      </Button>
                    </td>
                    {canAdmin && (
                      <ActionsCell>
                        <RowAction
                          label="Test"
                          rowName={server.name}
                          pending={testingId === server.id}
                          onClick={() => {
                            setTestingId(server.id);
                            test.mutate({ teamId: team.id, serverId: server.id });
                          }}
                        />
                        <RowAction label="Edit" rowName={server.name} onClick={() => setEditing(server)} />
                        <RowAction label="Delete" rowName={server.name} onClick={() => setRemoving(server)} />
                      </ActionsCell>
                    )}
                  </tr>
                  {result && (
                    <tr className={styles.testRow}>
                      <td colSpan={columns} className="cell-full">
                        <div className="row" style={{ alignItems: "flex-start", flexWrap: "nowrap" }}>
                          <div style={{ flex: 1, minWidth: 0 }}>
                            <McpTestResult result={result} />
                          </div>
                          <button
                            type="button"
                            className="icon-button"
                            aria-label={`Hide the test result of ${server.name}`}
                            onClick={() => setTests(({ [server.id]: _gone, ...rest }) => rest)}
                          >
                            <Icon name="close" />
                          </button>
                        </div>
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </TableFrame>
      )}

      <ServerDialog open={adding || editing !== null} server={editing} onClose={() => (setAdding(false), setEditing(null))} />
      <ToolsDrawer server={browsing} onClose={() => setBrowsing(null)} />
      <ConfirmDialog
        open={removing !== null}
        title="Delete this MCP server?"
        confirmLabel="Delete server"
        pending={remove.isPending}
        error={remove.error ? errorMessage(remove.error) : null}
        onConfirm={() => removing && remove.mutate({ teamId: team.id, serverId: removing.id })}
        onClose={() => {
          remove.reset();
          setRemoving(null);
        }}
      >
        Agents and tool steps can no longer call the tools of <strong>{removing?.name}</strong>; steps that name them fail. Its stored secrets are
        destroyed.
      </ConfirmDialog>
    </div>
  );
}
