// The `llm` step: one gateway call (two when a JSON answer needs repairing), its usage
// summed into the step's, and gateway failures sorted into retryable and permanent.
import type { GatewayRequest, GatewayResult } from "../../llm/gateway-types.ts";
import { isProviderError, type ProviderErrorKind } from "../../llm/errors.ts";
import type { ChatMessage } from "../../llm/types.ts";
import { isDomainError } from "../../errors.ts";
import type { MapItemStep, StepOf, TypeSpec } from "../../shared/workflow-definition.ts";
import { isStepError, StepError, type StepContext, type StepRunner, type StepUsage } from "../types.ts";
import { checkAgainstTypeSpec } from "./type-check.ts";

export type LlmStep = StepOf<"llm"> | Extract<MapItemStep, { kind: "llm" }>;

/** Problems listed in a repair request or a failure; more only make the message unreadable. */
const MAX_PROBLEMS_SHOWN = 20;

const RETRYABLE_KINDS: ReadonlySet<ProviderErrorKind> = new Set(["rate_limited", "timeout", "connection", "server"]);
const KIND_WORDS: Record<ProviderErrorKind, string> = {
  rate_limited: "The model provider is rate limiting",
  server: "The model provider failed",
  timeout: "The model provider did not answer in time",
  connection: "The connection to the model provider broke",
  bad_request: "The model provider rejected the request",
  auth: "The model provider refused the configured API key",
  not_found: "The model provider does not know the model or endpoint",
  cancelled: "The model call was cancelled",
};
const RETRYABLE_DOMAIN_CODES: ReadonlySet<string> = new Set(["TOO_MANY_REQUESTS", "BAD_GATEWAY", "GATEWAY_TIMEOUT"]);

/** A gateway failure as a step failure: vendor hiccups are retried, refusals are final. */
export function stepErrorFromGateway(error: unknown, signal?: AbortSignal): unknown {
  if (isStepError(error)) return error;
  const cancelled = (cause: unknown) => new StepError("The model call was cancelled.", { code: "CANCELLED", cause });
  if (signal?.aborted) return cancelled(error);
  if (isProviderError(error)) {
    if (error.kind === "cancelled") return cancelled(error);
    const message = `${KIND_WORDS[error.kind]}: ${error.message}`;
    const code = `LLM_${error.kind.toUpperCase()}`;
    if (RETRYABLE_KINDS.has(error.kind)) {
      return new StepError(message, { retryable: true, code, cause: error, ...(error.details.retryAfterMs !== undefined ? { retryAfterMs: error.details.retryAfterMs } : {}) });
    }
    return new StepError(message, { code, cause: error });
  }
  if (isDomainError(error)) {
    if (error.code === "BUDGET_EXCEEDED") return new StepError(error.message, { code: "BUDGET_EXCEEDED", cause: error });
    if (RETRYABLE_DOMAIN_CODES.has(error.code)) {
      const seconds = error.details?.retryAfterSeconds;
      return new StepError(error.message, { retryable: true, code: `LLM_${error.code}`, cause: error, ...(typeof seconds === "number" ? { retryAfterMs: seconds * 1000 } : {}) });
    }
    return new StepError(error.message, { code: `LLM_${error.code}`, cause: error });
  }
  return error;
}

/** The instruction that tells the model what JSON to produce (OpenAI's JSON mode also needs the word in the prompt). */
function jsonInstruction(json: true | TypeSpec): string {
  if (json === true) return "Answer with one JSON object and nothing else.";
  return `Answer with JSON only, matching this shape (a JSON-Schema subset):\n${JSON.stringify(json)}`;
}

