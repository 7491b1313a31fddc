// The shipped templates beyond the agent pipeline: each validates, follows
// analyze → plan → execute → verify, and runs end to end through the real engine
// (in-process backend) on the built-in offline model to a report derived from its input.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stopGatewayServices } from "../../modules/gateway/index.ts";
import type { WorkflowDefinition } from "../../shared/workflow-definition.ts";
import { createTestDatabase, type TestDatabase } from "../../test/db.ts";
import { validateDefinition } from "../definition/index.ts";
import { startEngine, stopEngine, type EngineRuntime } from "../index.ts";
import { runCode } from "../sandbox/index.ts";
import { createTeam, eventually, saveWorkflow } from "../testing/harness.ts";
import { findTemplate, TEMPLATES } from "./index.ts";

const SHIPPED = ["code-review", "issue-analysis", "performance-optimisation", "security-audit", "documentation", "migration", "dependency-update"];

/** Each template's steps, as [id, kind]: the outline a user sees in the editor. */
const OUTLINES: Record<string, [string, string][]> = {
  "code-review": [["scan", "code"], ["analyze", "llm"], ["rank", "code"], ["plan", "agent"], ["execute", "map"], ["verify", "agent"], ["report", "code"]],
  "issue-analysis": [["evidence", "code"], ["analyze", "llm"], ["settle", "code"], ["plan", "agent"], ["execute", "map"], ["verify", "agent"], ["report", "code"]],
  "performance-optimisation": [["baseline", "code"], ["analyze", "llm"], ["rank", "code"], ["plan", "agent"], ["execute", "map"], ["verify", "agent"], ["report", "code"]],
  "security-audit": [
    ["threats", "code"], ["analyze", "llm"], ["rank", "code"], ["plan", "agent"], ["risky", "condition"], ["approve", "approval"], ["execute", "map"], ["verify", "agent"], ["report", "code"],
  ],
  documentation: [["inventory", "code"], ["analyze", "llm"], ["outline", "code"], ["plan", "agent"], ["execute", "map"], ["verify", "agent"], ["report", "code"]],
  migration: [["analyze", "llm"], ["phases", "code"], ["plan", "agent"], ["risky", "condition"], ["approve", "approval"], ["execute", "agent"], ["verify", "agent"], ["report", "code"]],
  "dependency-update": [
    ["classify", "code"], ["analyze", "map"], ["plan", "agent"], ["risky", "condition"], ["approve", "approval"], ["execute", "map"], ["verify", "agent"], ["report", "code"],
  ],
};

const definitionOf = (slug: string): WorkflowDefinition => findTemplate(slug)!.definition;
const stepOf = (slug: string, id: string) => definitionOf(slug).steps.find((step) => step.id === id)!;

describe("the shipped templates", () => {
  it("are listed after the agent pipeline, each once", () => {
    expect(TEMPLATES.map((t) => t.slug)).toEqual(["agent-pipeline", ...SHIPPED]);
  });

  it.each(SHIPPED)("%s validates with no issues", (slug) => {
    const { definition, issues } = validateDefinition(definitionOf(slug));
    expect(issues).toEqual([]);
    expect(definition).toEqual(definitionOf(slug));
  });

  it.each(SHIPPED)("%s analyzes, plans, executes and verifies, sending a failed verdict back to planning", (slug) => {
    const template = findTemplate(slug)!;
    expect(template.description.length).toBeGreaterThan(40);
    expect(template.description.split(/(?<=\.)\s/).length).toBeLessThanOrEqual(2);
    expect(definitionOf(slug).steps.map((s) => [s.id, s.kind])).toEqual(OUTLINES[slug]);
    expect(stepOf(slug, "plan")).toMatchObject({ kind: "agent", agent: "analyst", context: { feedback: "{{ run.feedback }}" } });
    const verify = stepOf(slug, "verify");
    expect(verify).toMatchObject({ kind: "agent", agent: "verifier", revise: { from: "plan", if: "steps.verify.output.passed !== true" } });
    expect(verify.revise!.max).toBeGreaterThanOrEqual(1);
    expect(verify.revise!.max).toBeLessThanOrEqual(2);
    // The analysis asks the model for typed JSON under a task preset (per item when it fans out).
    const analyze = stepOf(slug, "analyze");
    const asked = analyze.kind === "map" ? analyze.step : analyze;
    expect(asked).toMatchObject({ kind: "llm", preset: expect.any(String), json: expect.objectContaining({ type: "object" }) });
    for (const step of definitionOf(slug).steps) if (step.kind === "map") expect(step.concurrency).toBeLessThanOrEqual(4);
    expect(Object.keys(definitionOf(slug).outputs)).toEqual(expect.arrayContaining(["summary", "verdict"]));
  });

  it("approval waits on a condition where the change is risky", () => {
    expect(stepOf("dependency-update", "risky")).toMatchObject({ if: "steps.classify.output.counts.major > 0", then: ["approve"] });
    for (const slug of ["security-audit", "migration", "dependency-update"]) {
      expect(stepOf(slug, "risky")).toMatchObject({ kind: "condition", then: ["approve"] });
      expect(stepOf(slug, "execute").needs).toEqual(["approve"]);
    }
  });
});

