// The built-in offline provider: answers deterministically without any network, so
// Maestro works before anyone adds a key, and tests exercise every path the real
// vendors take (streaming, tool calls, usage, cost, errors).
//
// Errors and delays on demand: a user message containing `[offline:error=429]`
// (or 400, 401, 404, 500, timeout, drop) or `[offline:delay=250]` makes this call
// fail or wait, the way a vendor would. Asked for structure (a submit tool, a forced
// tool call, JSON with a schema), it fills the schema meaningfully from the request.
import { randomUUID } from "node:crypto";
import { ProviderError, kindForStatus } from "../errors.ts";
import { abortableSleep } from "../resilience.ts";
import { decode, encode } from "gpt-tokenizer";
import { estimateInputTokens, estimateTextTokens } from "../tokens.ts";
import type { ChatRequest, ChatResponse, Provider, ProviderHealth, StreamEvent, ToolCall, ToolDefinition } from "../types.ts";

export const OFFLINE_PROVIDER_ID = "offline";
export const OFFLINE_MODEL = "maestro-offline";

const DIRECTIVE = /\[offline:(error|delay)=([a-z0-9]+)\]/gi;

function lastUserText(request: ChatRequest): string {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const m = request.messages[i]!;
    if (m.role === "user") return m.content;
  }
  return "";
}

const cancelled = () => new ProviderError("cancelled", "The call was cancelled.", { provider: OFFLINE_PROVIDER_ID });

function abortIfNeeded(signal: AbortSignal | undefined) {
  if (signal?.aborted) throw cancelled();
}

function sleep(ms: number, signal?: AbortSignal) {
  return abortableSleep(ms, signal).catch(() => {
    throw cancelled();
  });
}

/** Applies `[offline:...]` directives: waits, or throws the error a vendor would. */
async function applyDirectives(text: string, signal?: AbortSignal) {
  for (const [, what, value] of text.matchAll(DIRECTIVE)) {
    if (what!.toLowerCase() === "delay") await sleep(Number(value) || 0, signal);
    else throw directedError(value!.toLowerCase());
  }
}

function directedError(value: string): ProviderError {
  const provider = OFFLINE_PROVIDER_ID;
  if (value === "timeout") return new ProviderError("timeout", "The offline model timed out (as asked).", { provider });
  if (value === "drop") return new ProviderError("connection", "The offline model dropped the connection (as asked).", { provider });
  const status = Number(value) || 500;
  return new ProviderError(kindForStatus(status), `The offline model answered ${status} (as asked).`, {
    provider,
    status,
    ...(status === 429 ? { retryAfterMs: 1000 } : {}),
  });
}

// ---------------------------------------------------------------- structured answers
//
// When a call must produce structured data (a submit tool, a forced tool call, JSON with
// a schema in the system prompt), the offline model fills the schema from the request:
// text fields from its sentences and clauses, lists of sub-tasks from its steps, ids,
// orders and risks from the JSON context embedded in it. Deterministic, and readable.

type Schema = {
  type?: unknown;
  properties?: Record<string, Schema>;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
};
type Json = Record<string, unknown>;

interface Scope {
  /** The request in prose: the first user message without its embedded JSON. */
  task: string;
  /** The JSON embedded in the request (an agent's context), or null. */
  context: unknown;
  /** The text this value is about: a clause of the task for a sub-task, else the task. */
  text: string;
  /** The last user message, for fields nothing better describes (the old placeholder). */
  said: string;
  name: string;
  parent: string;
}

const SUBMIT_TOOL = /^submit(?:_|$)/i;
const ACTION_VERBS =
  "post|send|publish|share|email|notify|write|draft|create|update|delete|remove|deploy|review|check|verify|test|fix|fetch|collect|gather|read|analyse|analyze|summarise|summarize|compile|prepare|report|store|save|list|find|compare|merge|build|run|upload|download|translate|schedule|plan|approve|drop|pay|charge|book|open|close|generate|calculate|compute|announce|reply|respond|archive|assign|triage|document|deliver";
