// The worker-node registry: every process that executes steps has a WorkerNode row,
// refreshed by a heartbeat. Nodes that stop beating are marked LOST by a sweep (their
// queued jobs are then rehomed); an operator marks a node DRAINING and the node itself
// notices it on its next beat and shuts down gracefully.
import os from "node:os";
import { randomBytes } from "node:crypto";
import type { Db } from "../db/client.ts";
import type { WorkerNode } from "../db/generated/client.ts";
import { logger } from "../logger.ts";
import { appVersion } from "../version.ts";
import type { NodeLoad } from "./load-balancing.ts";

export type NodeRole = "web" | "worker";
export const DEFAULT_HEARTBEAT_MS = 5000;

/** Where a router finds the nodes that may be given work. */
export interface NodeDirectory {
  activeNodes(): Promise<NodeLoad[]>;
}

export interface NodeRegistryOptions {
  db: Db;
  heartbeatMs?: number;
  /** Jobs running on this node now (the backend's count); by default, started minus finished. */
  activeCount?: () => number;
  /** Called once when this node finds itself marked DRAINING: stop consuming and exit. */
  onDrain?: () => void | Promise<void>;
}

export interface NodeRegistration {
  id: string;
  role: NodeRole;
  capacity: number;
}

/** `<host>-<role>-<pid>-<4 random chars>`: readable in the UI, unique across restarts. */
export function newNodeId(role: NodeRole): string {
  return `${os.hostname()}-${role}-${process.pid}-${randomBytes(3).toString("base64url").slice(0, 4)}`;
}

export class NodeRegistry implements NodeDirectory {
  readonly heartbeatMs: number;
  private readonly db: Db;
  private readonly activeCount: () => number;
  private readonly onDrain: (() => void | Promise<void>) | undefined;
  private self: NodeRegistration | undefined;
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  private drainNoticed = false;
  private started = 0;
  private processed = 0;
  private failed = 0;
  private lastCpu = process.cpuUsage();
  private lastWall = process.hrtime.bigint();

  constructor(options: NodeRegistryOptions) {
    this.db = options.db;
    this.heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    this.activeCount = options.activeCount ?? (() => this.started - this.processed - this.failed);
    this.onDrain = options.onDrain;
  }

  /** This node's id; register() first. */
  get nodeId(): string {
    if (!this.self) throw new Error("The node is not registered");
    return this.self.id;
  }

  /** Creates or revives this node's row as ACTIVE. */
  async register(node: NodeRegistration): Promise<void> {
    this.self = node;
    this.drainNoticed = false;
    const now = new Date();
    const fields = {
      host: os.hostname(),
      pid: process.pid,
      role: node.role,
      capacity: node.capacity,
      version: appVersion(),
      status: "ACTIVE" as const,
      running: 0,
      startedAt: now,
      lastBeatAt: now,
      stoppedAt: null,
    };
    await this.db.workerNode.upsert({ where: { id: node.id }, create: { id: node.id, ...fields }, update: fields });
  }

  /** Beats every heartbeatMs until stop(). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.beat().catch((error: unknown) => logger.warn("engine.node.heartbeat_failed", { error })), this.heartbeatMs);
    this.timer.unref();
  }

  /**
   * One heartbeat: a single UPDATE writes the load figures and reads the status back.
   * A node that was swept as LOST but is beating again is ACTIVE again.
   */
  async beat(): Promise<void> {
    // Overlapping beats (a slow database) would only repeat the same write.
    if (this.beating) return this.beating;
    this.beating = this.writeBeat().finally(() => (this.beating = undefined));
    return this.beating;
  }

  private async writeBeat(): Promise<void> {
    const id = this.nodeId;
    const rows = await this.db.$queryRaw<{ status: string }[]>`
      UPDATE "WorkerNode" SET
        "lastBeatAt" = ${new Date()}, "running" = ${this.activeCount()}, "cpu" = ${this.cpuShare()},
        "memoryBytes" = ${BigInt(process.memoryUsage.rss())}, "processed" = ${this.processed}, "failed" = ${this.failed},
        "status" = CASE WHEN "status" = 'LOST' THEN 'ACTIVE'::"NodeStatus" ELSE "status" END
      WHERE "id" = ${id}
      RETURNING "status"::text AS "status"`;
    if (rows[0]?.status === "DRAINING" && !this.drainNoticed) {
      this.drainNoticed = true;
      logger.info("engine.node.draining", { nodeId: id });
      // Not awaited: draining ends in stop(), which waits for this beat to finish.
      void Promise.resolve()
        .then(() => this.onDrain?.())
        .catch((error: unknown) => logger.error("engine.node.drain_failed", { nodeId: id, error }));
    }
  }

  /** Share of one core this process used since the previous beat. */
  private cpuShare(): number {
    const cpu = process.cpuUsage(this.lastCpu);
    const wall = process.hrtime.bigint();
    const elapsedMicros = Number(wall - this.lastWall) / 1000;
    this.lastCpu = process.cpuUsage();
    this.lastWall = wall;
    return elapsedMicros > 0 ? (cpu.user + cpu.system) / elapsedMicros : 0;
  }

  jobStarted(): void {
    this.started += 1;
  }

  jobFinished(ok: boolean): void {
    if (ok) this.processed += 1;
    else this.failed += 1;
  }

  /** Stops beating and marks the node STOPPED. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.beating?.catch(() => undefined);
    if (!this.self) return;
    await this.db.workerNode.updateMany({
      where: { id: this.self.id },
      data: { status: "STOPPED", stoppedAt: new Date(), running: 0, processed: this.processed, failed: this.failed },
    });
  }

  /** Marks ACTIVE or DRAINING nodes silent for longer than lostAfterMs as LOST; returns their ids. */
  async sweepLost(lostAfterMs = 3 * this.heartbeatMs): Promise<string[]> {
    const rows = await this.db.$queryRaw<{ id: string }[]>`
      UPDATE "WorkerNode" SET "status" = 'LOST'
      WHERE "status" IN ('ACTIVE', 'DRAINING') AND "lastBeatAt" < ${new Date(Date.now() - lostAfterMs)}
      RETURNING "id"`;
    const ids = rows.map((row) => row.id);
    if (ids.length > 0) logger.warn("engine.node.lost", { nodeIds: ids });
    return ids;
  }

  /** Asks a node to finish its running jobs and stop; false when it is not ACTIVE. */
  async drain(nodeId: string): Promise<boolean> {
    const { count } = await this.db.workerNode.updateMany({ where: { id: nodeId, status: "ACTIVE" }, data: { status: "DRAINING" } });
    return count > 0;
  }

  /** Every node, live ones first, for the nodes page. */
  list(): Promise<WorkerNode[]> {
    return this.db.workerNode.findMany({ orderBy: [{ status: "asc" }, { lastBeatAt: "desc" }] });
  }

  /** ACTIVE nodes as load-balancing candidates (load = running at the last beat). */
  async activeNodes(): Promise<NodeLoad[]> {
    const rows = await this.db.workerNode.findMany({
      where: { status: "ACTIVE" },
      select: { id: true, capacity: true, running: true, cpu: true, memoryBytes: true },
    });
    return rows.map((row) => ({ id: row.id, capacity: row.capacity, load: row.running, cpu: row.cpu, memoryBytes: Number(row.memoryBytes) }));
  }
}
