// The runners of the step kinds that do one piece of work each. Agent, condition, map
// and approval steps are the executor's own business. The http and code runners take
// configuration (allow-list, sandbox limits), so the set is built once per engine.
import type { MapItemStep, StepOf } from "../../shared/workflow-definition.ts";
import type { Allowlist } from "../tools/allowlist.ts";
import type { StepRunner } from "../types.ts";
import { createCodeRunner, type CodeRunnerConfig } from "./code.ts";
import { createHttpRunner } from "./http.ts";
import { runLlmStep } from "./llm.ts";
import { runToolStep } from "./tool.ts";

export const RUNNER_KINDS = ["llm", "http", "tool", "code"] as const;
export type RunnerKind = (typeof RUNNER_KINDS)[number];

/** A step of that kind, at the top level or as a map's item step. */
export type RunnableStep<K extends RunnerKind> = StepOf<K> | Extract<MapItemStep, { kind: K }>;

export type StepRunners = { [K in RunnerKind]: StepRunner<RunnableStep<K>> };

export interface StepRunnersConfig {
  allowlist: Allowlist;
  code: CodeRunnerConfig;
  /** The most an http step may download (5 MB unless set). */
  httpMaxBodyBytes?: number;
}

export function createStepRunners(config: StepRunnersConfig): StepRunners {
  return {
    llm: runLlmStep,
    http: createHttpRunner({ allowlist: config.allowlist, ...(config.httpMaxBodyBytes !== undefined ? { maxBodyBytes: config.httpMaxBodyBytes } : {}) }),
    tool: runToolStep,
    code: createCodeRunner(config.code),
  };
}

export const isRunnerKind = (kind: string): kind is RunnerKind => (RUNNER_KINDS as readonly string[]).includes(kind);

export { stepErrorFromGateway } from "./llm.ts";
export { checkAgainstTypeSpec } from "./type-check.ts";
