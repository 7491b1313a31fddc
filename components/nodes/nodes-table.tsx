"use client";
// One row per worker node: status, where it runs, its load at the last heartbeat and
// how long ago that was. Ages tick between polls so "3 s ago" does not sit still.
import { useEffect, useState } from "react";
import { NODE_STATUS_TEXT, type NodeStatus, type WorkerNodeDto } from "@/server/shared/nodes";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { ActionsCell, ActionsHeaderCell, numericCell, RowAction, TableFrame } from "@/components/ui/table";
import { formatBytes, formatInt } from "@/components/lib/units";
import { formatAgo, formatCpu, formatDuration } from "./format";
import styles from "./nodes.module.css";

const STATUS_TONES: Record<NodeStatus, BadgeTone> = { ACTIVE: "success", DRAINING: "warning", LOST: "danger", STOPPED: "neutral" };
const TICK_MS = 1000;

export function NodeStatusBadge({ status }: { status: NodeStatus }) {
  const text = NODE_STATUS_TEXT[status];
  return (
    <Badge tone={STATUS_TONES[status]} title={text.description}>
      {text.label}
    </Badge>
  );
}

/**
 * Milliseconds since the data was fetched, ticking every second. It is 0 until after
 * hydration, so the server's render and the browser's first one print the same ages.
 */
function useSinceFetch(fetchedAt: number): number {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), TICK_MS);
    return () => clearInterval(timer);
  }, []);
  return now === null ? 0 : Math.max(0, now - fetchedAt);
}

function LoadBar({ node }: { node: WorkerNodeDto }) {
  const share = node.capacity > 0 ? Math.min(1, node.running / node.capacity) : 0;
  const level = share >= 1 ? "full" : share >= 0.75 ? "high" : "normal";
  return (
    <div className={styles.load}>
      <div
        className={styles.bar}
        data-level={level}
        role="meter"
        aria-label={`Steps running on ${node.host}`}
        aria-valuemin={0}
        aria-valuemax={node.capacity}
        aria-valuenow={Math.min(node.running, node.capacity)}
        aria-valuetext={`${node.running} of ${node.capacity} slots in use`}
      >
        <span className={styles.fill} style={{ width: `${share * 100}%` }} />
      </div>
      <span className={styles.loadFigures}>
        {node.running} / {node.capacity} running
      </span>
    </div>
  );
}

function Heartbeat({ node, sinceFetch }: { node: WorkerNodeDto; sinceFetch: number }) {
  const live = node.status === "ACTIVE" || node.status === "DRAINING";
  const age = node.beatAgeMs + (live ? sinceFetch : 0);
  return (
    <div>
      <div className={live && age > 15_000 ? styles.stale : undefined} title={node.lastBeatAt} data-testid={`node-beat-${node.id}`}>
        {live ? formatAgo(age) : node.stoppedAt ? `stopped ${formatAgo(node.beatAgeMs)}` : `silent for ${formatDuration(node.beatAgeMs)}`}
      </div>
      <div className="cell-sub">
        {live ? "up" : "ran"} {formatDuration(node.uptimeMs + (live ? sinceFetch : 0))}
      </div>
    </div>
  );
}

export function NodesTable({
  nodes,
  fetchedAt,
  canDrain,
  onDrain,
}: {
  nodes: WorkerNodeDto[];
  /** When the list was fetched (ms, the browser's clock). */
  fetchedAt: number;
  canDrain: boolean;
  onDrain: (node: WorkerNodeDto) => void;
}) {
  const sinceFetch = useSinceFetch(fetchedAt);
  return (
    <TableFrame label="Worker nodes" stack>
      <thead>
        <tr>
          <th>Node</th>
          <th>Status</th>
          <th>Role</th>
          <th>Load</th>
          <th className={numericCell}>CPU</th>
          <th className={numericCell}>Memory</th>
          <th className={numericCell}>Processed / failed</th>
          <th>Last heartbeat</th>
          {canDrain && <ActionsHeaderCell />}
        </tr>
      </thead>
      <tbody>
        {nodes.map((node) => {
          const live = node.status === "ACTIVE" || node.status === "DRAINING";
          return (
            <tr key={node.id} className={live ? undefined : "row-muted"} data-testid={`node-row-${node.role}`} data-status={node.status}>
              <td className="cell-title">
                <div className="cell-primary">
                  {node.host} <span className="faint">· pid {node.pid}</span>
                </div>
                <div className={styles.nodeId}>{node.id}</div>
                {(node.current || node.version) && (
                  <div className="cell-sub">
                    {node.version && `v${node.version}`}
                    {node.current && (node.version ? " · " : "") + "serving this page"}
                  </div>
                )}
              </td>
              <td data-label="Status">
                <NodeStatusBadge status={node.status} />
              </td>
              <td data-label="Role">
                <Badge tone={node.role === "web" ? "accent" : "neutral"} title={node.role === "web" ? "The web server, which also executes steps" : "A worker process (npm run worker)"}>
                  {node.role === "web" ? "Web" : node.role === "worker" ? "Worker" : node.role}
                </Badge>
              </td>
              <td data-label="Load">
                {live ? <LoadBar node={node} /> : <span className="cell-sub">{node.capacity} slots</span>}
              </td>
              <td data-label="CPU" className={numericCell}>
                {live ? formatCpu(node.cpu) : <span className="faint">—</span>}
              </td>
              <td data-label="Memory" className={`${numericCell} nowrap`}>
                {live && node.memoryBytes > 0 ? formatBytes(node.memoryBytes) : <span className="faint">—</span>}
              </td>
              <td data-label="Processed / failed" className={`${numericCell} nowrap`}>
                {formatInt(node.processed)} / <span className={node.failed > 0 ? styles.failed : undefined}>{formatInt(node.failed)}</span>
              </td>
              <td data-label="Last heartbeat" className="nowrap">
                <Heartbeat node={node} sinceFetch={sinceFetch} />
              </td>
              {canDrain && <ActionsCell>{node.status === "ACTIVE" && <RowAction label="Drain" rowName={`${node.host} pid ${node.pid}`} onClick={() => onDrain(node)} />}</ActionsCell>}
            </tr>
          );
        })}
      </tbody>
    </TableFrame>
  );
}