describe("classifying dependency bumps", () => {
  const classify = async (dependencies: { name: string; current: string; latest: string }[]) => {
    const step = stepOf("dependency-update", "classify");
    if (step.kind !== "code") throw new Error("classify is a code step");
    const { value } = await runCode(step.code, { dependencies, ecosystem: "npm" });
    return value as { dependencies: { name: string; bump: string }[]; counts: Record<string, number>; majors: string; brief: string };
  };

  it("names the first part that grew, counting a minor bump before 1.0.0 as major", async () => {
    const result = await classify([
      { name: "a", current: "1.2.3", latest: "1.2.4" },
      { name: "b", current: "^1.2.3", latest: "1.3.0" },
      { name: "c", current: "~1.2.3", latest: "2.0.0" },
      { name: "d", current: "0.4.1", latest: "0.5.0" },
      { name: "e", current: "0.4.1", latest: "0.4.2" },
      { name: "f", current: "2.0.0", latest: "1.9.0" },
      { name: "g", current: "2.0.0-beta.1", latest: "2.0.0" },
      { name: "h", current: "2.0.0", latest: "2.1.0-rc.1" },
      { name: "i", current: "3.1.0", latest: "3.1.0" },
      { name: "j", current: "latest", latest: "1.0.0" },
      { name: "k", current: ">=1.0.0", latest: "v2" },
    ]);
    const bumps = Object.fromEntries(result.dependencies.map((d) => [d.name, d.bump]));
    expect(bumps).toEqual({ a: "patch", b: "minor", c: "major", d: "major", e: "patch", f: "downgrade", g: "patch", h: "minor", i: "none", j: "unknown", k: "major" });
    expect(result.counts).toEqual({ major: 3, minor: 2, patch: 3, prerelease: 0, none: 1, downgrade: 1, unknown: 1 });
    // The riskiest first; what is up to date is not planned.
    expect(result.dependencies.slice(0, 3).map((d) => d.name)).toEqual(["c", "d", "k"]);
    expect(result.majors).toBe("c ~1.2.3 → 2.0.0, d 0.4.1 → 0.5.0, k >=1.0.0 → v2");
    expect(result.brief).toContain("- Update c from ~1.2.3 to 2.0.0 (major)");
    expect(result.brief).not.toContain("Update i ");
  });
});

// ------------------------------------------------------------------ end to end

let database: TestDatabase;
let runtime: EngineRuntime;

beforeAll(async () => {
  database = await createTestDatabase();
  runtime = await startEngine({ backend: "in-process", concurrency: 4, recoveryIntervalMs: 60_000 });
});

afterAll(async () => {
  await stopEngine();
  await stopGatewayServices();
  await database?.destroy();
});

interface Finished {
  output: Record<string, unknown>;
  steps: Map<string, { status: string; output: unknown }>;
  /** The approval message when the run waited for one (and was approved), else null. */
  approval: string | null;
}

type Verdict = { passed: boolean; reasons: string[] };

