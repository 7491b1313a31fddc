// Migration: a model works out what must change to move the codebase from one
// technology or version to another, the changes are put in a safe order in code
// (groundwork first, the riskiest last, a way back kept open), the analyst plans the
// phases, a person approves when the plan holds high-risk work, the executor carries the
// phases out in dependency order, and the verifier checks the result, sending the plan
// back (at most twice) when it falls short.
import type { WorkflowDefinitionInput } from "../../shared/workflow-definition.ts";
import { EXECUTION_SPEC } from "../agents/index.ts";
import { analyzeStep, approvalWhen, codeStep, defineTemplate, planStep, reportOutputs, reportStep, verifyStep } from "./parts.ts";
import { verdictSentence } from "./report-code.ts";
import { LEVELS, summaryAndListSpec } from "./specs.ts";

const CHANGES_SPEC = summaryAndListSpec({
  summary: "What the migration involves, in one or two sentences.",
  list: "changes",
  listDescription: "What must change in the codebase: breaking changes, replaced APIs, configuration, data.",
  idPrefix: "m",
  title: "The change in a few words.",
  description: "Where it applies, what to do, and how to check it.",
  fields: { risk: { type: "string", enum: LEVELS, description: "high when it touches production, data, credentials or cannot be undone." } },
});

/** Groundwork first, the riskiest changes last, and a way back kept until the switch is verified. */
const PHASES_CODE = `
const order = { low: 0, medium: 1, high: 2 };
const changes = (input.changes || [])
  .map((c) => ({ ...c, risk: order[c.risk] === undefined ? "medium" : c.risk }))
  .sort((a, b) => order[a.risk] - order[b.risk])
  .slice(0, 12)
  .map((c, index) => ({ ...c, id: "M" + (index + 1) }));
const counts = { low: 0, medium: 0, high: 0 };
for (const c of changes) counts[c.risk] += 1;
const brief = [
  "Plan the migration from " + input.from + " to " + input.to + " in phases, each leaving the code working, groundwork first:",
  "- Prepare: make the test suite pass on " + input.from + " and note how to go back",
  ...changes.map((c) => "- Change " + c.id + " (" + c.risk + " risk): " + c.title),
  "- Then switch over to " + input.to + ", keeping the way back to " + input.from + " until the switch is verified",
].join("\\n");
return { changes, counts, brief };
`;

/** Pairs each phase with its result and sums the migration up, verdict included. */
const REPORT_CODE = `
const subtasks = (input.plan && input.plan.subtasks) || [];
const results = (input.execution && input.execution.results) || [];
const phases = subtasks.map((s) => {
  const result = results.find((r) => r.subtaskId === s.id) || {};
  return { subtaskId: s.id, title: s.title, risk: s.risk, status: result.status || "skipped", output: result.output || "" };
});
const c = input.counts;
const verdict = input.verdict || {};
const summary = [
  "Migration from " + input.from + " to " + input.to + ": " + input.changes.length + " change" + (input.changes.length === 1 ? "" : "s") + " (" + c.high + " high, " + c.medium + " medium, " + c.low + " low risk) in " + phases.length + " phases.",
  input.approval && input.approval.approved ? "The high-risk phases were approved by a person." : "",
  phases.filter((p) => p.status === "done").length + " of " + phases.length + " phases done.",
  ${verdictSentence("migration")},
].filter(Boolean).join(" ");
return { summary, phases };
`;

const REQUEST = "Migrate the codebase from {{ input.from }} to {{ input.to }}.";

const definition: WorkflowDefinitionInput = {
  name: "Migration",
  description: "Migrates a codebase from one technology or version to another: what must change, a phased plan, approval for high-risk phases, execution in order and verification.",
  inputs: {
    from: { type: "string", description: "What the codebase uses now, e.g. Express 4 or PostgreSQL 12." },
    to: { type: "string", description: "What it should use, e.g. Fastify 5 or PostgreSQL 16." },
    codebase: { type: "string", description: "The codebase: how it uses what changes, with excerpts of the relevant code or configuration." },
  },
  steps: [
    analyzeStep({
      name: "Find what must change",
      preset: "issue-analysis",
      system:
        "You plan the migration of a codebase from {{ input.from }} to {{ input.to }}. From the codebase in the message, list what must " +
        "change: breaking changes, replaced APIs, configuration and data, each with where it applies and how risky it is. " +
        "Only list changes the codebase as described needs.",
      prompt: "{{ input.codebase }}",
      json: CHANGES_SPEC,
    }),
    codeStep({
      id: "phases",
      name: "Order the changes",
      inputs: { from: "{{ input.from }}", to: "{{ input.to }}", changes: "{{ steps.analyze.output.changes }}" },
      code: PHASES_CODE,
    }),
    planStep({
      name: "Plan the phases",
      task: "{{ steps.phases.output.brief }}",
      context: { codebase: "{{ input.codebase }}", changes: "{{ steps.phases.output.changes }}" },
    }),
    ...approvalWhen({
      question: "High-risk phases?",
      condition: 'steps.phases.output.counts.high > 0 || steps.plan.output.subtasks.some((s) => s.risk === "high")',
      name: "Approve the migration",
      message:
        "The migration from {{ input.from }} to {{ input.to }} holds high-risk work (production, data, credentials or changes that cannot be undone). " +
        "{{ steps.plan.output.summary }} Approve to carry it out.",
    }),
    // The executor, not a map: the phases build on each other, so they run in dependency order.
    {
      id: "execute",
      name: "Carry out the phases",
      kind: "agent",
      agent: "executor",
      needs: ["approve"],
      task: `Carry out the migration plan. ${REQUEST}`,
      context: { request: REQUEST, plan: "{{ steps.plan.output }}", changes: "{{ steps.phases.output.changes }}" },
      output: EXECUTION_SPEC,
    },
    verifyStep({
      name: "Verify the migration",
      task: `Check the results against the request: ${REQUEST} Nothing may be lost, and the way back must stay open until the switch is verified.`,
      context: { request: REQUEST },
      results: "{{ steps.execute.output.results }}",
      max: 2,
    }),
    reportStep({
      inputs: {
        from: "{{ input.from }}",
        to: "{{ input.to }}",
        changes: "{{ steps.phases.output.changes }}",
        counts: "{{ steps.phases.output.counts }}",
      },
      approval: true,
      resultsAs: "execution",
      code: REPORT_CODE,
    }),
  ],
  outputs: reportOutputs({
    changes: "{{ steps.phases.output.changes }}",
    phases: "{{ steps.report.output.phases }}",
    outcome: "{{ steps.execute.output.summary }}",
  }),
};

export const MIGRATION = defineTemplate(
  {
    slug: "migration",
    description:
      "Migrates a codebase from one technology or version to another: it works out what must change, plans safe phases, asks a person before high-risk work, carries the phases out in order and verifies the result. Needs what is used now, the target, and a description of the codebase.",
    category: "Improvement",
  },
  definition,
);
