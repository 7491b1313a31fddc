import { router, scopedProcedure } from "../../api/trpc.ts";
import { auditActor } from "../../api/actor.ts";
import { teamInput } from "../../shared/schemas.ts";
import { deadLetterTargetInput, runLimitsInput, runApproveInput, runEventsInput, runListInput, runStartInput, runStepInput, runTargetInput } from "../../shared/runs.ts";
import {
  cancelRun,
  decideRunApproval,
  getRun,
  getRunLimits,
  listDeadLetters,
  listRunEvents,
  listRunMemory,
  listRunMessages,
  listRuns,
  pauseRun,
  resumeRun,
  retryDeadLetter,
  retryRunFromStep,
  setRunLimits,
  startWorkflowRun,
} from "./service.ts";


const read = scopedProcedure("runs:read");
const run = scopedProcedure("workflows:run");
const cancel = scopedProcedure("runs:cancel");
const settings = scopedProcedure("settings:admin");

export const runsRouter = router({
  start: run.input(runStartInput).mutation(({ ctx, input }) => startWorkflowRun(ctx.db, auditActor(ctx), input)),
  get: read.input(runTargetInput).query(({ ctx, input }) => getRun(ctx.db, input.teamId, input.runId)),
  list: read.input(runListInput).query(({ ctx, input }) => listRuns(ctx.db, input)),
  events: read.input(runEventsInput).query(({ ctx, input }) => listRunEvents(ctx.db, input)),
  messages: read.input(runTargetInput).query(({ ctx, input }) => listRunMessages(ctx.db, input.teamId, input.runId)),
  memory: read.input(runTargetInput).query(({ ctx, input }) => listRunMemory(ctx.db, input.teamId, input.runId)),
  cancel: cancel.input(runTargetInput).mutation(({ ctx, input }) => cancelRun(ctx.db, auditActor(ctx), input.teamId, input.runId)),
  pause: run.input(runTargetInput).mutation(({ ctx, input }) => pauseRun(ctx.db, auditActor(ctx), input.teamId, input.runId)),
  resume: run.input(runTargetInput).mutation(({ ctx, input }) => resumeRun(ctx.db, auditActor(ctx), input.teamId, input.runId)),
  retry: run.input(runStepInput).mutation(({ ctx, input }) => retryRunFromStep(ctx.db, auditActor(ctx), input)),
  // The procedure needs workflows:run; the engine also checks the approval step's own scope.
  approve: run.input(runApproveInput).mutation(({ ctx, input }) => decideRunApproval(ctx.db, auditActor(ctx), ctx.scopes, input)),
  deadLetters: read.input(teamInput).query(({ ctx, input }) => listDeadLetters(ctx.db, input.teamId)),
  limits: read.input(teamInput).query(({ ctx, input }) => getRunLimits(ctx.db, input.teamId)),
  setLimits: settings.input(runLimitsInput).mutation(({ ctx, input }) => setRunLimits(ctx.db, auditActor(ctx), input)),
  retryDeadLetter: run
    .input(deadLetterTargetInput)
    .mutation(({ ctx, input }) => retryDeadLetter(ctx.db, auditActor(ctx), input.teamId, input.deadLetterId)),
});
