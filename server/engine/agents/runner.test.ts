// The agent step through the real Gateway and a real run (memory, messages, tool layer):
// the offline model for whole answers and tool calls, the fake OpenAI server for
// malformed answers, turn and cost limits, and the roles' policies.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../db/client.ts";
import { BUILTIN_OFFLINE } from "../../llm/gateway.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../../llm/testing/fake-openai.ts";
import { withTestDatabase } from "../../test/with-database.ts";
import { fakeOpenAIProvider } from "../testing/fake-provider.ts";
import { stepFailure } from "../testing/step-context.ts";
import type { Plan, Review, Verdict } from "./schemas.ts";
import { seedAgentRun, testGateway, type AgentRun, type TestGateway } from "./testing.ts";

let db: Db;
let openai: FakeOpenAI;
let offline: TestGateway;
let viaOpenAI: TestGateway;

withTestDatabase((database) => (db = database.prisma));
beforeAll(async () => {
  openai = await startFakeOpenAI();
  offline = testGateway(() => [BUILTIN_OFFLINE]);
  viaOpenAI = testGateway(() => [fakeOpenAIProvider(openai.url)]);
});
afterAll(async () => {
  await openai?.close();
});

const REQUEST = "Summarise the open issues, then draft a release note and post it to the team";
const PLAN: Plan = {
  summary: "Two steps",
  subtasks: [
    { id: "t1", title: "Collect issues", description: "List the open issues", dependsOn: [], tools: [], risk: "low" },
    { id: "t2", title: "Write the note", description: "Draft the release note", dependsOn: ["t1"], tools: [], risk: "low" },
  ],
  assumptions: [],
};
const SCORES = { correctness: 0.9, transparency: 0.8, safety: 0.9, autonomy: 0.7, fairness: 0.9 };

