// A step job the queue gave up on (its handler kept failing: a crashing worker, an
// unreachable database). The step fails with the reason, so the run does not hang, and
// a dead letter row lets an operator retry it from the dead-letter view.
import type { Db } from "../db/client.ts";
import { logger } from "../logger.ts";
import { recordRunEvents } from "./events.ts";
import type { BackendConfig } from "./backends/index.ts";
import type { Engine } from "./engine.ts";
import type { StepJob } from "./types.ts";

export async function recordDeadLetter(db: Db, engine: Engine, job: StepJob, error: Error, attempts: number, config: BackendConfig): Promise<void> {
  const step = await db.stepRun.findUnique({ where: { id: job.stepRunId }, select: { key: true, status: true } });
  if (!step) return;
  logger.error("engine.dead_letter", { runId: job.runId, step: step.key, attempts, error: error.message });
  await db.deadLetter.create({
    data: { teamId: job.teamId, runId: job.runId, stepRunId: job.stepRunId, stepKey: step.key, queue: config.kind, error: error.message.slice(0, 2000), attempts },
  });
  const failure = { message: `The step's job failed ${attempts} times and was set aside: ${error.message}`, code: "DEAD_LETTER", retryable: false };
  const updated = await db.stepRun.updateMany({
    where: { id: job.stepRunId, status: { in: ["QUEUED", "RUNNING"] } },
    data: { status: "FAILED", error: failure, finishedAt: new Date() },
  });
  if (updated.count > 0) await recordRunEvents(db, [{ runId: job.runId, teamId: job.teamId, type: "step.status", stepKey: step.key, payload: { status: "FAILED", error: failure } }]);
  await engine.advance(job.runId);
}