const CLAUSE_BREAK = new RegExp(`(,?\\s+(?:and\\s+)?then\\s+|,?\\s+and\\s+(?=(?:${ACTION_VERBS})\\b))`, "i");
const HIGH_RISK = /\b(delet\w*|drop\w*|deploy\w*|production|prod|payments?|pay|paid|charg\w*|refund\w*|credentials?|passwords?|secrets?|api keys?|truncat\w*|destroy\w*|wip(e|es|ed|ing)|purg\w*)\b/i;
const MEDIUM_RISK = /\b(post\w*|send\w*|sent|publish\w*|e-?mail\w*|notif\w*|shar(e|es|ed|ing)|announc\w*|updat\w*|modif\w*|merg\w*|upload\w*|migrat\w*|repl(y|ies|ied)|respond\w*)\b/i;
const REFERS_BACK = /\b(it|them|the results?|the summary|the draft|the output)\b/i;
const LIST_MARK = /^\s*(?:\d+[.)]|[-*\u2022])\s+/;
const EMPTY_LISTS = new Set(["revisions", "tools", "errors", "warnings", "issues", "problems", "dependsOn", "tags", "labels", "breakingChanges", "missingInformation"]);

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const lowerFirst = (text: string) => (/^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text);
const trimClause = (text: string) => text.trim().replace(/^(?:and\s+)?(?:then|next|finally|afterwards)[,\s]+/i, "").replace(/[\s.,;:!?]+$/, "");

/** Splits text into its prose and a JSON value that starts on a line of its own (an agent's context). */
function splitEmbeddedJson(text: string): { prose: string; json: unknown } {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*[[{]/.test(lines[i]!)) continue;
    try {
      return { prose: lines.slice(0, i).join("\n"), json: JSON.parse(lines.slice(i).join("\n")) };
    } catch {
      // Not JSON from here on; keep looking.
    }
  }
  return { prose: text, json: null };
}

function readRequest(request: ChatRequest): Scope {
  const first = request.messages.find((m) => m.role === "user")?.content ?? "";
  const { prose, json } = splitEmbeddedJson(first.replace(DIRECTIVE, ""));
  // Labels such as "Context (JSON):" introduce the JSON; they are not part of the task.
  const task = prose.trim().replace(/\n[^\n]*:\s*$/, "").replace(/^task:\s*/i, "").trim();
  return { task, context: json, text: task, said: lastUserText(request).slice(0, 200), name: "", parent: "" };
}

/** The first line or sentence, without its closing punctuation. */
function firstSentence(text: string): string {
  const line = (text.trim().split("\n")[0] ?? "").replace(LIST_MARK, "");
  return trimClause(line.split(/(?<=[.!?])\s+/)[0] ?? line) || "the request";
}

/** The task's steps: list items, else sentences and clauses ("..., then ...", "... and post ..."). */
function clauses(task: string): { text: string; sequential: boolean }[] {
  const items = task.split("\n").filter((line) => LIST_MARK.test(line));
  const pieces = items.length >= 2 ? items.map((line) => line.replace(LIST_MARK, "")) : task.replace(/\s+/g, " ").split(/(?<=[.!?])\s+|;\s*/);
  const out: { text: string; sequential: boolean }[] = [];
  for (const piece of pieces) {
    const parts = piece.split(CLAUSE_BREAK);
    for (let i = 0; i < parts.length; i += 2) {
      const text = trimClause(parts[i]!);
      if (!text) continue;
      const separator = i > 0 ? parts[i - 1]! : "";
      const opens = /^\s*(?:and\s+)?(then|after|afterwards|next|finally)\b/i.test(parts[i]!);
      out.push({ text: capitalise(text), sequential: out.length > 0 && (/then/i.test(separator) || opens || REFERS_BACK.test(text)) });
    }
  }
  return (out.length ? out : [{ text: capitalise(firstSentence(task)), sequential: false }]).slice(0, 8);
}

/** The array under `key` anywhere in the context (a few levels deep), or []. */
function findList(value: unknown, key: string, depth = 4): Json[] {
  if (depth < 0 || !isObject(value)) return [];
  if (Array.isArray(value[key])) return (value[key] as unknown[]).filter(isObject);
  for (const child of Object.values(value)) {
    const found = findList(child, key, depth - 1);
    if (found.length) return found;
  }
  return [];
}