export function buildLlmRequest(step: LlmStep): GatewayRequest {
  const json = step.json === undefined || step.json === false ? undefined : step.json;
  const system = [step.system, json !== undefined ? jsonInstruction(json) : undefined].filter((part) => part && part.trim()).join("\n\n");
  return {
    messages: [{ role: "user", content: step.prompt }],
    ...(system ? { system } : {}),
    ...(step.model ? { model: step.model } : {}),
    ...(step.strategy ? { strategy: step.strategy } : {}),
    ...(step.preset ? { preset: step.preset } : {}),
    ...(step.temperature !== undefined ? { temperature: step.temperature } : {}),
    ...(step.maxTokens !== undefined ? { maxTokens: step.maxTokens } : {}),
    ...(json !== undefined ? { responseFormat: "json" as const } : {}),
  };
}

/** Models often wrap JSON in a Markdown fence even when told not to. */
function unfence(text: string): string {
  const fenced = /^```[a-zA-Z]*\s*\n?([\s\S]*?)\n?\s*```$/.exec(text.trim());
  return fenced ? fenced[1]! : text;
}

type Parsed = { ok: true; value: unknown } | { ok: false; problems: string[] };

export function parseJsonAnswer(text: string, json: true | TypeSpec): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(unfence(text));
  } catch (error) {
    return { ok: false, problems: [`the answer is not valid JSON (${(error as Error).message})`] };
  }
  if (json === true) {
    const isObject = typeof value === "object" && value !== null && !Array.isArray(value);
    return isObject ? { ok: true, value } : { ok: false, problems: ["expected a JSON object"] };
  }
  const problems = checkAgainstTypeSpec(value, json);
  return problems.length ? { ok: false, problems } : { ok: true, value };
}

const listProblems = (problems: string[]) =>
  problems.slice(0, MAX_PROBLEMS_SHOWN).join("; ") + (problems.length > MAX_PROBLEMS_SHOWN ? `; and ${problems.length - MAX_PROBLEMS_SHOWN} more` : "");

function repairRequest(request: GatewayRequest, answer: string, problems: string[]): GatewayRequest {
  const messages: ChatMessage[] = [
    ...request.messages,
    { role: "assistant", content: answer },
    { role: "user", content: `Your answer could not be used: ${listProblems(problems)}. Reply with the corrected JSON only.` },
  ];
  return { ...request, messages };
}

export const runLlmStep: StepRunner<LlmStep> = async (ctx) => {
  const usage: StepUsage = { inputTokens: 0, outputTokens: 0, costNano: 0 };
  const call = async (request: GatewayRequest): Promise<GatewayResult> => {
    let result: GatewayResult;
    try {
      result = await ctx.gateway(request, ctx.signal);
    } catch (error) {
      throw stepErrorFromGateway(error, ctx.signal);
    }
    logCall(ctx, result);
    usage.inputTokens += result.meta.usage.inputTokens;
    usage.outputTokens += result.meta.usage.outputTokens;
    usage.costNano += result.meta.costNano;
    return result;
  };

  const request = buildLlmRequest(ctx.step);
  const first = await call(request);
  const json = ctx.step.json;
  if (json === undefined || json === false) return { output: first.response.content, usage };

  const parsed = parseJsonAnswer(first.response.content, json);
  if (parsed.ok) return { output: parsed.value, usage };
  ctx.log("warn", `The answer did not fit the expected JSON (${listProblems(parsed.problems)}); asking the model once to correct it.`);
  const second = await call(repairRequest(request, first.response.content, parsed.problems));
  const repaired = parseJsonAnswer(second.response.content, json);
  if (repaired.ok) return { output: repaired.value, usage };
  throw new StepError(`The model's answer did not fit the expected JSON, even after one correction: ${listProblems(repaired.problems)}`, {
    code: "MALFORMED_OUTPUT",
  });
};

function logCall(ctx: StepContext<LlmStep>, { meta }: GatewayResult) {
  const tokens = `${meta.usage.inputTokens} in / ${meta.usage.outputTokens} out`;
  ctx.log("info", `Model ${meta.providerName}/${meta.model}${meta.cacheHit ? " (cache hit)" : ""}: ${tokens}`);
}
