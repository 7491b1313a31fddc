// One agent conversation: the model calls tools (executed through the step's tool
// layer, results fed back) until it calls submit_result with arguments that fit the
// role's schema. Anything malformed — invalid JSON, schema violations, plain text — is
// sent back with every problem named, and costs a turn like any other answer.
import type { GatewayRequest, GatewayResult } from "../../llm/gateway-types.ts";
import type { ChatMessage, ToolCall, ToolDefinition } from "../../llm/types.ts";
import { stepErrorFromGateway } from "../runners/llm.ts";
import { isStepError, StepError, type StepContext, type StepUsage, type ToolDescriptor } from "../types.ts";
import type { AgentConfig } from "./builtins.ts";
import { problemsWith, type OutputSchema } from "./schemas.ts";

export const SUBMIT_TOOL = "submit_result";
/** A tool's answer beyond this is cut: the model needs the gist, and tokens cost money. */
const MAX_TOOL_RESULT_CHARS = 20_000;
const MAX_PROBLEMS_SHOWN = 20;

export const zeroUsage = (): StepUsage => ({ inputTokens: 0, outputTokens: 0, costNano: 0 });

export function addUsage(into: StepUsage, usage: StepUsage): void {
  into.inputTokens += usage.inputTokens;
  into.outputTokens += usage.outputTokens;
  into.costNano += usage.costNano;
}

const usd = (nano: number) => `$${(nano / 1e9).toFixed(9).replace(/0+$/, "").replace(/\.$/, "")}`;

/** What one agent has spent in this step, across all its conversations, against its limit. */
export class AgentSpend {
  readonly usage = zeroUsage();
  constructor(private readonly agent: Pick<AgentConfig, "slug" | "maxCostNano">) {}

  /** Adds a call's usage; past the agent's limit the step fails for good. */
  charge(usage: StepUsage): void {
    addUsage(this.usage, usage);
    const limit = this.agent.maxCostNano;
    if (limit !== null && this.usage.costNano > limit) {
      throw new StepError(`The agent "${this.agent.slug}" spent ${usd(this.usage.costNano)}, over its limit of ${usd(limit)}.`, { code: "AGENT_COST_LIMIT" });
    }
  }
}

export interface Conversation {
  /** Who speaks in the persisted messages: the agent's slug, or "executor:t2" for a sub-task. */
  speaker: string;
  system: string;
  prompt: string;
  schema: OutputSchema;
  tools: readonly ToolDescriptor[];
}

export interface LoopContext {
  step: Pick<StepContext, "gateway" | "tools" | "messages" | "log" | "idempotencyKey">;
  agent: AgentConfig;
  spend: AgentSpend;
  signal: AbortSignal;
}

export interface LoopResult {
  value: unknown;
  usage: StepUsage;
  turns: number;
}

/** The task message: the task, then its context as JSON (which models and the offline model read). */
export function composePrompt(task: string, context: Record<string, unknown> | undefined): string {
  if (!context || Object.keys(context).length === 0) return task;
  return `${task}\n\nContext (JSON):\n${JSON.stringify(context, null, 2)}`;
}

const listProblems = (problems: readonly string[]) =>
  problems.slice(0, MAX_PROBLEMS_SHOWN).join("; ") + (problems.length > MAX_PROBLEMS_SHOWN ? `; and ${problems.length - MAX_PROBLEMS_SHOWN} more` : "");

const correction = (problems: readonly string[]) => `Your result could not be used: ${listProblems(problems)}. Call ${SUBMIT_TOOL} again with corrected arguments.`;

/** Vendors accept only [A-Za-z0-9_-] in tool names; MCP tools are "server.tool". */
function wireNames(tools: readonly ToolDescriptor[]): Map<string, ToolDescriptor> {
  const byWire = new Map<string, ToolDescriptor>();
  for (const tool of tools) {
    const base = tool.name.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 60) || "tool";
    let name = base;
    for (let n = 2; byWire.has(name) || name === SUBMIT_TOOL; n++) name = `${base}_${n}`;
    byWire.set(name, tool);
  }
  return byWire;
}

type Parsed = { ok: true; value: Record<string, unknown> } | { ok: false; problem: string };