const contextSubtasks = (scope: Scope) => findList(scope.context, "subtasks").filter((s) => typeof s.id === "string");
const contextResults = (scope: Scope) => findList(scope.context, "results").filter((r) => typeof r.status === "string");
const highRiskIds = (scope: Scope) => contextSubtasks(scope).filter((s) => s.risk === "high").map((s) => String(s.id));
const hasHighRisk = (scope: Scope) => highRiskIds(scope).length > 0 || /"risk"\s*:\s*"high"/.test(JSON.stringify(scope.context) ?? "");

/** Sub-task ids in an order their dependencies allow, keeping the plan's order otherwise. */
function dependencyOrder(subtasks: Json[]): string[] {
  const ids = subtasks.map((s) => String(s.id));
  const done: string[] = [];
  while (done.length < ids.length) {
    const next = subtasks.find((s) => !done.includes(String(s.id)) && ((s.dependsOn as unknown[] | undefined) ?? []).every((d) => done.includes(String(d)) || !ids.includes(String(d))));
    if (!next) return [...done, ...ids.filter((id) => !done.includes(id))];
    done.push(String(next.id));
  }
  return done;
}

function riskOf(text: string): string {
  return HIGH_RISK.test(text) ? "high" : MEDIUM_RISK.test(text) ? "medium" : "low";
}

function enumChoice(options: unknown[], scope: Scope): unknown {
  const pick = (value: string) => (options.includes(value) ? value : undefined);
  // Severity and impact follow the same words as risk (delete, production, credentials...).
  if (scope.name === "risk" || scope.name === "severity" || scope.name === "impact") return pick(riskOf(scope.text)) ?? options[0];
  if (scope.name === "priority") {
    const hinted = /\b(urgent|asap|immediately|critical)\b/i.test(scope.task) ? "urgent" : /\b(high priority|important)\b/i.test(scope.task) ? "high" : "normal";
    return pick(hinted) ?? options[0];
  }
  return options[0];
}

function summaryOf(scope: Scope, siblings: Json): string {
  if (Array.isArray(siblings.subtasks) && siblings.subtasks.length) {
    const titles = (siblings.subtasks as Json[]).map((s) => String(s.title ?? s.id));
    return `A plan in ${titles.length} step${titles.length > 1 ? "s" : ""}: ${titles.join(" \u2192 ")}.`;
  }
  const results = contextResults(scope);
  if (results.length) {
    const done = results.filter((r) => r.status === "done").length;
    return `${done} of ${results.length} sub-tasks done: ${results.map((r) => `${String(r.title ?? r.subtaskId ?? "?")} (${String(r.status)})`).join("; ")}.`;
  }
  return `${firstSentence(scope.task)}.`;
}

function reasonsOf(scope: Scope): string[] {
  const results = contextResults(scope);
  const subtasks = contextSubtasks(scope);
  if (results.length) {
    const done = results.filter((r) => r.status === "done").length;
    const missed = results.filter((r) => r.status !== "done").map((r) => `${String(r.subtaskId)} was ${String(r.status)}: ${String(r.output ?? "").slice(0, 100)}`);
    const coverage = subtasks.length ? [`The results cover ${results.length} of the ${subtasks.length} planned sub-tasks.`] : [];
    return [`${done} of ${results.length} sub-tasks report done.`, ...missed, ...coverage];
  }
  if (subtasks.length) {
    const high = highRiskIds(scope);
    return [
      `The plan breaks the request into ${subtasks.length} sub-tasks, each with a clear result.`,
      `The dependencies allow the order ${dependencyOrder(subtasks).join(" \u2192 ")}.`,
      high.length ? `${high.join(", ")} ${high.length > 1 ? "are" : "is"} high risk and must be approved by a person.` : "No sub-task is high risk.",
    ];
  }
  return [`The request is clear: "${firstSentence(scope.task)}".`];
}

