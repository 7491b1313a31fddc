export {
  startWorkflowRun,
  getRun,
  listRuns,
  listRunEvents,
  listRunMessages,
  listRunMemory,
  listDeadLetters,
  cancelRun,
  pauseRun,
  resumeRun,
  retryRunFromStep,
  decideRunApproval,
  retryDeadLetter,
  DEAD_LETTERS_LIMIT,
} from "./service.ts";
export type { RunActor, RunStartInput, RunListInput, RunEventsInput, RunStepInput, RunApproveInput } from "./service.ts";
export { orderSteps, runProgress, toRunDto, toRunSummaryDto, toStepRunDto, toRunEventDto } from "./dto.ts";
export type { DeadLetterDto, RunActionResultDto } from "../../shared/runs.ts";
export { runsRouter } from "./router.ts";
