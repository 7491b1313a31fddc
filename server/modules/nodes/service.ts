// Worker nodes for the Nodes page: the registry's rows with their load, and draining a
// node. Nodes serve the whole installation, so unlike every other module nothing here
// filters by team; the team only decides who may look (nodes:read) and drain (nodes:admin).
import type { Db } from "../../db/client.ts";
import type { Prisma, WorkerNode } from "../../db/generated/client.ts";
import { ConflictError, NotFoundError } from "../../errors.ts";
import { engineRuntime } from "../../engine/index.ts";
import { NodeRegistry } from "../../engine/nodes.ts";
import { recordAudit, type AuditActor } from "../audit/index.ts";
import { NODE_HISTORY_HOURS, NODE_STATUSES, type NodeDrainInput, type NodeListDto, type NodeStatus, type WorkerNodeDto } from "../../shared/nodes.ts";

const HOUR_MS = 3_600_000;

export function toWorkerNodeDto(row: WorkerNode, now: Date, currentNodeId: string | null): WorkerNodeDto {
  return {
    id: row.id,
    host: row.host,
    pid: row.pid,
    role: row.role,
    status: row.status as NodeStatus,
    capacity: row.capacity,
    running: row.running,
    cpu: row.cpu,
    memoryBytes: Number(row.memoryBytes),
    processed: row.processed,
    failed: row.failed,
    version: row.version,
    startedAt: row.startedAt.toISOString(),
    lastBeatAt: row.lastBeatAt.toISOString(),
    stoppedAt: row.stoppedAt?.toISOString() ?? null,
    beatAgeMs: Math.max(0, now.getTime() - row.lastBeatAt.getTime()),
    uptimeMs: Math.max(0, (row.stoppedAt ?? now).getTime() - row.startedAt.getTime()),
    current: row.id === currentNodeId,
  };
}

/** This process's engine node and queue, or nulls when the engine does not run here. */
export function localEngine(): { nodeId: string | null; backend: NodeListDto["backend"] } {
  const runtime = engineRuntime();
  if (!runtime) return { nodeId: null, backend: null };
  try {
    return { nodeId: runtime.registry.nodeId, backend: runtime.backend.kind };
  } catch {
    // Not registered yet (start-up): the queue is known, the node id is not.
    return { nodeId: null, backend: runtime.backend.kind };
  }
}

const statusRank = (status: string) => NODE_STATUSES.indexOf(status as NodeStatus);

/** Live nodes first (active, draining, lost, stopped), each group by latest beat. */
export async function listNodes(
  db: Db,
  options: { includeOld: boolean; currentNodeId: string | null; backend?: NodeListDto["backend"]; now?: Date },
): Promise<NodeListDto> {
  const now = options.now ?? new Date();
  // A node is history once it stopped (or was lost) and has been silent since the cut-off.
  const history: Prisma.WorkerNodeWhereInput = {
    status: { in: ["STOPPED", "LOST"] },
    lastBeatAt: { lt: new Date(now.getTime() - NODE_HISTORY_HOURS * HOUR_MS) },
  };
  const [rows, hiddenCount] = await Promise.all([
    db.workerNode.findMany({ where: options.includeOld ? {} : { NOT: history } }),
    options.includeOld ? 0 : db.workerNode.count({ where: history }),
  ]);
  rows.sort((a, b) => statusRank(a.status) - statusRank(b.status) || b.lastBeatAt.getTime() - a.lastBeatAt.getTime());
  return { nodes: rows.map((row) => toWorkerNodeDto(row, now, options.currentNodeId)), hiddenCount, backend: options.backend ?? null, at: now.toISOString() };
}

/**
 * Marks an active node DRAINING (the registry's own drain): the node notices on its next
 * heartbeat, finishes the steps it holds and stops. Draining a node already draining
 * changes nothing; a stopped or lost node cannot be drained.
 */
export async function drainNode(db: Db, actor: AuditActor, input: NodeDrainInput, currentNodeId: string | null = null): Promise<WorkerNodeDto> {
  const before = await db.workerNode.findUnique({ where: { id: input.nodeId } });
  if (!before) throw new NotFoundError("That node");
  if (before.status === "DRAINING") return toWorkerNodeDto(before, new Date(), currentNodeId);
  const drained = await new NodeRegistry({ db }).drain(input.nodeId);
  // Re-read either way: the status may have moved between the read and the update.
  const after = await db.workerNode.findUniqueOrThrow({ where: { id: input.nodeId } });
  if (!drained) {
    if (after.status === "DRAINING") return toWorkerNodeDto(after, new Date(), currentNodeId);
    throw new ConflictError(`Node ${after.id} is ${after.status.toLowerCase()}: only an active node can be drained.`);
  }
  await recordAudit(db, actor, {
    action: "node.drain",
    teamId: input.teamId,
    targetType: "node",
    targetId: after.id,
    before: { status: before.status, host: before.host, pid: before.pid, role: before.role },
    after: { status: after.status },
  });
  return toWorkerNodeDto(after, new Date(), currentNodeId);
}
