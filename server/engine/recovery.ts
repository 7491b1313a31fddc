// The sweep that keeps runs from getting stuck. Every node runs it periodically (and once
// at start-up); it is idempotent, so several nodes sweeping at once do no harm:
//  - nodes that stopped beating are marked lost and their queued jobs moved elsewhere;
//  - a queued or running step with no job anywhere is queued again (a crashed worker, a
//    web process restarted in the embedded mode, a job lost between commit and enqueue);
//  - a running run with nothing in flight is advanced (a crash between a step's commit
//    and the decision that follows it);
//  - queued runs are admitted where their team has room;
//  - runs past their whole-run timeout are failed.
import type { Db } from "../db/client.ts";
import { logger } from "../logger.ts";
import type { WorkflowDefinition } from "../shared/workflow-definition.ts";
import type { ExecutionBackend } from "./types.ts";

export interface RecoveryDeps {
  db: () => Promise<Db>;
  backend: ExecutionBackend;
  advance(runId: string): Promise<void>;
  admit(teamId: string): Promise<void>;
  expireRun(teamId: string, runId: string, timeoutMs: number): Promise<void>;
  /** Marks nodes that stopped beating as lost; returns their ids. */
  sweepLostNodes?: () => Promise<string[]>;
  /** Moves the waiting jobs of a lost node to others (per-node queues). */
  rehome?: (nodeId: string) => Promise<void>;
}

export interface RecoveryReport {
  lostNodes: string[];
  requeued: number;
  advanced: number;
  timedOut: number;
}

export async function recover(deps: RecoveryDeps, options: { graceMs: number }): Promise<RecoveryReport> {
  const db = await deps.db();
  const report: RecoveryReport = { lostNodes: [], requeued: 0, advanced: 0, timedOut: 0 };
  report.lostNodes = (await deps.sweepLostNodes?.()) ?? [];
  for (const nodeId of report.lostNodes) await deps.rehome?.(nodeId);

  const before = new Date(Date.now() - options.graceMs);
  const orphans = await db.stepRun.findMany({
    where: { status: { in: ["QUEUED", "RUNNING"] }, updatedAt: { lte: before }, run: { status: { in: ["RUNNING", "WAITING"] } } },
    select: { id: true, attempt: true, availableAt: true, run: { select: { id: true, teamId: true, priority: true } } },
    take: 1000,
  });
  for (const step of orphans) {
    if (await deps.backend.hasJob({ stepRunId: step.id, attempt: step.attempt })) continue;
    const delayMs = step.availableAt ? Math.max(0, step.availableAt.getTime() - Date.now()) : 0;
    await deps.backend.enqueue({ stepRunId: step.id, runId: step.run.id, teamId: step.run.teamId, attempt: step.attempt, priority: step.run.priority, ...(delayMs ? { delayMs } : {}) });
    report.requeued += 1;
  }

  const idle = await db.run.findMany({
    where: { status: { in: ["RUNNING"] }, updatedAt: { lte: before }, steps: { none: { status: { in: ["QUEUED", "RUNNING", "WAITING"] }, kind: { not: "map" } } } },
    select: { id: true },
    take: 1000,
  });
  for (const run of idle) {
    await deps.advance(run.id);
    report.advanced += 1;
  }

  const queuedTeams = await db.run.findMany({ where: { status: "QUEUED" }, distinct: ["teamId"], select: { teamId: true } });
  for (const { teamId } of queuedTeams) await deps.admit(teamId);

  const running = await db.run.findMany({
    where: { status: { in: ["RUNNING", "WAITING", "PAUSED"] }, startedAt: { not: null } },
    select: { id: true, teamId: true, startedAt: true, workflowVersion: { select: { definition: true } } },
    take: 5000,
  });
  for (const run of running) {
    const timeoutMs = (run.workflowVersion.definition as unknown as WorkflowDefinition).limits?.timeoutMs;
    if (timeoutMs && run.startedAt && Date.now() - run.startedAt.getTime() > timeoutMs) {
      await deps.expireRun(run.teamId, run.id, timeoutMs);
      report.timedOut += 1;
    }
  }
  if (report.requeued || report.advanced || report.timedOut || report.lostNodes.length) logger.info("engine.recovered", { ...report });
  return report;
}