/** Runs a template to its end, approving when it waits for a person (after checking nothing ran past the approval). */
async function runTemplate(slug: string, input: Record<string, unknown>): Promise<Finished> {
  const team = await createTeam(database.prisma);
  const workflow = await saveWorkflow(database.prisma, team.teamId, definitionOf(slug));
  const { runId } = await runtime.engine.startRun({ teamId: team.teamId, workflow, input, createdById: team.userId, apiKeyId: null });
  const settled = await eventually(async () => {
    const run = await database.prisma.run.findUniqueOrThrow({ where: { id: runId }, select: { status: true } });
    if (["SUCCEEDED", "FAILED", "CANCELLED", "COMPENSATED"].includes(run.status)) return { approval: null };
    return database.prisma.stepRun.findFirst({ where: { runId, kind: "approval", status: "WAITING" } }).then((row) => row && { approval: row });
  }, 30_000, `the ${slug} run`);
  let approval: string | null = null;
  if (settled.approval) {
    expect(await database.prisma.stepRun.count({ where: { runId, stepId: "execute" } })).toBe(0);
    approval = (settled.approval.input as { message: string }).message;
    await runtime.engine.decideApproval(team.teamId, runId, settled.approval.key, { userId: team.userId, scopes: ["workflows:run"] }, true, "Reviewed.");
  }
  const status = await runtime.engine.waitForRun(runId, 30_000);
  const run = await database.prisma.run.findUniqueOrThrow({ where: { id: runId }, include: { steps: true } });
  expect(status, JSON.stringify(run.error)).toBe("SUCCEEDED");
  const steps = new Map(run.steps.filter((s) => s.phase === "main").map((s) => [s.key, { status: s.status, output: s.output }]));
  return { output: run.output as Record<string, unknown>, steps, approval };
}

/** The verifier's verdict passes, with reasons; the summary names the outcome. */
function expectPassingReport(output: Record<string, unknown>) {
  const verdict = output.verdict as Verdict;
  expect(verdict.passed).toBe(true);
  expect(verdict.reasons.length).toBeGreaterThan(0);
  expect(output.summary).toEqual(expect.stringContaining("The verifier passed"));
}

/** Every planned sub-task got a result that is done and says something. */
function expectAllDone(entries: unknown, field: string) {
  const list = entries as Record<string, string>[];
  expect(list.length).toBeGreaterThan(0);
  for (const entry of list) {
    expect(entry.status).toBe("done");
    expect(entry[field]!.length).toBeGreaterThan(10);
  }
}

const SEVERITY = { critical: 4, high: 3, medium: 2, low: 1 } as const;

