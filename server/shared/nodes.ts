// Worker nodes as the API returns them: every process that executes steps (the web
// server and each `npm run worker`) has a row, refreshed by its heartbeat. Nodes belong
// to the installation, not to a team.
import { z } from "zod";
import { teamInput } from "./schemas.ts";

export const NODE_STATUSES = ["ACTIVE", "DRAINING", "LOST", "STOPPED"] as const;
export type NodeStatus = (typeof NODE_STATUSES)[number];

export const NODE_STATUS_TEXT: Record<NodeStatus, { label: string; description: string }> = {
  ACTIVE: { label: "Active", description: "Beating and taking new steps." },
  DRAINING: { label: "Draining", description: "Finishing the steps it has, taking no new ones; it stops when done." },
  LOST: { label: "Lost", description: "Stopped beating without saying goodbye; its queued steps were handed to other nodes." },
  STOPPED: { label: "Stopped", description: "Shut down cleanly." },
};

/** Stopped and lost nodes silent for longer than this are hidden unless asked for. */
export const NODE_HISTORY_HOURS = 24;

// Node ids are `<host>-<role>-<pid>-<suffix>`, and host names may carry dots.
const nodeIdSchema = z
  .string()
  .min(1, "is required")
  .max(300, "must be at most 300 characters")
  .regex(/^[^\s\0]+$/, "is not a valid node id");

export const nodeListInput = teamInput.extend({
  /** Also list stopped and lost nodes older than NODE_HISTORY_HOURS. */
  includeOld: z.boolean().default(false),
});
export type NodeListInput = z.infer<typeof nodeListInput>;

export const nodeDrainInput = teamInput.extend({ nodeId: nodeIdSchema });
export type NodeDrainInput = z.infer<typeof nodeDrainInput>;

export interface WorkerNodeDto {
  id: string;
  host: string;
  pid: number;
  /** "web" (the dashboard's process) or "worker". */
  role: string;
  status: NodeStatus;
  /** Steps it runs at once. */
  capacity: number;
  /** Steps running at its last beat. */
  running: number;
  /** Share of one core over the last beat (may pass 1 with worker threads). */
  cpu: number;
  memoryBytes: number;
  processed: number;
  failed: number;
  version: string;
  startedAt: string;
  lastBeatAt: string;
  stoppedAt: string | null;
  /** Since the last beat and since start, by the server's clock (the browser's may differ). */
  beatAgeMs: number;
  uptimeMs: number;
  /** The node inside the process that answered this request. */
  current: boolean;
}

export interface NodeListDto {
  nodes: WorkerNodeDto[];
  /** Old stopped or lost nodes left out (0 when includeOld). */
  hiddenCount: number;
  /** The queue of the process that answered: workers can only join a "bullmq" installation. Null when its engine is not running. */
  backend: "in-process" | "bullmq" | null;
  at: string;
}
