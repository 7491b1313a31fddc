// The executor role on the offline model and a real run: sub-tasks in dependency order
// with their dependencies' outputs, failures that skip dependents but nothing else, the
// concurrency bound, and the failures that end the whole step.
import { beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../db/client.ts";
import { BUILTIN_OFFLINE } from "../../llm/gateway.ts";
import { withTestDatabase } from "../../test/with-database.ts";
import { stepFailure } from "../testing/step-context.ts";
import { EXECUTOR_CONCURRENCY } from "./executor.ts";
import type { Execution, Plan, Subtask } from "./schemas.ts";
import { seedAgentRun, testGateway, type ChatFunction, type TestGateway } from "./testing.ts";

let db: Db;
let offline: TestGateway;

withTestDatabase((database) => (db = database.prisma));
beforeAll(() => {
  offline = testGateway(() => [BUILTIN_OFFLINE]);
});

const REQUEST = "Prepare the release";
const subtask = (id: string, title: string, dependsOn: string[] = [], description = `${title}, carefully.`): Subtask => ({ id, title, description, dependsOn, tools: [], risk: "low" });
const planOf = (...subtasks: Subtask[]): Plan => ({ summary: "A plan", subtasks, assumptions: [] });
const chat: ChatFunction = (context, request) => offline.gateway.chat(context, request);
const messagesOf = (runId: string) => db.agentMessage.findMany({ where: { runId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });

describe("the executor", () => {
  it("runs each sub-task in its own conversation, after its dependencies and with their outputs", async () => {
    const run = await seedAgentRun(db, chat);
    const plan = planOf(subtask("t1", "Collect the issues"), subtask("t2", "Write the note", ["t1"]), subtask("t3", "Book the room"));
    const { output, usage } = await run.invoke({ agent: "executor", task: "Carry out the plan", context: { plan, request: REQUEST } });
    const execution = output as Execution;
    expect(execution.results.map((r) => [r.subtaskId, r.status])).toEqual([
      ["t1", "done"],
      ["t2", "done"],
      ["t3", "done"],
    ]);
    expect(execution.results[1]!.output).toContain("building on t1");
    expect(execution.summary).toBe("3 of 3 sub-tasks done: Collect the issues (done); Write the note (done); Book the room (done).");
    expect(usage!.costNano).toBeGreaterThan(0);

    const messages = await messagesOf(run.runId);
    const t2Task = messages.find((m) => m.to === "executor:t2" && m.kind === "task")!;
    const t1Result = messages.find((m) => m.from === "executor:t1" && m.kind === "result")!;
    expect(t2Task.createdAt.getTime()).toBeGreaterThanOrEqual(t1Result.createdAt.getTime());
    expect(t2Task.content).toMatchObject({ dependencies: [{ id: "t1", title: "Collect the issues", output: execution.results[0]!.output }] });
    expect(messages[0]).toMatchObject({ from: "gatekeeper", to: "executor", kind: "task" });
    expect(messages.at(-1)).toMatchObject({ from: "executor", to: "verifier", kind: "result", content: execution });
    const perSubtask = messages.filter((m) => m.kind === "result" && m.from.startsWith("executor:"));
    expect(perSubtask.every((m) => m.costNano > 0n)).toBe(true);
    expect(await db.runMemory.findUnique({ where: { runId_key: { runId: run.runId, key: "executor" } } })).toMatchObject({ value: execution, writtenBy: "executor" });
  });

  it("a failed sub-task skips its dependents, and only them", async () => {
    const run = await seedAgentRun(db, chat);
    const plan = planOf(
      subtask("t1", "Call the flaky service", [], "The service refuses [offline:error=400]"),
      subtask("t2", "Use its answer", ["t1"]),
      subtask("t3", "Tidy up after it", ["t2"]),
      subtask("t4", "Write the changelog"),
    );
    const { output } = await run.invoke({ agent: "executor", task: "Carry out the plan", context: { plan } });
    const results = (output as Execution).results;
    expect(results.map((r) => [r.subtaskId, r.status])).toEqual([
      ["t1", "failed"],
      ["t2", "skipped"],
      ["t3", "skipped"],
      ["t4", "done"],
    ]);
    expect(results[0]!.output).toContain("answered 400");
    expect(results[1]!.output).toBe("Skipped: it depends on t1, which was failed.");
    expect(results[2]!.output).toBe("Skipped: it depends on t2, which was skipped.");
    expect((output as Execution).summary).toContain("1 of 4 sub-tasks done");
  });

  it(`runs at most ${EXECUTOR_CONCURRENCY} sub-tasks at once`, async () => {
    let inFlight = 0;
    let most = 0;
    const counting: ChatFunction = async (context, request) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      try {
        return await offline.gateway.chat(context, request);
      } finally {
        inFlight -= 1;
      }
    };
    const run = await seedAgentRun(db, counting);
    const plan = planOf(...[1, 2, 3, 4, 5, 6, 7].map((n) => subtask(`t${n}`, `Part ${n}`, [], `Part ${n} [offline:delay=30]`)));
    const { output } = await run.invoke({ agent: "executor", task: "Do all parts", context: { plan } });
    expect((output as Execution).results.every((r) => r.status === "done")).toBe(true);
    expect(most).toBeLessThanOrEqual(EXECUTOR_CONCURRENCY);
    expect(most).toBeGreaterThan(1);
  });

  it("without a plan, the task itself is the one sub-task", async () => {
    const run = await seedAgentRun(db, chat);
    const { output } = await run.invoke({ agent: "executor", task: "Rename the project" });
    expect((output as Execution).results).toEqual([{ subtaskId: "t1", status: "done", output: expect.stringContaining("rename the project") }]);
  });

  it("a plan that is not one fails the step for good", async () => {
    const run = await seedAgentRun(db, chat);
    const error = await stepFailure(run.invoke({ agent: "executor", task: "Go", context: { plan: { subtasks: "all of them" } } }));
    expect(error.code).toBe("AGENT_BAD_CONTEXT");
    expect(error.message).toContain("subtasks: expected array, got string");
  });

  it("the agent's cost limit ends the whole step, not one sub-task", async () => {
    const run = await seedAgentRun(db, chat);
    await db.agent.create({ data: { teamId: run.teamId, slug: "executor", name: "Thrifty executor", role: "executor", instructions: "", tools: [], maxCostNano: 1n } });
    const plan = planOf(subtask("t1", "One"), subtask("t2", "Two"));
    const error = await stepFailure(run.invoke({ agent: "executor", task: "Go", context: { plan } }));
    expect(error.code).toBe("AGENT_COST_LIMIT");
    expect((await messagesOf(run.runId)).some((m) => m.kind === "result" && m.to === "verifier")).toBe(false);
  });
});
