// Performance optimisation: the given measurements are read against common limits in
// code, a model names the likely bottlenecks, they are ranked in code (big gains for
// little effort first), the analyst plans the optimisations, a change is drafted per
// planned sub-task (three at a time), and the verifier checks the changes against the
// symptoms, sending the plan back once when they fall short.
import type { WorkflowDefinitionInput } from "../../shared/workflow-definition.ts";
import { analyzeStep, codeStep, defineTemplate, executeEachSubtask, planStep, reportOutputs, reportStep, verifyStep } from "./parts.ts";
import { pairSubtasksWithResults, verdictSentence } from "./report-code.ts";
import { LEVELS, subtaskResultSpec, summaryAndListSpec } from "./specs.ts";

const BOTTLENECKS_SPEC = summaryAndListSpec({
  summary: "What most likely makes it slow, in one or two sentences.",
  list: "bottlenecks",
  listDescription: "The likely bottlenecks, each tied to the symptoms or measurements that point to it.",
  idPrefix: "b",
  title: "The bottleneck in a few words.",
  description: "The evidence for it and how to remove it.",
  fields: {
    impact: { type: "string", enum: LEVELS, description: "How much removing it would help." },
    effort: { type: "string", enum: LEVELS, description: "How much work removing it takes." },
  },
});

const CHANGE_SPEC = subtaskResultSpec(
  "done when the change is drafted, failed when it could not be.",
  "The change (code, query, index or configuration), the gain you expect and how to measure it.",
);

/**
 * Reads each measurement against a common limit, by its name: latencies over a second,
 * utilisation over 80 %, error rates over 1 %. Values it cannot judge are listed as they are.
 */
const BASELINE_CODE = `
const judge = (name, value) => {
  const n = name.toLowerCase();
  if (typeof value !== "number") return null;
  if (/(p9\\d|latency|duration|time|ms$)/.test(n)) return value > 1000 ? "over 1 s" : null;
  if (/(cpu|mem|memory|heap|util|load|disk)/.test(n)) return (value <= 1 ? value > 0.8 : value > 80) ? "over 80 %" : null;
  if (/(error|fail|timeout)/.test(n)) return (value <= 1 ? value > 0.01 : value > 1) ? "over 1 %" : null;
  return null;
};
const metrics = Object.entries(input.metrics || {}).map(([name, value]) => ({ name, value, over: judge(name, value) }));
const hot = metrics.filter((m) => m.over);
const describe = (m) => m.name + " is " + JSON.stringify(m.value);
const within = metrics.filter((m) => !m.over);
const lines = [
  ...(hot.length ? ["Over the usual limits:", ...hot.map((m) => "- " + describe(m) + ", " + m.over)] : []),
  within.length ? "Within the usual limits: " + within.map(describe).join(", ") + "." : "",
].filter(Boolean);
return { metrics, hot: hot.map((m) => m.name), lines: lines.join("\\n") || "No measurements were given." };
`;

/** Ranks the bottlenecks: impact counts double, effort against; a bottleneck naming an over-limit measurement goes up. */
const RANK_CODE = `
const level = { low: 1, medium: 2, high: 3 };
const text = (b) => (b.title + " " + b.description).toLowerCase();
const bottlenecks = (input.bottlenecks || [])
  .map((b) => {
    const evidence = (input.hot || []).filter((name) => text(b).includes(name.toLowerCase()));
    const score = 2 * (level[b.impact] || 2) - (level[b.effort] || 2) + (evidence.length ? 1 : 0);
    return { ...b, evidence, score };
  })
  .sort((a, b) => b.score - a.score)
  .slice(0, 8)
  .map((b, index) => ({ ...b, id: "B" + (index + 1) }));
const brief = [
  "Plan the optimisation of " + input.target + ", one sub-task per bottleneck worth removing, the best gain for the effort first:",
  ...bottlenecks.map((b) => "- Remove " + b.id + " (impact " + b.impact + ", effort " + b.effort + "): " + b.title),
  "- Measure " + input.target + " again and compare it with the baseline",
].join("\\n");
return { bottlenecks, brief };
`;

