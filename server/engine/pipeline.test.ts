// The agent-pipeline template end to end through the real engine (in-process backend):
// on the built-in offline model, where the answer must make sense to a person, and with
// the fake OpenAI and Anthropic servers configured as the team's provider, scripted
// turn by turn (one malformed answer included, which the agent gets repaired).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProvider } from "../modules/providers/index.ts";
import { providerCreateInput } from "../shared/providers.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../llm/testing/fake-anthropic.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../llm/testing/fake-openai.ts";
import { createTestDatabase, type TestDatabase } from "../test/db.ts";
import type { Execution, Plan, Review, Verdict } from "./agents/index.ts";
import { startEngine, stopEngine, type EngineRuntime } from "./index.ts";
import { findTemplate } from "./templates/index.ts";
import { createTeam, eventually, saveWorkflow } from "./testing/harness.ts";
import { stopGatewayServices } from "../modules/gateway/index.ts";

let database: TestDatabase;
let runtime: EngineRuntime;
let openai: FakeOpenAI;
let anthropic: FakeAnthropic;

beforeAll(async () => {
  database = await createTestDatabase();
  openai = await startFakeOpenAI();
  anthropic = await startFakeAnthropic();
  runtime = await startEngine({ backend: "in-process", concurrency: 4, recoveryIntervalMs: 60_000 });
});

afterAll(async () => {
  await stopEngine();
  await stopGatewayServices();
  await openai?.close();
  await anthropic?.close();
  await database?.destroy();
});

const REQUEST = "Summarise the open issues, then draft a release note and post it to the team";

interface PipelineOutput {
  summary: string;
  results: Execution["results"];
  verdict: Verdict;
  plan: Plan;
}

async function startPipeline(team: { teamId: string; userId: string }, request: string) {
  const workflow = await saveWorkflow(database.prisma, team.teamId, findTemplate("agent-pipeline")!.definition);
  const { runId } = await runtime.engine.startRun({ teamId: team.teamId, workflow, input: { request }, createdById: team.userId, apiKeyId: null });
  return runId;
}

async function finished(runId: string) {
  const status = await runtime.engine.waitForRun(runId, 60_000);
  const run = await database.prisma.run.findUniqueOrThrow({ where: { id: runId }, include: { steps: true } });
  const steps = new Map(run.steps.map((s) => [s.key, s]));
  return { status, run, steps, output: run.output as unknown as PipelineOutput };
}

