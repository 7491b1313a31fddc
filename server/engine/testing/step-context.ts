// Running one step runner in a test: the context the engine would hand it (its log lines
// kept), with every service the runner must not need throwing when touched, and the
// StepError a failed step rejects with.
import type { WorkflowDefinition } from "../../shared/workflow-definition.ts";
import { StepError, type RunInfo, type StepContext } from "../types.ts";

export const TEST_DEFINITION: WorkflowDefinition = { schemaVersion: 1, name: "Test", description: "", inputs: {}, outputs: {}, steps: [] };

const unused = (): never => {
  throw new Error("not used by this step");
};

export interface TestStepOptions<S> extends Partial<Pick<StepContext<S>, "gateway" | "tools" | "memory" | "messages" | "attempt" | "signal">> {
  stepKey: string;
  /** The run the step belongs to; a made-up one when the runner never reaches the database. */
  run?: Pick<RunInfo, "id" | "teamId" | "workflowId">;
}

/** The context and the lines it logged (`"info: ..."`). */
export function testStepContext<S>(step: S, options: TestStepOptions<S>): { ctx: StepContext<S>; logs: string[] } {
  const { stepKey, run = { id: "run-1", teamId: "team-a", workflowId: "wf-1" } } = options;
  const logs: string[] = [];
  const ctx: StepContext<S> = {
    run: { ...run, createdById: null, apiKeyId: null, definition: TEST_DEFINITION },
    step,
    stepKey,
    stepId: stepKey,
    attempt: options.attempt ?? 1,
    idempotencyKey: `${run.id}:${stepKey}`,
    signal: options.signal ?? new AbortController().signal,
    log: (level, message) => void logs.push(`${level}: ${message}`),
    gateway: options.gateway ?? unused,
    tools: options.tools ?? { list: unused, call: unused },
    memory: options.memory ?? { get: unused, set: unused, entries: unused },
    messages: options.messages ?? { send: unused, inbox: unused },
  };
  return { ctx, logs };
}

/** The StepError the promise rejects with; anything else (success included) fails the test. */
export async function stepFailure(promise: Promise<unknown>): Promise<StepError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof StepError)) throw new Error(`expected a StepError, got ${String(error)}`);
  return error;
}
