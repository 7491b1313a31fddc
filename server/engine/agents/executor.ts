// The executor role: the plan's sub-tasks, each in a conversation of its own, run in
// parallel as far as their dependencies allow (at most EXECUTOR_CONCURRENCY at once).
// A dependency's output is handed to its dependents; a failed sub-task does not stop the
// others, but whatever depends on it is skipped. One last call summarises the results.
import { isStepError, StepError, type MessageRouter, type StepUsage, type ToolDescriptor } from "../types.ts";
import { composePrompt, runToolLoop, type LoopContext } from "./loop.ts";
import {
  EXECUTION_SUMMARY_SCHEMA,
  PLAN_SCHEMA,
  SUBTASK_RESULT_SCHEMA,
  asPlan,
  asReview,
  problemsWith,
  type Execution,
  type Plan,
  type Subtask,
  type SubtaskResult,
} from "./schemas.ts";

export const EXECUTOR_CONCURRENCY = 4;

/** Failures that end the whole step rather than one sub-task: cancellation, spend limits, retryable outages. */
const FATAL_CODES: ReadonlySet<string> = new Set(["CANCELLED", "BUDGET_EXCEEDED", "AGENT_COST_LIMIT", "RUN_NOT_FOUND"]);
const isFatal = (error: unknown) => !isStepError(error) || error.retryable || FATAL_CODES.has(error.code);

export interface ExecutorInput {
  slug: string;
  task: string;
  context: Record<string, unknown>;
  system: string;
  tools: readonly ToolDescriptor[];
  messages: MessageRouter;
}

/** The plan from the context; without one the task itself is the only sub-task. */
function planOf(input: ExecutorInput): Plan {
  const raw = input.context.plan;
  if (raw === undefined || raw === null) {
    return { summary: input.task, subtasks: [{ id: "t1", title: input.task.slice(0, 120), description: input.task, dependsOn: [], tools: [], risk: "low" }], assumptions: [] };
  }
  const plan = asPlan(raw);
  if (!plan) {
    const problems = problemsWith(raw, PLAN_SCHEMA).slice(0, 5).join("; ");
    throw new StepError(`The executor's context.plan is not a usable plan: ${problems}.`, { code: "AGENT_BAD_CONTEXT" });
  }
  return plan;
}

/** The gatekeeper's order first, then the plan's for anything it did not list. */
function ordered(plan: Plan, order: readonly string[]): Subtask[] {
  const rank = new Map(order.map((id, index) => [id, index]));
  return plan.subtasks
    .map((subtask, index) => ({ subtask, key: rank.get(subtask.id) ?? order.length + index }))
    .sort((a, b) => a.key - b.key)
    .map((entry) => entry.subtask);
}

function subtaskPrompt(subtask: Subtask, request: string, total: number): string {
  return [subtask.title, subtask.description, `This is sub-task ${subtask.id} of ${total} in the plan for: ${request}`].filter(Boolean).join("\n\n");
}

export async function runExecutor(loop: LoopContext, input: ExecutorInput): Promise<Execution> {
  const plan = planOf(input);
  const queue = ordered(plan, asReview(input.context.review)?.order ?? []);
  const request = typeof input.context.request === "string" && input.context.request ? input.context.request : input.task;
  const titles = new Map(plan.subtasks.map((s) => [s.id, s.title]));
  const results = new Map<string, SubtaskResult>();
  const running = new Map<string, Promise<void>>();
  const abort = new AbortController();
  const signal = AbortSignal.any([loop.signal, abort.signal]);
  let fatal: unknown = null;

  const finish = async (subtask: Subtask, result: SubtaskResult, usage?: StepUsage) => {
    results.set(subtask.id, result);
    await input.messages.send({ from: `${input.slug}:${subtask.id}`, to: input.slug, kind: "result", content: result, ...(usage ? { usage } : {}) });
  };

  const attempt = async (subtask: Subtask) => {
    const speaker = `${input.slug}:${subtask.id}`;
    const dependencies = subtask.dependsOn.map((id) => ({ id, title: titles.get(id), output: results.get(id)?.output }));
    const context = { request, subtask, ...(dependencies.length ? { dependencies } : {}) };
    try {
      await input.messages.send({ from: input.slug, to: speaker, kind: "task", content: context });
      // A signal per sub-task keeps each one's abort listeners (gateway, provider) on its own signal.
      const { value, usage } = await runToolLoop(
        { ...loop, signal: AbortSignal.any([signal]) },
        { speaker, system: input.system, prompt: composePrompt(subtaskPrompt(subtask, request, plan.subtasks.length), context), schema: SUBTASK_RESULT_SCHEMA, tools: input.tools },
      );
      const { status, output } = value as Omit<SubtaskResult, "subtaskId">;
      await finish(subtask, { subtaskId: subtask.id, status, output }, usage);
    } catch (error) {
      if (isFatal(error)) {
        fatal ??= error;
        abort.abort(error);
        return;
      }
      await finish(subtask, { subtaskId: subtask.id, status: "failed", output: (error as Error).message });
    }
  };
  // Whatever escapes a sub-task (a failing message write included) ends the step.
  const runSubtask = (subtask: Subtask) =>
    attempt(subtask).catch((error: unknown) => {
      fatal ??= error;
      abort.abort(error);
    });

  /** Skips whatever waits on a sub-task that did not get done, transitively. */
  const skipBlocked = async () => {
    for (let changed = true; changed; ) {
      changed = false;
      for (const subtask of [...queue]) {
        const blocker = subtask.dependsOn.find((id) => results.has(id) && results.get(id)!.status !== "done");
        if (!blocker) continue;
        queue.splice(queue.indexOf(subtask), 1);
        await finish(subtask, { subtaskId: subtask.id, status: "skipped", output: `Skipped: it depends on ${blocker}, which was ${results.get(blocker)!.status}.` });
        changed = true;
      }
    }
  };

  while (fatal === null) {
    await skipBlocked();
    for (const subtask of [...queue]) {
      if (running.size >= EXECUTOR_CONCURRENCY) break;
      if (!subtask.dependsOn.every((id) => results.get(id)?.status === "done")) continue;
      queue.splice(queue.indexOf(subtask), 1);
      running.set(subtask.id, runSubtask(subtask).finally(() => running.delete(subtask.id)));
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  await Promise.all(running.values());
  if (fatal !== null) throw fatal;
  for (const subtask of queue) await finish(subtask, { subtaskId: subtask.id, status: "skipped", output: "Skipped: its dependencies never completed." });

  const inPlanOrder = plan.subtasks.map((s) => results.get(s.id)!);
  const summaryContext = { request, results: inPlanOrder.map((r) => ({ ...r, title: titles.get(r.subtaskId) })) };
  const { value } = await runToolLoop(loop, {
    speaker: input.slug,
    system: input.system,
    prompt: composePrompt(`Summarise what was achieved for: ${request}`, summaryContext),
    schema: EXECUTION_SUMMARY_SCHEMA,
    tools: [],
  });
  return { results: inPlanOrder, summary: (value as { summary: string }).summary };
}