/** Pairs each planned sub-task with its drafted change and sums the work up, verdict included. */
const REPORT_CODE = `
${pairSubtasksWithResults({ results: "drafts", as: "changes", output: "change" })}
const top = input.bottlenecks[0];
const verdict = input.verdict || {};
const summary = [
  "Optimising " + input.target + " (" + input.symptoms.replace(/[.\\s]+$/, "") + ").",
  input.hot.length ? "Over the usual limits: " + input.hot.join(", ") + "." : "",
  input.bottlenecks.length + " likely bottleneck" + (input.bottlenecks.length === 1 ? "" : "s") + (top ? ", the most rewarding: " + top.title : "") + ".",
  changes.filter((c) => c.status === "done").length + " of " + changes.length + " planned changes drafted.",
  ${verdictSentence("changes")},
].filter(Boolean).join(" ");
return { summary, changes };
`;

const definition: WorkflowDefinitionInput = {
  name: "Performance optimisation",
  description: "Finds the likely bottlenecks of something slow from its symptoms and measurements, ranks them, drafts the optimisations and verifies them.",
  inputs: {
    target: { type: "string", description: "What is slow: an endpoint, a query, a job, a page." },
    symptoms: { type: "string", description: "What is observed, and since when." },
    metrics: { type: "object", description: "Measurements by name, e.g. { \"p95Ms\": 1800, \"cpu\": 0.92 }.", required: false, default: {} },
  },
  steps: [
    codeStep({ id: "baseline", name: "Read the measurements", inputs: { metrics: "{{ input.metrics }}" }, code: BASELINE_CODE }),
    analyzeStep({
      name: "Find the bottlenecks",
      preset: "issue-analysis",
      system:
        "You are a performance engineer. From the target, symptoms and measurements in the message, name the likely bottlenecks " +
        "(queries, I/O, algorithms, locking, memory, caching, network), each with the evidence that points to it and how much removing " +
        "it would help for the effort it takes. Do not invent measurements.",
      prompt: "Slowness of {{ input.target }}: {{ input.symptoms }}\n{{ steps.baseline.output.lines }}",
      json: BOTTLENECKS_SPEC,
    }),
    codeStep({
      id: "rank",
      name: "Rank the bottlenecks",
      inputs: { target: "{{ input.target }}", bottlenecks: "{{ steps.analyze.output.bottlenecks }}", hot: "{{ steps.baseline.output.hot }}" },
      code: RANK_CODE,
    }),
    planStep({
      name: "Plan the optimisations",
      task: "{{ steps.rank.output.brief }}",
      context: { symptoms: "{{ input.symptoms }}", baseline: "{{ steps.baseline.output.metrics }}", bottlenecks: "{{ steps.rank.output.bottlenecks }}" },
    }),
    executeEachSubtask({
      name: "Draft the changes",
      preset: "code-generation",
      system:
        "You optimise software. For the sub-task in the message, write the change that carries it out (code, query, index or " +
        "configuration), the gain you expect, and how to measure it against the baseline.",
      prompt: "The target: {{ input.target }}. The symptoms: {{ input.symptoms }}\nThe bottlenecks:\n{{ steps.rank.output.bottlenecks }}",
      json: CHANGE_SPEC,
    }),
    verifyStep({
      name: "Verify the changes",
      task: "Check that the drafted changes address the slowness of {{ input.target }} ({{ input.symptoms }}) without changing its behaviour.",
      context: { baseline: "{{ steps.baseline.output.metrics }}" },
    }),
    reportStep({
      inputs: {
        target: "{{ input.target }}",
        symptoms: "{{ input.symptoms }}",
        hot: "{{ steps.baseline.output.hot }}",
        bottlenecks: "{{ steps.rank.output.bottlenecks }}",
      },
      resultsAs: "drafts",
      code: REPORT_CODE,
    }),
  ],
  outputs: reportOutputs({
    baseline: "{{ steps.baseline.output.metrics }}",
    bottlenecks: "{{ steps.rank.output.bottlenecks }}",
    changes: "{{ steps.report.output.changes }}",
  }),
};

export const PERFORMANCE_OPTIMISATION = defineTemplate(
  {
    slug: "performance-optimisation",
    description:
      "Finds the likely bottlenecks of something slow from its symptoms and measurements, ranks them by gain for the effort, drafts the optimisations and verifies them. Needs what is slow, what is observed and, if you have them, measurements.",
    category: "Improvement",
  },
  definition,
);
