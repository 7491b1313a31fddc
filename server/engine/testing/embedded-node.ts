// The engine part of `maestro start` in the embedded mode (PGlite in MAESTRO_DATA_DIR,
// in-process queue), as a process a test can kill and start again on the same data dir.
// Prints JSON lines on stdout.
//   start <effects url>: seeds a team and a two-step workflow, starts a run, prints
//                        {"event":"run"} then every step status change ({"event":"step"}).
//   resume <run id>:     starts the engine (start-up recovery continues the run), waits
//                        for the run and prints {"event":"finished"} with its steps; exits.
// Run with `node --import tsx server/engine/testing/embedded-node.ts <mode> <arg>`.
import { openAndMigrate, prepareEnvironment } from "../../boot.ts";
import { closeDatabase, type Db } from "../../db/client.ts";
import { gatewayServices, stopGatewayServices } from "../../modules/gateway/index.ts";
import { FINISHED_RUN_STATUSES } from "../../shared/workflow-definition.ts";
import { startEngine, stopEngine } from "../runtime.ts";
import { createTeam, saveWorkflow } from "./harness.ts";

const print = (line: Record<string, unknown>) => process.stdout.write(JSON.stringify(line) + "\n");
const FINISHED: ReadonlySet<string> = new Set(FINISHED_RUN_STATUSES);

async function seedAndStart(db: Db, effectsUrl: string): Promise<void> {
  const team = await createTeam(db);
  const workflow = await saveWorkflow(db, team.teamId, {
    name: "charge then receipt",
    steps: [
      { id: "charge", kind: "http", method: "POST", url: `${effectsUrl}/effect?name=charge&ms=1500` },
      { id: "receipt", kind: "code", code: "return { ref: input.ref, done: true }", inputs: { ref: "{{ steps.charge.output.body.ref }}" } },
    ],
  });
  const { engine } = await startEngine({ role: "web" });
  const { runId } = await engine.startRun({ teamId: team.teamId, workflow, input: {}, createdById: team.userId, apiKeyId: null });
  print({ event: "run", runId });
  // Polled, as any observer of the database would see it; runs until killed or finished.
  const seen = new Map<string, string>();
  for (;;) {
    const steps = await db.stepRun.findMany({ where: { runId }, select: { key: true, status: true } });
    for (const step of steps) {
      if (seen.get(step.key) === step.status) continue;
      seen.set(step.key, step.status);
      print({ event: "step", key: step.key, status: step.status });
    }
    const run = await db.run.findUniqueOrThrow({ where: { id: runId }, select: { status: true } });
    if (FINISHED.has(run.status)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function resume(db: Db, runId: string): Promise<void> {
  const { engine } = await startEngine({ role: "web" });
  const status = await engine.waitForRun(runId, 60_000);
  const run = await db.run.findUniqueOrThrow({ where: { id: runId }, select: { output: true, error: true } });
  const steps = await db.stepRun.findMany({ where: { runId }, orderBy: { key: "asc" }, select: { key: true, status: true, output: true, attempt: true } });
  print({ event: "finished", runId, status, output: run.output, error: run.error, steps });
}

async function main(args: string[]): Promise<number> {
  const [mode, argument] = args;
  if ((mode !== "start" && mode !== "resume") || !argument) {
    process.stderr.write("usage: embedded-node.ts start <effects url> | resume <run id>\n");
    return 2;
  }
  await prepareEnvironment();
  const { database } = await openAndMigrate();
  gatewayServices();
  try {
    if (mode === "start") await seedAndStart(database.prisma, argument);
    else await resume(database.prisma, argument);
  } finally {
    await stopEngine({ drain: false });
    await stopGatewayServices();
    await closeDatabase();
  }
  return 0;
}

process.exit(await main(process.argv.slice(2)));
