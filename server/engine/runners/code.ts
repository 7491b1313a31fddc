// The `code` step: the user's JavaScript runs in the sandbox with its declared inputs;
// its return value is the output and its console lines become the step's log.
import type { MapItemStep, StepOf } from "../../shared/workflow-definition.ts";
import { isSandboxError, runCode } from "../sandbox/index.ts";
import { StepError, type StepRunner } from "../types.ts";

export type CodeStep = StepOf<"code"> | Extract<MapItemStep, { kind: "code" }>;

export interface CodeRunnerConfig {
  /** Used when the step sets no timeout, and the most a step may ask for. */
  defaultTimeoutMs: number;
  /** Used when the step sets no memory limit. */
  defaultMemoryMb: number;
}

/** A sandbox failure as a step failure: the same code fails the same way again, so none is retried. */
export function stepErrorFromSandbox(error: unknown): unknown {
  if (!isSandboxError(error)) return error;
  if (error.kind === "cancelled") return new StepError(error.message, { code: "CANCELLED", cause: error });
  return new StepError(error.message, { code: `CODE_${error.kind.toUpperCase()}`, cause: error });
}

export function createCodeRunner(config: CodeRunnerConfig): StepRunner<CodeStep> {
  return async (ctx) => {
    const step = ctx.step;
    const stepTimeout = "timeoutMs" in step ? step.timeoutMs : undefined;
    const limits = {
      timeoutMs: Math.min(stepTimeout ?? config.defaultTimeoutMs, config.defaultTimeoutMs),
      memoryMb: step.memoryMb ?? config.defaultMemoryMb,
    };
    try {
      const result = await runCode(step.code, step.inputs, limits, ctx.signal);
      for (const line of result.logs) ctx.log("info", line);
      return { output: result.value };
    } catch (error) {
      // What the code printed before failing is often the best clue to why.
      if (isSandboxError(error)) for (const line of error.logs) ctx.log("info", line);
      throw stepErrorFromSandbox(error);
    }
  };
}
