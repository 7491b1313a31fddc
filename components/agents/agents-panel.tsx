"use client";
// The Agents page: the four built-in agents every team has (marked when the team changed
// one) and the team's own, with create, edit, reset and delete for agents:write.
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { AGENT_ROLE_TEXT, type AgentDto } from "@/server/shared/agents";
import { STRATEGY_TEXT } from "@/server/shared/llm";
import { useTRPC } from "@/components/providers/trpc";
import { useCan, useTeam } from "@/components/shell/shell-context";
import { errorMessage } from "@/components/lib/api-error";
import { useAuditRefresh } from "@/components/lib/use-audit-refresh";
import { formatUsd } from "@/components/lib/units";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Icon } from "@/components/ui/icons";
import { PageHeader } from "@/components/ui/page-header";
import { ActionsCell, ActionsHeaderCell, QueryStateRows, RowAction, TableFrame } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { AgentDialog } from "./agent-dialog";
import styles from "./agents.module.css";

const ROLE_TONES: Record<AgentDto["role"], BadgeTone> = { analyst: "accent", gatekeeper: "warning", executor: "success", verifier: "accent", custom: "neutral" };
const TOOLS_SHOWN = 4;

function Origin({ agent }: { agent: AgentDto }) {
  if (!agent.builtIn) return <Badge title="Created by this team">Custom</Badge>;
  return (
    <span className="chip-list">
      <Badge tone="accent" title="One of the four agents every team has">
        Built-in
      </Badge>
      {agent.overridden && (
        <Badge tone="warning" title="This team changed the defaults; reset brings them back">
          Overridden
        </Badge>
      )}
    </span>
  );
}

function Tools({ tools }: { tools: string[] }) {
  if (!tools.length) return <span className="faint">None</span>;
  const shown = tools.slice(0, TOOLS_SHOWN);
  return (
    <span className="chip-list" title={tools.join(", ")}>
      {shown.map((tool) => (
        <code key={tool} className="chip">
          {tool}
        </code>
      ))}
      {tools.length > shown.length && <span className="chip">+{tools.length - shown.length}</span>}
    </span>
  );
}

function ModelCell({ agent }: { agent: AgentDto }) {
  return (
    <>
      {agent.model ? <code>{agent.model}</code> : <span className="muted nowrap">Team routing</span>}
      {agent.strategy && <div className="cell-sub">{STRATEGY_TEXT[agent.strategy].label}</div>}
    </>
  );
}

export function AgentsPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const team = useTeam();
  const canWrite = useCan("agents:write");
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<AgentDto | null>(null);
  const [removing, setRemoving] = useState<AgentDto | null>(null);

  const agents = useQuery(trpc.agents.list.queryOptions({ teamId: team.id }));
  useAuditRefresh(["agent."], [trpc.agents.pathKey()]);
  const remove = useMutation(
    trpc.agents.remove.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.agents.pathKey() });
        setRemoving(null);
      },
    }),
  );

  const rows = agents.data ?? [];
  const columns = canWrite ? 6 : 5;
  const resetting = removing?.builtIn ?? false;

  return (
    <div className="stack-lg">
      <PageHeader
        title="Agents"
        description="The agents workflow steps hand tasks to: a role, instructions, a model and the tools each may call. Every team starts with four built-in ones."
        actions={
          canWrite && (
            <Button variant="primary" onClick={() => setCreating(true)}>
              <Icon name="plus" />
              New agent
            </Button>
          )
        }
      />

      <TableFrame label="Agents" stack>
        <thead>
          <tr>
            <th>Agent</th>
            <th>Role</th>
            <th>Model</th>
            <th>Tools</th>
            <th>Limits</th>
            {canWrite && <ActionsHeaderCell />}
          </tr>
        </thead>
        <tbody>
          <QueryStateRows query={agents} colSpan={columns} noun="agents" />
          {rows.map((agent) => (
            <tr key={agent.slug} data-testid={`agent-row-${agent.slug}`}>
              <td className="cell-title">
                <div className={styles.agentHead}>
                  <span className="cell-primary">{agent.name}</span>
                  <Origin agent={agent} />
                </div>
                <div className="cell-sub mono">{agent.slug}</div>
                {agent.instructions && (
                  <div className={styles.instructions} title={agent.instructions} data-testid={`agent-instructions-${agent.slug}`}>
                    {agent.instructions}
                  </div>
                )}
                {agent.updatedAt && (
                  <div className="cell-sub">
                    Changed <Time iso={agent.updatedAt} relative />
                  </div>
                )}
              </td>
              <td data-label="Role">
                <Badge tone={ROLE_TONES[agent.role]} title={AGENT_ROLE_TEXT[agent.role].description}>
                  {AGENT_ROLE_TEXT[agent.role].label}
                </Badge>
              </td>
              <td data-label="Model">
                <ModelCell agent={agent} />
              </td>
              <td data-label="Tools">
                <Tools tools={agent.tools} />
              </td>
              <td data-label="Limits" className="nowrap">
                <div>{agent.maxTurns} turns</div>
                <div className="cell-sub">{agent.maxCostUsd === null ? "No cost cap" : `≤ ${formatUsd(agent.maxCostUsd, agent.maxCostUsd >= 0.01 ? { decimals: 2 } : {})} per task`}</div>
              </td>
              {canWrite && (
                <ActionsCell>
                  <RowAction label="Edit" rowName={agent.name} onClick={() => setEditing(agent)} />
                  {agent.builtIn
                    ? agent.overridden && <RowAction label="Reset" rowName={agent.name} onClick={() => setRemoving(agent)} />
                    : <RowAction label="Delete" rowName={agent.name} onClick={() => setRemoving(agent)} />}
                </ActionsCell>
              )}
            </tr>
          ))}
        </tbody>
      </TableFrame>

      <AgentDialog open={creating || editing !== null} agent={editing} onClose={() => (setCreating(false), setEditing(null))} />
      <ConfirmDialog
        open={removing !== null}
        title={resetting ? "Reset this agent to its defaults?" : "Delete this agent?"}
        confirmLabel={resetting ? "Reset to default" : "Delete agent"}
        pending={remove.isPending}
        error={remove.error ? errorMessage(remove.error) : null}
        onConfirm={() => removing && remove.mutate({ teamId: team.id, slug: removing.slug })}
        onClose={() => {
          remove.reset();
          setRemoving(null);
        }}
      >
        {resetting ? (
          <>
            This team&apos;s changes to <strong>{removing?.name}</strong> are discarded; workflows use the built-in instructions, model and tools again.
          </>
        ) : (
          <>
            Workflow steps that name <strong>{removing?.slug}</strong> fail until an agent with that slug exists again.
          </>
        )}
      </ConfirmDialog>
    </div>
  );
}