const messagesOf = (runId: string) => db.agentMessage.findMany({ where: { runId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
const submit = (value: unknown) => ({ kind: "tool_call" as const, name: "submit_result", arguments: typeof value === "string" ? value : JSON.stringify(value) });
/** The chat completion requests the fake received since `from`. */
const completions = (from: number) => openai.requests.slice(from).filter((r) => r.method === "POST");

async function newRun(gateway: TestGateway): Promise<AgentRun> {
  return seedAgentRun(db, (context, request) => gateway.gateway.chat(context, request));
}

async function customAgent(run: AgentRun, fields: { slug: string; role?: string; tools?: string[]; maxTurns?: number; maxCostNano?: bigint | null }) {
  await db.agent.create({
    data: { teamId: run.teamId, name: fields.slug, role: fields.role ?? "custom", instructions: "Be brief.", tools: fields.tools ?? [], maxTurns: fields.maxTurns ?? 8, maxCostNano: fields.maxCostNano ?? null, slug: fields.slug },
  });
}

describe("agents on the offline model", () => {
  it("the analyst plans the request into sub-tasks, sends the plan on and keeps it in memory", async () => {
    const run = await newRun(offline);
    const before = offline.usage.length;
    const { output, usage } = await run.invoke({ agent: "analyst", task: REQUEST, context: { feedback: null } });
    const plan = output as Plan;
    expect(plan.subtasks.map((s) => s.title)).toEqual(["Summarise the open issues", "Draft a release note", "Post it to the team"]);
    expect(plan.subtasks.map((s) => s.dependsOn)).toEqual([[], ["t1"], ["t2"]]);
    expect(plan.summary).toContain("3 steps");

    const calls = offline.usage.slice(before);
    expect(usage).toEqual({
      inputTokens: calls.reduce((n, c) => n + c.usage.inputTokens, 0),
      outputTokens: calls.reduce((n, c) => n + c.usage.outputTokens, 0),
      costNano: calls.reduce((n, c) => n + c.costNano, 0),
    });
    expect(usage!.costNano).toBeGreaterThan(0);

    const messages = await messagesOf(run.runId);
    expect(messages.map((m) => [m.from, m.to, m.kind])).toEqual([
      ["run", "analyst", "task"],
      ["analyst", "gatekeeper", "plan"],
    ]);
    expect(messages[0]!.content).toEqual({ task: REQUEST, context: { feedback: null } });
    expect(messages[1]!.content).toEqual(plan);
    expect(Number(messages[1]!.costNano)).toBe(usage!.costNano);
    const memory = await db.runMemory.findUnique({ where: { runId_key: { runId: run.runId, key: "analyst" } } });
    expect(memory).toMatchObject({ value: plan, writtenBy: "analyst" });
  });

  it("runs the tools the model calls (memory_set here) and feeds their results back", async () => {
    const run = await newRun(offline);
    await customAgent(run, { slug: "archivist", tools: ["memory_set"] });
    const { output } = await run.invoke({ agent: "archivist", task: "Record the release date with memory_set, then report back" });
    expect(output).toMatchObject({ answer: expect.stringContaining("Record the release date") });

    const stored = await db.runMemory.findMany({ where: { runId: run.runId, writtenBy: "agent_1" } });
    expect(stored.map((m) => m.key)).toEqual([expect.stringMatching(/^record-the-release-date/)]);
    const calls = await db.toolCall.findMany({ where: { runId: run.runId } });
    expect(calls.map((c) => [c.tool, c.isError])).toEqual([["memory_set", false]]);
    const kinds = (await messagesOf(run.runId)).map((m) => [m.from, m.to, m.kind]);
    expect(kinds).toEqual([
      ["run", "archivist", "task"],
      ["archivist", "memory_set", "tool-call"],
      ["memory_set", "archivist", "tool-result"],
      ["archivist", "run", "result"],
    ]);
    // A custom agent's result is remembered under its own slug.
    expect(await db.runMemory.findUnique({ where: { runId_key: { runId: run.runId, key: "archivist" } } })).toMatchObject({ writtenBy: "archivist" });
  });

  it("an unknown agent fails for good, naming the agents there are", async () => {
    const run = await newRun(offline);
    await customAgent(run, { slug: "scribe" });
    const error = await stepFailure(run.invoke({ agent: "nobody", task: "Hello" }));
    expect(error.code).toBe("UNKNOWN_AGENT");
    expect(error.retryable).toBe(false);
    expect(error.message).toContain("analyst, executor, gatekeeper, scribe, verifier");
  });

  it("a team's row overrides the built-in of the same slug", async () => {
    const run = await newRun(offline);
    await customAgent(run, { slug: "analyst", role: "custom" });
    const { output } = await run.invoke({ agent: "analyst", task: "Say hello" });
    expect(output).toEqual({ answer: expect.stringContaining("Say hello") });
  });
});

describe("agents on the fake OpenAI server", () => {
  it("sends malformed results back with every problem named until one fits", async () => {
    const run = await newRun(viaOpenAI);
    const from = openai.requests.length;
    openai.enqueue(
      { kind: "text", text: "Here is my plan: do it." },
      submit('{"summary": "Two steps", "subtasks": ['),
      submit({ summary: 7, subtasks: PLAN.subtasks }),
      submit({ ...PLAN, subtasks: PLAN.subtasks.map((s) => ({ ...s, dependsOn: s.id === "t1" ? ["t2"] : ["t1"] })) }),
      submit(PLAN),
    );
    const logs: string[] = [];
    const { output } = await run.invoke({ agent: "analyst", task: REQUEST }, { logs });
    expect(output).toEqual(PLAN);

    const requests = completions(from);
    expect(requests).toHaveLength(5);
    expect(requests[0]!.body.tool_choice).toBe("required");
    expect(requests[0]!.body.tools.map((t: { function: { name: string } }) => t.function.name)).toEqual(["memory_get", "memory_list", "submit_result"]);
    const lastMessage = (i: number) => requests[i]!.body.messages.at(-1) as { role: string; content: string };
    expect(lastMessage(1)).toMatchObject({ role: "user", content: expect.stringContaining("plain text instead of calling submit_result") });
    expect(lastMessage(2)).toMatchObject({ role: "tool", content: expect.stringContaining("not valid JSON") });
    expect(lastMessage(3).content).toContain("summary: expected string, got number");
    expect(lastMessage(3).content).toContain("assumptions: missing (required)");
    expect(lastMessage(4).content).toMatch(/cycle \(t1 → t2 → t1\)/);
    expect(logs.filter((l) => l.startsWith("warn:"))).toHaveLength(4);
  });

  it("fails for good past the agent's turns", async () => {
    const run = await newRun(viaOpenAI);
    await customAgent(run, { slug: "chatty", maxTurns: 2 });
    openai.enqueue({ kind: "text", text: "hello" }, submit({ nope: true }));
    const error = await stepFailure(run.invoke({ agent: "chatty", task: "Answer" }));
    expect(error.code).toBe("AGENT_MAX_TURNS");
    expect(error.retryable).toBe(false);
    expect(error.message).toContain("within 2 turns");
    expect(error.message).toContain("answer: missing (required)");
  });

  it("fails for good once its spend passes the agent's cost limit", async () => {
    const run = await newRun(viaOpenAI);
    await customAgent(run, { slug: "frugal", maxCostNano: 1n });
    openai.enqueue({ kind: "text", text: "thinking out loud" });
    const error = await stepFailure(run.invoke({ agent: "frugal", task: "Answer" }));
    expect(error.code).toBe("AGENT_COST_LIMIT");
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/"frugal" spent \$[\d.]+, over its limit of \$0\.000000001/);
  });

  it("a vendor refusal fails the step with the gateway's error", async () => {
    const run = await newRun(viaOpenAI);
    openai.enqueue({ kind: "error", status: 400, message: "bad tools" });
    const error = await stepFailure(run.invoke({ agent: "verifier", task: "Check" }));
    expect(error.code).toBe("LLM_BAD_REQUEST");
  });

  it("the gatekeeper cannot wave high-risk work through", async () => {
    const run = await newRun(viaOpenAI);
    const risky: Plan = { ...PLAN, subtasks: [...PLAN.subtasks, { id: "t3", title: "Deploy", description: "Ship to production", dependsOn: ["t2"], tools: [], risk: "high" }] };
    const answer: Review = { decision: "approve", reasons: ["Fine"], priority: "normal", order: ["t1", "t2", "t3"], requiresApproval: false, risky: [] };
    openai.enqueue(submit(answer));
    const { output } = await run.invoke({ agent: "gatekeeper", task: "Review", context: { plan: risky } });
    expect(output).toMatchObject({ decision: "approve", requiresApproval: true, risky: ["t3"] });
    expect((output as Review).reasons.at(-1)).toContain("t3 must be approved by a person");
  });

  it("a rejection by the gatekeeper fails the step for good, with the reasons", async () => {
    const run = await newRun(viaOpenAI);
    openai.enqueue(submit({ decision: "reject", reasons: ["It would leak customer data."], priority: "low", order: [], requiresApproval: false, risky: [] }));
    const error = await stepFailure(run.invoke({ agent: "gatekeeper", task: "Review", context: { plan: PLAN } }));
    expect(error.code).toBe("REJECTED_BY_GATEKEEPER");
    expect(error.retryable).toBe(false);
    expect(error.message).toContain("It would leak customer data.");
    const kinds = (await messagesOf(run.runId)).map((m) => [m.from, m.to, m.kind]);
    expect(kinds).toEqual([
      ["analyst", "gatekeeper", "task"],
      ["gatekeeper", "executor", "review"],
    ]);
  });

  it("the verifier's scores must lie in 0..1, and any below 0.5 fails the result", async () => {
    const run = await newRun(viaOpenAI);
    const from = openai.requests.length;
    openai.enqueue(
      submit({ passed: true, scores: { ...SCORES, safety: 1.5 }, reasons: ["ok"], revisions: [] }),
      submit({ passed: true, scores: { ...SCORES, safety: 0.3 }, reasons: ["ok"], revisions: [] }),
    );
    const { output } = await run.invoke({ agent: "verifier", task: "Check the results", context: { plan: PLAN } });
    const verdict = output as Verdict;
    expect(verdict.passed).toBe(false);
    expect(verdict.reasons).toEqual(["ok", "safety scored 0.3, below 0.5."]);
    expect(completions(from)[1]!.body.messages.at(-1).content).toContain("scores.safety: expected a number from 0 to 1, got 1.5");
    const [, verdictMessage] = await messagesOf(run.runId);
    expect(verdictMessage).toMatchObject({ from: "verifier", to: "run", kind: "verdict" });
  });

  it("passes the agent's model and strategy to the gateway", async () => {
    const run = await newRun(viaOpenAI);
    await db.agent.create({ data: { teamId: run.teamId, slug: "pinned", name: "Pinned", role: "custom", instructions: "", tools: [], model: "gpt-4o-mini", strategy: "cost" } });
    const from = openai.requests.length;
    openai.enqueue(submit({ answer: "42" }));
    const { output } = await run.invoke({ agent: "pinned", task: "What is six times seven?" });
    expect(output).toEqual({ answer: "42" });
    expect(completions(from)[0]!.body.model).toBe("gpt-4o-mini");
  });
});