function stringList(scope: Scope): string[] {
  switch (scope.name) {
    case "order":
      return dependencyOrder(contextSubtasks(scope));
    case "risky":
      return highRiskIds(scope);
    case "reasons":
      return reasonsOf(scope);
    case "assumptions":
      return [`The request is complete as written: "${firstSentence(scope.task)}".`, "Nothing beyond the request was looked up: the offline model plans from its text alone."];
  }
  if (EMPTY_LISTS.has(scope.name)) return [];
  if (/ids$/i.test(scope.name)) return contextSubtasks(scope).map((s) => String(s.id));
  return clauses(scope.task).map((c) => c.text);
}

function synthesizeArray(schema: Schema, scope: Scope): unknown[] {
  const items = schema.items ?? {};
  const itemFields = items.properties ?? {};
  if (items.type === "string") return stringList(scope);
  if ("title" in itemFields || "id" in itemFields) {
    // One item per step of the task: a sub-task list.
    const steps = clauses(scope.task);
    return steps.map((step, index) => {
      const item = synthesizeObject(items, { ...scope, text: step.text, parent: scope.name }) as Json;
      if ("id" in itemFields) item.id = `t${index + 1}`;
      if ("title" in itemFields) item.title = step.text;
      if ("description" in itemFields) item.description = `${step.text} (step ${index + 1} of ${steps.length} for: ${firstSentence(scope.task)}).`;
      if ("dependsOn" in itemFields) item.dependsOn = step.sequential && index > 0 ? [`t${index}`] : [];
      return item;
    });
  }
  if ("subtaskId" in itemFields) {
    return contextSubtasks(scope).map((subtask) => ({
      ...(synthesizeObject(items, { ...scope, text: String(subtask.title ?? subtask.id), parent: scope.name }) as Json),
      subtaskId: String(subtask.id),
    }));
  }
  return [];
}

function synthesizeString(scope: Scope): string {
  switch (scope.name) {
    case "id":
      return "t1";
    case "key":
      return firstSentence(scope.task).toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60) || "note";
    case "title":
    case "name":
    case "subject":
      return capitalise(firstSentence(scope.text));
    case "description":
      return `${firstSentence(scope.text)}.`;
    case "answer":
      return `Offline answer to: ${scope.task.slice(0, 200)}`;
    case "output":
    case "result":
    case "content": {
      const dependencies = findList(scope.context, "dependencies").map((d) => String(d.id));
      const building = dependencies.length ? `, building on ${dependencies.join(", ")}` : "";
      return `Done: ${lowerFirst(firstSentence(scope.text))}${building}. (Offline model: the work is described, not performed.)`;
    }
    default:
      return scope.said;
  }
}

function synthesizeObject(schema: Schema, scope: Scope): Json {
  const properties = schema.properties ?? {};
  const keys = schema.required ?? Object.keys(properties);
  const out: Json = {};
  // A summary speaks about its siblings (the plan's sub-tasks), so it comes last.
  for (const key of [...keys.filter((k) => k !== "summary"), ...keys.filter((k) => k === "summary")]) {
    const child = { ...scope, name: key, parent: scope.name };
    out[key] = key === "summary" && properties[key]?.type === "string" ? summaryOf(child, out) : synthesize(properties[key] ?? {}, child);
  }
  return out;
}

function synthesize(schema: Schema, scope: Scope): unknown {
  if (Array.isArray(schema.enum) && schema.enum.length) return enumChoice(schema.enum, scope);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "object":
      return synthesizeObject(schema, scope);
    case "array":
      return synthesizeArray(schema, scope);
    case "boolean":
      // Approval is asked for only when the context carries a high risk; everything else holds.
      return /approval/i.test(scope.name) ? hasHighRisk(scope) : true;
    case "number":
    case "integer": {
      const unit = (schema.minimum ?? -1) >= 0 && (schema.maximum ?? 2) <= 1;
      return unit || scope.parent === "scores" || /score|confidence|probability/i.test(scope.name) ? 0.9 : 1;
    }
    default:
      return synthesizeString(scope);
  }
}

/** Arguments for a tool, filled from its schema and the request. */
function argumentsFor(tool: ToolDefinition, request: ChatRequest): string {
  return JSON.stringify(synthesizeObject(tool.parameters as Schema, readRequest(request)));
}