const messagesOf = (runId: string) => database.prisma.agentMessage.findMany({ where: { runId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });

describe("the agent pipeline on the offline model", () => {
  it("turns a request into a plan, a review, results and a passing verdict a person can read", async () => {
    const runId = await startPipeline(await createTeam(database.prisma), REQUEST);
    const { status, run, steps, output } = await finished(runId);
    expect(status, JSON.stringify(run.error)).toBe("SUCCEEDED");

    expect(output.plan.subtasks.length).toBeGreaterThanOrEqual(2);
    expect(output.plan.subtasks.map((s) => s.title)).toEqual(["Summarise the open issues", "Draft a release note", "Post it to the team"]);
    expect(steps.get("gate")!.output).toMatchObject({ decision: "approve", requiresApproval: false, order: ["t1", "t2", "t3"] });
    expect(steps.get("risky")!.output).toMatchObject({ branch: "else" });
    expect(steps.get("approve")!.status).toBe("SKIPPED");
    expect(output.results.map((r) => [r.subtaskId, r.status])).toEqual([
      ["t1", "done"],
      ["t2", "done"],
      ["t3", "done"],
    ]);
    expect(output.summary).toContain("3 of 3 sub-tasks done");
    expect(output.verdict.passed).toBe(true);
    expect(Object.keys(output.verdict.scores).sort()).toEqual(["autonomy", "correctness", "fairness", "safety", "transparency"]);
    expect(Object.values(output.verdict.scores).every((score) => score >= 0.5 && score <= 1)).toBe(true);
    expect(output.verdict.reasons.length).toBeGreaterThan(0);

    const messages = await messagesOf(runId);
    const outputs = messages.filter((m) => ["plan", "review", "verdict"].includes(m.kind) || (m.kind === "result" && m.to === "verifier"));
    expect(outputs.map((m) => [m.from, m.to, m.kind])).toEqual([
      ["analyst", "gatekeeper", "plan"],
      ["gatekeeper", "executor", "review"],
      ["executor", "verifier", "result"],
      ["verifier", "run", "verdict"],
    ]);
    expect(outputs.every((m) => m.costNano > 0n && m.inputTokens > 0)).toBe(true);
    const memory = await database.prisma.runMemory.findMany({ where: { runId }, orderBy: { key: "asc" } });
    expect(memory.map((m) => [m.key, m.writtenBy])).toEqual([
      ["analyst", "analyst"],
      ["executor", "executor"],
      ["gatekeeper", "gatekeeper"],
      ["verifier", "verifier"],
    ]);
    expect(run.costNano).toBeGreaterThan(0n);
  });

  it("waits for a person before carrying out high-risk work", async () => {
    const team = await createTeam(database.prisma);
    const runId = await startPipeline(team, "Delete the stale backups, then deploy the cleanup job to production");
    await eventually(async () => (await database.prisma.stepRun.findUnique({ where: { runId_key: { runId, key: "approve" } } }))?.status === "WAITING", 30_000, "the approval step");
    const approval = await database.prisma.stepRun.findUniqueOrThrow({ where: { runId_key: { runId, key: "approve" } } });
    expect((approval.input as { message: string }).message).toContain('["t1","t2"]');
    expect(await database.prisma.stepRun.count({ where: { runId, stepId: "execute" } })).toBe(0);

    await runtime.engine.decideApproval(team.teamId, runId, "approve", { userId: team.userId, scopes: ["workflows:run"] }, true, "Backups are copied elsewhere.");
    const { status, output } = await finished(runId);
    expect(status).toBe("SUCCEEDED");
    expect(output.results.every((r) => r.status === "done")).toBe(true);
  });
});

// ------------------------------------------------------------------ scripted vendors

const PLAN: Plan = {
  summary: "Collect the open issues, then write the note.",
  subtasks: [
    { id: "t1", title: "Collect the open issues", description: "List every open issue with its status.", dependsOn: [], tools: [], risk: "low" },
    { id: "t2", title: "Write the release note", description: "Turn the list into a short release note.", dependsOn: ["t1"], tools: [], risk: "low" },
  ],
  assumptions: ["The issue tracker is current."],
};
const REVIEW: Review = { decision: "approve", reasons: ["Small, safe and in order."], priority: "normal", order: ["t1", "t2"], requiresApproval: false, risky: [] };
const VERDICT: Verdict = {
  passed: true,
  scores: { correctness: 0.9, transparency: 0.85, safety: 1, autonomy: 0.8, fairness: 0.9 },
  reasons: ["Both sub-tasks are done and the note covers the issues."],
  revisions: [],
};
const submit = (value: unknown) => ({ kind: "tool_call" as const, name: "submit_result", arguments: typeof value === "string" ? value : JSON.stringify(value) });

/** Every model turn of one pipeline run, in order (t2 waits for t1, so the order is fixed). */
const SCRIPT = [
  submit('{"summary": "Collect the open issues", "subtasks": [{"id": "t1"'), // cut off: sent back for repair
  submit(PLAN),
  submit(REVIEW),
  submit({ status: "done", output: "12 open issues, 3 of them blockers." }),
  submit({ status: "done", output: "Release 2.4 fixes 9 issues; 3 blockers remain open." }),
  submit({ summary: "Listed 12 open issues and wrote the release note." }),
  { kind: "text" as const, text: "Looks good to me!" }, // plain text: sent back for repair
  submit(VERDICT),
];

describe.each([
  { vendor: "OpenAI", kind: "openai" as const, model: "gpt-4o-mini", fake: () => openai },
  { vendor: "Anthropic", kind: "anthropic" as const, model: "claude-haiku-4-5", fake: () => anthropic },
])("the agent pipeline with the fake $vendor server as the team's provider", ({ kind, model, fake }) => {
  it("runs every agent on the vendor, repairing the malformed answers", async () => {
    const team = await createTeam(database.prisma);
    const input = providerCreateInput.parse({ teamId: team.teamId, name: kind, kind, baseUrl: fake().url, apiKey: "not-a-real-vendor-key", models: [model] });
    await createProvider(database.prisma, { userId: team.userId }, input);
    const vendor = fake();
    const from = vendor.requests.length;
    vendor.enqueue(...SCRIPT);

    const runId = await startPipeline(team, "Summarise the open issues and write a release note");
    const { status, run, output } = await finished(runId);
    expect(status, JSON.stringify(run.error)).toBe("SUCCEEDED");
    expect(output.plan).toEqual(PLAN);
    expect(output.results).toEqual([
      { subtaskId: "t1", status: "done", output: "12 open issues, 3 of them blockers." },
      { subtaskId: "t2", status: "done", output: "Release 2.4 fixes 9 issues; 3 blockers remain open." },
    ]);
    expect(output.summary).toBe("Listed 12 open issues and wrote the release note.");
    expect(output.verdict).toEqual(VERDICT);

    const calls = vendor.requests.slice(from).filter((r) => r.method === "POST");
    expect(calls).toHaveLength(SCRIPT.length);
    expect(calls.every((c) => c.body.model === model)).toBe(true);
    // The repair requests name the problem (Anthropic's wire turns the cut-off input into {}); t2's conversation carries t1's output.
    expect(JSON.stringify(calls[1]!.body.messages)).toMatch(kind === "openai" ? /not valid JSON/ : /summary: missing \(required\)/);
    expect(JSON.stringify(calls[4]!.body.messages)).toContain("12 open issues, 3 of them blockers.");
    expect(JSON.stringify(calls[7]!.body.messages)).toContain("plain text instead of calling submit_result");
    expect(run.costNano).toBeGreaterThan(0n);
  });
});

describe("revision rounds of the agent pipeline", () => {
  it("a gatekeeper that asks for a revision sends its review back to the analyst as feedback", async () => {
    const team = await createTeam(database.prisma);
    const input = providerCreateInput.parse({ teamId: team.teamId, name: "openai", kind: "openai", baseUrl: openai.url, apiKey: "not-a-real-vendor-key", models: ["gpt-4o-mini"] });
    await createProvider(database.prisma, { userId: team.userId }, input);
    const revised: Plan = { ...PLAN, subtasks: [...PLAN.subtasks, { id: "t3", title: "Check the note", description: "Proof-read it.", dependsOn: ["t2"], tools: [], risk: "low" }] };
    const from = openai.requests.length;
    openai.enqueue(
      submit(PLAN),
      submit({ ...REVIEW, decision: "revise", reasons: ["Add a proof-reading step."] }),
      submit(revised),
      submit({ ...REVIEW, order: ["t1", "t2", "t3"] }),
      submit({ status: "done", output: "12 open issues." }),
      submit({ status: "done", output: "The note." }),
      submit({ status: "done", output: "No typos." }),
      submit({ summary: "Done in three steps." }),
      submit(VERDICT),
    );
    const runId = await startPipeline(team, "Summarise the open issues and write a release note");
    const { status, run, output } = await finished(runId);
    expect(status, JSON.stringify(run.error)).toBe("SUCCEEDED");
    expect(output.plan).toEqual(revised);
    expect(output.results.map((r) => r.subtaskId)).toEqual(["t1", "t2", "t3"]);
    const calls = openai.requests.slice(from).filter((r) => r.method === "POST");
    expect(calls).toHaveLength(9);
    // The second planning round sees the review that sent it back.
    expect(JSON.stringify(calls[2]!.body.messages.find((m: { role: string }) => m.role === "user"))).toContain("Add a proof-reading step.");
    const plans = (await messagesOf(runId)).filter((m) => m.kind === "plan");
    expect(plans).toHaveLength(2);
  });
});
