"use client";
// A side panel listing one server's tools. Built on the native <dialog> like the app's
// dialogs (focus trap, Escape, inert background), placed along the right edge.
import { useEffect, useId, useRef } from "react";
import { useQuery } from "@tanstack/react-query";
import type { McpServerDto } from "@/server/shared/mcp";
import { useTRPC } from "@/components/providers/trpc";
import { useTeam } from "@/components/shell/shell-context";
import { errorMessage } from "@/components/lib/api-error";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Icon } from "@/components/ui/icons";
import { Time } from "@/components/ui/time";
import { cx } from "@/components/ui/cx";
import { ToolList } from "./tool-list";
import styles from "./mcp.module.css";

function ServerTools({ server }: { server: McpServerDto }) {
  const trpc = useTRPC();
  const team = useTeam();
  const tools = useQuery(trpc.mcp.tools.queryOptions({ teamId: team.id, serverId: server.id }));

  if (tools.isPending) return <p className="faint">Loading tools…</p>;
  if (tools.isError) return <Alert title="The tools could not be loaded">{errorMessage(tools.error)}</Alert>;
  const { source, lastConnectedAt } = tools.data;
  return (
    <div className="stack">
      <p className="cell-sub" style={{ margin: 0 }}>
        {source === "live" ? (
          <>
            <Badge tone="success">Live</Badge> Listed by the open connection.
          </>
        ) : lastConnectedAt ? (
          <>
            <Badge>Cached</Badge> As listed when it last connected, <Time iso={lastConnectedAt} relative />.
          </>
        ) : (
          <>
            <Badge>Never connected</Badge> Test the server to list its tools.
          </>
        )}{" "}
        Agents and tool steps address them as <code>{server.name}.tool</code>.
      </p>
      {tools.data.tools.length === 0 ? <p className="faint">No tools known for this server.</p> : <ToolList tools={tools.data.tools} testId="mcp-tools" />}
    </div>
  );
}

export function ToolsDrawer({ server, onClose }: { server: McpServerDto | null; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const open = server !== null;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      className={cx("dialog", styles.drawer)}
      aria-labelledby={titleId}
      onClose={onClose}
      onClick={(event) => {
        if (event.target === event.currentTarget) onClose();
      }}
    >
      {server && (
        <div className="dialog-panel">
          <header className="dialog-header">
            <div>
              <h2 className="dialog-title" id={titleId}>
                Tools of {server.name}
              </h2>
              <div className="dialog-description">
                {server.toolCount} tool{server.toolCount === 1 ? "" : "s"} · {server.transport === "stdio" ? "local command" : "remote server"}
              </div>
            </div>
            <button type="button" className="icon-button" aria-label="Close tools" onClick={onClose}>
              <Icon name="close" />
            </button>
          </header>
          <div className="dialog-body">
            <ServerTools server={server} />
          </div>
        </div>
      )}
    </dialog>
  );
}