/** A JSON Schema (or TypeSpec) the system prompt asks the answer to match, if any. */
function schemaHint(request: ChatRequest): Schema | null {
  const texts = [request.system ?? "", ...request.messages.filter((m) => m.role === "system").map((m) => m.content)];
  for (const text of texts) {
    const { json } = splitEmbeddedJson(text);
    if (isObject(json) && json.type === "object" && isObject(json.properties)) return json as Schema;
  }
  return null;
}

function chooseTool(request: ChatRequest, text: string): ToolDefinition | undefined {
  const tools = request.tools ?? [];
  if (!tools.length || request.toolChoice === "none") return undefined;
  const submit = tools.find((t) => SUBMIT_TOOL.test(t.name));
  // After a tool's answer: submit the result when there is a way to, else answer with text (never loop on tools).
  if (request.messages.at(-1)?.role === "tool") return submit;
  const choice = request.toolChoice;
  if (typeof choice === "object") return tools.find((t) => t.name === choice.name);
  const named = tools.find((t) => t !== submit && text.toLowerCase().includes(t.name.toLowerCase()));
  return named ?? submit ?? (choice === "required" ? tools[0] : undefined);
}

function answerText(request: ChatRequest, text: string): string {
  const clean = text.replace(DIRECTIVE, "").trim();
  const toolResult = request.messages.at(-1)?.role === "tool" ? request.messages.at(-1)!.content : null;
  if (request.responseFormat === "json") {
    const schema = schemaHint(request);
    if (schema) return JSON.stringify(synthesizeObject(schema, readRequest(request)));
    return JSON.stringify({ answer: `Offline answer to: ${clean.slice(0, 200)}`, toolResult, offline: true });
  }
  if (toolResult !== null) return `The tool returned: ${toolResult.slice(0, 500)}`;
  return `This is Maestro's offline model (no provider is configured yet). You asked: "${clean.slice(0, 500)}"`;
}

function respond(request: ChatRequest): ChatResponse {
  const text = lastUserText(request);
  const tool = chooseTool(request, text);
  const toolCalls: ToolCall[] = tool ? [{ id: `call_${randomUUID().slice(0, 8)}`, name: tool.name, arguments: argumentsFor(tool, request) }] : [];
  const fullContent = tool ? "" : answerText(request, text);
  const limit = request.maxTokens;
  // Cut at exactly `limit` tokens, as a vendor does, so max_tokens bounds the cost.
  const content = limit !== undefined && estimateTextTokens(fullContent) > limit ? decode(encode(fullContent).slice(0, Math.max(1, limit))) : fullContent;
  const outputTokens = estimateTextTokens(content) + toolCalls.reduce((n, c) => n + estimateTextTokens(c.name + c.arguments), 0);
  return {
    id: `offline-${randomUUID()}`,
    model: request.model,
    content,
    toolCalls,
    finishReason: tool ? "tool_calls" : content !== fullContent ? "length" : "stop",
    usage: { inputTokens: estimateInputTokens(request), outputTokens, cachedInputTokens: 0 },
  };
}

export function createOfflineProvider(id = OFFLINE_PROVIDER_ID): Provider {
  return {
    kind: "offline",
    id,
    async chat(request) {
      abortIfNeeded(request.signal);
      await applyDirectives(lastUserText(request), request.signal);
      return respond(request);
    },
    async *stream(request): AsyncIterable<StreamEvent> {
      abortIfNeeded(request.signal);
      await applyDirectives(lastUserText(request), request.signal);
      const response = respond(request);
      for (const piece of response.content.match(/\S+\s*/g) ?? []) {
        abortIfNeeded(request.signal);
        yield { type: "text-delta", text: piece };
      }
      for (const [index, call] of response.toolCalls.entries()) {
        const half = Math.ceil(call.arguments.length / 2);
        yield { type: "tool-call-delta", index, id: call.id, name: call.name, argumentsDelta: call.arguments.slice(0, half) };
        yield { type: "tool-call-delta", index, argumentsDelta: call.arguments.slice(half) };
      }
      yield { type: "usage", usage: response.usage };
      yield { type: "finish", reason: response.finishReason, id: response.id, model: response.model };
    },
    async health(): Promise<ProviderHealth> {
      return { ok: true, latencyMs: 0, models: [OFFLINE_MODEL] };
    },
  };
}