function parseArguments(text: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(text.trim() || "{}");
  } catch (error) {
    return { ok: false, problem: `the arguments are not valid JSON (${(error as Error).message})` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { ok: false, problem: "the arguments must be a JSON object" };
  return { ok: true, value: value as Record<string, unknown> };
}

const contentText = (content: unknown) => (typeof content === "string" ? content : (JSON.stringify(content) ?? "null"));

export async function runToolLoop(loop: LoopContext, conversation: Conversation): Promise<LoopResult> {
  const { step, agent, spend, signal } = loop;
  const tools = wireNames(conversation.tools);
  const definitions: ToolDefinition[] = [
    ...[...tools].map(([name, tool]) => ({ name, description: tool.description, parameters: tool.inputSchema })),
    { name: SUBMIT_TOOL, description: "Submit your final result. Its arguments are the result itself.", parameters: conversation.schema.jsonSchema },
  ];
  const messages: ChatMessage[] = [{ role: "user", content: conversation.prompt }];
  const usage = zeroUsage();
  let problems: string[] = [];

  const call = async (request: GatewayRequest): Promise<GatewayResult> => {
    let result: GatewayResult;
    try {
      result = await step.gateway(request, signal);
    } catch (error) {
      throw stepErrorFromGateway(error, signal);
    }
    const { meta } = result;
    const spent = { inputTokens: meta.usage.inputTokens, outputTokens: meta.usage.outputTokens, costNano: meta.costNano };
    addUsage(usage, spent);
    step.log("info", `${conversation.speaker}: model ${meta.providerName}/${meta.model}, ${spent.inputTokens} in / ${spent.outputTokens} out`);
    spend.charge(spent);
    return result;
  };

  const runTool = async (toolCall: ToolCall, turn: number, index: number): Promise<ChatMessage> => {
    const reply = (content: string): ChatMessage => ({ role: "tool", toolCallId: toolCall.id, content });
    const tool = tools.get(toolCall.name);
    if (!tool) return reply(`Error: there is no tool "${toolCall.name}". Available: ${[...tools.keys(), SUBMIT_TOOL].join(", ")}.`);
    const parsed = parseArguments(toolCall.arguments);
    if (!parsed.ok) return reply(`Error: ${parsed.problem}.`);
    await step.messages.send({ from: conversation.speaker, to: tool.name, kind: "tool-call", content: { tool: tool.name, arguments: parsed.value } });
    let result: { content: unknown; isError: boolean };
    try {
      result = await step.tools.call(tool.name, parsed.value, { signal, idempotencyKey: `${step.idempotencyKey}:${conversation.speaker}:${turn}.${index}` });
    } catch (error) {
      // A refused call (unknown tool, bad arguments) is an answer the model can act on; a cancel is not.
      if (signal.aborted || !isStepError(error) || error.code === "CANCELLED") throw error;
      result = { content: error.message, isError: true };
    }
    await step.messages.send({ from: tool.name, to: conversation.speaker, kind: "tool-result", content: { tool: tool.name, result: result.content, isError: result.isError } });
    const text = contentText(result.content).slice(0, MAX_TOOL_RESULT_CHARS);
    return reply(result.isError ? `Error: ${text}` : text);
  };

  for (let turn = 1; turn <= agent.maxTurns; turn++) {
    const request: GatewayRequest = {
      system: conversation.system,
      messages: [...messages],
      tools: definitions,
      toolChoice: "required",
      ...(agent.model ? { model: agent.model } : {}),
      ...(agent.strategy ? { strategy: agent.strategy } : {}),
    };
    const { response } = await call(request);
    messages.push({ role: "assistant", content: response.content, ...(response.toolCalls.length ? { toolCalls: response.toolCalls } : {}) });
    if (response.toolCalls.length === 0) {
      problems = [`you answered in plain text instead of calling ${SUBMIT_TOOL}`];
      step.log("warn", `${conversation.speaker}: turn ${turn}: ${problems[0]}; asking again.`);
      messages.push({ role: "user", content: correction(problems) });
      continue;
    }
    let submitted: { value: unknown } | null = null;
    const replies: ChatMessage[] = [];
    for (const [index, toolCall] of response.toolCalls.entries()) {
      if (toolCall.name !== SUBMIT_TOOL) {
        replies.push(await runTool(toolCall, turn, index));
        continue;
      }
      if (submitted) {
        replies.push({ role: "tool", toolCallId: toolCall.id, content: "Ignored: a result was already submitted." });
        continue;
      }
      const parsed = parseArguments(toolCall.arguments);
      const found = parsed.ok ? problemsWith(parsed.value, conversation.schema) : [parsed.problem];
      if (found.length === 0) {
        submitted = { value: parsed.ok ? parsed.value : null };
        replies.push({ role: "tool", toolCallId: toolCall.id, content: "Accepted." });
        continue;
      }
      problems = found;
      step.log("warn", `${conversation.speaker}: turn ${turn}: the result did not fit (${listProblems(found)}); asking again.`);
      replies.push({ role: "tool", toolCallId: toolCall.id, content: correction(found) });
    }
    if (submitted) return { value: submitted.value, usage, turns: turn };
    messages.push(...replies);
  }
  const last = problems.length ? ` The last problem: ${listProblems(problems)}.` : "";
  throw new StepError(`The agent "${agent.slug}" gave no usable result within ${agent.maxTurns} turns.${last}`, { code: "AGENT_MAX_TURNS" });
}