describe("the shipped templates on the offline model", () => {
  it("code review: flags the risky lines, ranks the findings and proposes a fix for each", async () => {
    const code = 'const password = "hunter22";\nexport function run(expr: string) {\n  try {\n    return eval(expr);\n  } catch (e) {}\n}\n';
    const { output, steps } = await runTemplate("code-review", { code, language: "TypeScript" });

    expect((output.flagged as { line: number; rule: string }[]).map((f) => [f.line, f.rule])).toEqual([
      [1, "hard-coded secret"],
      [4, "dynamic code"],
      [5, "swallowed error"],
    ]);
    const findings = output.findings as { id: string; title: string; severity: keyof typeof SEVERITY; line: number }[];
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.map((f) => f.id)).toEqual(findings.map((_, i) => `F${i + 1}`));
    const weights = findings.map((f) => SEVERITY[f.severity]);
    expect(weights).toEqual([...weights].sort((a, b) => b - a));
    expect(findings.find((f) => f.title.includes("eval("))).toMatchObject({ line: 4, severity: "high" });

    const plan = steps.get("plan")!.output as { subtasks: unknown[] };
    const changes = output.changes as { fix: string }[];
    expect(changes).toHaveLength(plan.subtasks.length);
    expectAllDone(changes, "fix");
    expect(changes.some((c) => c.fix.includes("eval("))).toBe(true);
    expect(output.summary).toEqual(expect.stringContaining("Reviewed 6 lines of TypeScript code"));
    expect(output.summary).toEqual(expect.stringContaining("2 high, 1 medium"));
    expectPassingReport(output);
  });

  it("issue analysis: triages from the labels and the evidence, and plans the work", async () => {
    const { output } = await runTemplate("issue-analysis", {
      title: "Login crashes after upgrading to 2.3.1",
      body: "Since 2.3.1, signing in with SSO crashes the server.\nTypeError: Cannot read properties of undefined (reading 'email') at src/auth/session.ts:42\nIt worked in 2.3.0.",
      labels: ["bug", "auth"],
    });
    const triage = output.triage as { type: string; severity: string; priority: string; components: string[]; missingInformation: string[]; labels: string[] };
    expect(triage).toMatchObject({ type: "bug", severity: "high", priority: "P1", labels: ["bug", "auth"] });
    expect(triage.components).toContain("src/auth/session.ts");
    expect(triage.missingInformation).toContain("Steps to reproduce");
    expect(triage.missingInformation).not.toContain("The version in use");
    expect(triage.missingInformation).not.toContain("The error message or logs");
    const work = output.work as { title: string; output: string }[];
    expectAllDone(work, "output");
    expect(work.map((w) => w.title)).toEqual(expect.arrayContaining([expect.stringContaining("Login crashes after upgrading to 2.3.1"), expect.stringContaining("src/auth/session.ts")]));
    expect(output.summary).toEqual(expect.stringContaining('"Login crashes after upgrading to 2.3.1" is a high-severity bug (P1)'));
    expectPassingReport(output);
  });

  it("performance optimisation: reads the measurements, ranks the bottlenecks and drafts the changes", async () => {
    const { output } = await runTemplate("performance-optimisation", {
      target: "the /api/search endpoint",
      symptoms: "Searches take several seconds since the catalogue passed 1 million products.",
      metrics: { p95Ms: 2400, cpu: 0.93, errorRate: 0.002 },
    });
    const baseline = output.baseline as { name: string; over: string | null }[];
    expect(Object.fromEntries(baseline.map((m) => [m.name, m.over]))).toEqual({ p95Ms: "over 1 s", cpu: "over 80 %", errorRate: null });
    const bottlenecks = output.bottlenecks as { id: string; score: number; evidence: string[] }[];
    expect(bottlenecks.length).toBeGreaterThan(0);
    expect(bottlenecks.map((b) => b.score)).toEqual([...bottlenecks.map((b) => b.score)].sort((a, b) => b - a));
    expect(bottlenecks.flatMap((b) => b.evidence).sort()).toEqual(["cpu", "p95Ms"]);
    expectAllDone(output.changes, "change");
    expect(output.summary).toEqual(expect.stringContaining("Optimising the /api/search endpoint"));
    expect(output.summary).toEqual(expect.stringContaining("Over the usual limits: cpu, p95Ms."));
    expectPassingReport(output);
  });

  it("security audit: audits against each asset and waits for a person before high-risk remediation", async () => {
    const { output, approval } = await runTemplate("security-audit", {
      target: "the customer login API",
      scope: "authentication, session handling and password reset",
      assets: ["user passwords", "session tokens"],
    });
    expect(approval).toContain("The remediation plan for the customer login API holds high-risk work");
    const findings = output.findings as { id: string; exposes: string[] }[];
    expect(findings.length).toBeGreaterThan(0);
    expect([...new Set(findings.flatMap((f) => f.exposes))].sort()).toEqual(["session tokens", "user passwords"]);
    const remediation = output.remediation as { risk: string; fix: string }[];
    expectAllDone(remediation, "fix");
    expect(remediation.some((r) => r.risk === "high")).toBe(true);
    expect(output.summary).toEqual(expect.stringContaining("Security audit of the customer login API"));
    expect(output.summary).toEqual(expect.stringContaining("Assets exposed: user passwords, session tokens."));
    expect(output.summary).toEqual(expect.stringContaining("approved by a person"));
    expectPassingReport(output);
  });

  it("documentation: outlines what the source defines and puts the sections together", async () => {
    const source = "export class RateLimiter {\n  constructor(limit: number) {}\n}\nexport function allow(key: string): boolean {\n  return true;\n}\n";
    const { output } = await runTemplate("documentation", { subject: "the rate limiter", source });
    const sections = output.sections as { heading: string; content: string }[];
    expect(sections.map((s) => s.heading)).toEqual(["Overview", "Class RateLimiter", "Function allow(key: string)"]);
    expectAllDone(sections, "content");
    const document = output.document as string;
    expect(document.startsWith("# The rate limiter\n\n_For developers new to the project._")).toBe(true);
    for (const section of sections) expect(document).toContain(`## ${section.heading}\n\n${section.content}`);
    expect(output.summary).toEqual(expect.stringContaining("2 named items found in the source"));
    expectPassingReport(output);
  });

  it("migration: orders the changes safely, waits for a person, and carries the phases out in order", async () => {
    const { output, steps, approval } = await runTemplate("migration", {
      from: "Express 4",
      to: "Fastify 5",
      codebase: "A REST API with 40 Express routes and a custom session middleware. It reads the production database through Knex. Deploys run from CI.",
    });
    expect(approval).toContain("The migration from Express 4 to Fastify 5 holds high-risk work");
    const changes = output.changes as { risk: "low" | "medium" | "high"; title: string }[];
    const order = { low: 0, medium: 1, high: 2 };
    expect(changes.map((c) => order[c.risk])).toEqual(changes.map((c) => order[c.risk]).sort());
    expect(changes.find((c) => c.title.includes("production database"))).toMatchObject({ risk: "high" });
    const phases = output.phases as { title: string; output: string }[];
    expectAllDone(phases, "output");
    expect(phases[0]!.title).toContain("Express 4");
    expect(phases.at(-1)!.title).toContain("Switch over to Fastify 5");
    expect(steps.get("approve")!.status).toBe("SUCCEEDED");
    expect(output.outcome).toEqual(expect.stringContaining(`${phases.length} of ${phases.length}`));
    expect(output.summary).toEqual(expect.stringContaining("Migration from Express 4 to Fastify 5"));
    expectPassingReport(output);
  });

  it("dependency update: names each dependency with its bump, and asks a person before the major ones", async () => {
    const { output, approval } = await runTemplate("dependency-update", {
      dependencies: [
        { name: "react", current: "^18.2.0", latest: "19.0.0" },
        { name: "lodash", current: "4.17.20", latest: "4.17.21" },
        { name: "zod", current: "3.22.4", latest: "3.23.8" },
        { name: "left-pad", current: "0.1.0", latest: "0.2.0" },
      ],
    });
    expect(approval).toContain("left-pad 0.1.0 → 0.2.0, react ^18.2.0 → 19.0.0");
    const updates = output.updates as { name: string; bump: string; status: string; change: string; risk: string }[];
    expect(updates.map((u) => [u.name, u.bump])).toEqual([
      ["left-pad", "major"],
      ["react", "major"],
      ["zod", "minor"],
      ["lodash", "patch"],
    ]);
    expectAllDone(updates, "change");
    for (const update of updates) expect(update.change).toContain(update.name);
    expect(output.summary).toEqual(expect.stringContaining("react ^18.2.0 → 19.0.0 (major), zod 3.22.4 → 3.23.8 (minor), lodash 4.17.20 → 4.17.21 (patch)"));
    expect(output.summary).toEqual(expect.stringContaining("The major bumps were approved by a person."));
    expectPassingReport(output);
  });

  it("dependency update: goes ahead without a person when no bump is major", async () => {
    const { output, steps, approval } = await runTemplate("dependency-update", {
      dependencies: [
        { name: "vitest", current: "4.0.1", latest: "4.1.0" },
        { name: "yaml", current: "2.9.0", latest: "2.9.0" },
      ],
      ecosystem: "npm",
    });
    expect(approval).toBeNull();
    expect(steps.get("approve")!.status).toBe("SKIPPED");
    const updates = output.updates as { name: string; bump: string; status: string }[];
    expect(updates.map((u) => [u.name, u.bump, u.status])).toEqual([
      ["vitest", "minor", "done"],
      ["yaml", "none", "up to date"],
    ]);
    expect(output.counts).toMatchObject({ major: 0, minor: 1, none: 1 });
    expectPassingReport(output);
  });
});
