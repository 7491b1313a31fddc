// Issue analysis: the evidence in the issue (errors, files, versions, urgent words,
// labels) is pulled out in code, a model triages the issue with it, the triage is
// settled in code (labels and evidence outrank a guess), the analyst plans the work, each
// planned sub-task is drafted (three at a time), and the verifier checks the result,
// sending the plan back once when it falls short.
import type { TypeSpec, WorkflowDefinitionInput } from "../../shared/workflow-definition.ts";
import { analyzeStep, codeStep, defineTemplate, executeEachSubtask, planStep, reportOutputs, reportStep, verifyStep } from "./parts.ts";
import { pairSubtasksWithResults, verdictSentence } from "./report-code.ts";
import { SEVERITIES, subtaskResultSpec } from "./specs.ts";

const TYPES = ["bug", "feature", "question", "chore"];

const TRIAGE_SPEC: TypeSpec = {
  type: "object",
  required: ["summary", "type", "severity", "components", "likelyCause", "missingInformation", "nextSteps"],
  properties: {
    summary: { type: "string", description: "The issue in one or two sentences." },
    type: { type: "string", enum: TYPES },
    severity: { type: "string", enum: SEVERITIES, description: "critical for data loss, security or an outage; low for cosmetic problems." },
    components: { type: "array", items: { type: "string" }, description: "The parts of the system involved (modules, files, services)." },
    likelyCause: { type: "string", description: "The most likely cause, from the evidence; empty when it cannot be told." },
    missingInformation: { type: "array", items: { type: "string" }, description: "What the reporter should add to make the issue actionable." },
    nextSteps: { type: "array", items: { type: "string" }, description: "What to do next, in order." },
  },
};

const DRAFT_SPEC = subtaskResultSpec(
  "done when the sub-task is drafted, failed when the evidence is not enough.",
  "The result: findings, a proposed change, or a reply to the reporter.",
);

/** Pulls the evidence out of the issue text: error lines, files, versions, urgent words, a type from the labels. */
const EVIDENCE_CODE = `
const text = String(input.title) + "\\n" + String(input.body);
const lines = text.split("\\n").map((l) => l.trim()).filter(Boolean);
const unique = (list) => [...new Set(list)];
// No \\b before the words: TypeError and NullPointerException count too.
const errors = unique(lines.filter((l) => /(error|exception|panic|traceback|fatal|failed)\\b/i.test(l))).slice(0, 8);
const files = unique(text.match(/[\\w./-]+\\.(ts|tsx|js|jsx|mjs|py|go|rs|java|kt|rb|php|cs|cpp|c|h|sql|ya?ml|json)\\b/g) || []).slice(0, 12);
const versions = unique(text.match(/\\bv?\\d+\\.\\d+\\.\\d+\\b/g) || []).slice(0, 6);
const hasSteps = /(steps to reproduce|to reproduce|repro)/i.test(text) || lines.filter((l) => /^(\\d+[.)]|[-*])\\s/.test(l)).length >= 2;
const urgent = [
  ["critical", /\\b(data loss|lost data|security|vulnerab\\w*|outage|production is down|breach)\\b/i],
  ["high", /\\b(crash\\w*|regression|blocks?|blocking|all users|cannot log ?in|internal server error|500 error)\\b/i],
  ["medium", /(error|\\bfails?|\\bfailing|\\bbroken|\\bwrong)\\b/i],
].find(([, pattern]) => pattern.test(text));
const labels = (input.labels || []).map((l) => String(l).toLowerCase());
const byLabel = [
  ["bug", /\\b(bug|defect|regression|crash)/],
  ["feature", /\\b(feature|enhancement|request|proposal)/],
  ["question", /\\b(question|support)\\b/],
  ["chore", /\\b(chore|docs?|documentation|ci|build|refactor|dependenc\\w*)\\b/],
].find(([, pattern]) => labels.some((l) => pattern.test(l)));
return { labels: input.labels || [], errors, files, versions, hasSteps, urgency: urgent ? urgent[0] : "low", typeFromLabels: byLabel ? byLabel[0] : null };
`;

/**
 * Settles the triage: a label outranks the model's type, the evidence sets a floor under
 * its severity, the files found join its components, and what is plainly missing is named.
 * Whatever merely restates the issue is dropped: it is neither a cause nor missing.
 */
const TRIAGE_CODE = `
const weight = { low: 1, medium: 2, high: 3, critical: 4 };
const m = input.analysis;
const e = input.evidence;
const flat = (text) => String(text).toLowerCase().replace(/[\\s.,;:!?]+/g, " ").trim();
const issue = flat(input.title + " " + input.body);
// A sentence (four words or more) of the issue itself, or text opening with its title; a short name may well appear there.
const restates = (text) => flat(text).split(" ").length >= 4 && (issue.includes(flat(text)) || flat(text).startsWith(flat(input.title)));
const type = e.typeFromLabels || m.type;
const severity = weight[e.urgency] > weight[m.severity] ? e.urgency : m.severity;
const priority = { critical: "P0", high: "P1", medium: "P2", low: "P3" }[severity];
// A component is a name (a module, file or service); a sentence there is prose in the wrong field.
const named = (m.components || []).filter((c) => c.trim().split(/\\s+/).length <= 3);
const components = [...new Set([...e.files, ...named])].slice(0, 10);
const missing = (m.missingInformation || []).filter((x) => !restates(x));
const lacks = (what) => !missing.some((x) => x.toLowerCase().includes(what));
if (type === "bug" && !e.hasSteps && lacks("reproduce")) missing.unshift("Steps to reproduce");
if (type === "bug" && e.versions.length === 0 && lacks("version")) missing.unshift("The version in use");
if (type === "bug" && e.errors.length === 0 && lacks("error")) missing.unshift("The error message or logs");
const likelyCause = restates(m.likelyCause) ? "" : m.likelyCause;
const title = input.title;
const where = components.length ? " in " + components.slice(0, 3).join(", ") : "";
const steps = {
  bug: ["Reproduce the bug: " + title, "Find the root cause" + where, "Propose a fix and a test that covers it"],
  feature: ["Outline the change for: " + title, "List the parts it touches" + where, "Estimate the work and its risks"],
  question: ["Answer the question: " + title, "Point to the code or documentation that shows it"],
  chore: ["Describe the change for: " + title, "List the parts it touches" + where],
}[type];
const reply = "Draft a reply to the reporter" + (missing.length ? ", asking for: " + missing.slice(0, 3).join("; ").toLowerCase() : "");
const brief = ["Plan the work on this " + type + " (" + priority + "): " + title, ...[...steps, reply].map((s) => "- " + s)].join("\\n");
const triage = { type, severity, priority, components, likelyCause, missingInformation: missing, labels: e.labels };
return { triage, suggestedSteps: (m.nextSteps || []).filter((x) => !restates(x)), brief };
`;

/** Pairs each planned sub-task with its draft and sums the analysis up, verdict included. */
const REPORT_CODE = `
${pairSubtasksWithResults({ results: "drafts", as: "work", output: "output" })}
const t = input.triage;
const verdict = input.verdict || {};
const summary = [
  '"' + input.title + '" is a ' + t.severity + "-severity " + t.type + " (" + t.priority + ")" + (t.components.length ? ", in " + t.components.slice(0, 3).join(", ") : "") + ".",
  // The model's summary, unless it only repeats the title.
  input.analysisSummary.toLowerCase().replace(/[\\s.]+$/, "") === input.title.toLowerCase().replace(/[\\s.]+$/, "") ? "" : input.analysisSummary,
  t.missingInformation.length ? "Missing: " + t.missingInformation.slice(0, 3).join("; ") + "." : "",
  work.filter((w) => w.status === "done").length + " of " + work.length + " planned sub-tasks drafted.",
  ${verdictSentence("result")},
].filter(Boolean).join(" ");
return { summary, work };
`;

const definition: WorkflowDefinitionInput = {
  name: "Issue analysis",
  description: "Triages an issue (type, severity, priority, components, what is missing), plans the work on it, drafts each part and verifies the result.",
  inputs: {
    title: { type: "string", description: "The issue's title." },
    body: { type: "string", description: "The issue's text, with any logs or stack traces." },
    labels: { type: "array", description: "The issue's labels, e.g. [\"bug\", \"auth\"].", default: [] },
  },
  steps: [
    codeStep({
      id: "evidence",
      name: "Collect the evidence",
      inputs: { title: "{{ input.title }}", body: "{{ input.body }}", labels: "{{ input.labels }}" },
      code: EVIDENCE_CODE,
    }),
    analyzeStep({
      name: "Triage the issue",
      preset: "issue-analysis",
      system:
        "You triage software issues. From the issue in the message, its labels and the evidence found in it, classify it, judge its " +
        "severity, name the components involved and the most likely cause, say what information is missing, and list the next steps. " +
        "Base every field on the evidence; use an empty string or list rather than guessing.",
      prompt: "{{ input.title }}\n\n{{ input.body }}\n\nThe labels and the evidence found in the text:\n{{ steps.evidence.output }}",
      json: TRIAGE_SPEC,
    }),
    codeStep({
      id: "settle",
      name: "Settle the triage",
      inputs: { title: "{{ input.title }}", body: "{{ input.body }}", analysis: "{{ steps.analyze.output }}", evidence: "{{ steps.evidence.output }}" },
      code: TRIAGE_CODE,
    }),
    planStep({
      name: "Plan the work",
      task: "{{ steps.settle.output.brief }}",
      context: {
        issue: { title: "{{ input.title }}", body: "{{ input.body }}" },
        triage: "{{ steps.settle.output.triage }}",
        suggestedSteps: "{{ steps.settle.output.suggestedSteps }}",
      },
    }),
    executeEachSubtask({
      name: "Draft each part",
      preset: "fix-suggestion",
      system:
        "You work on a software issue. Carry out the sub-task in the message from the issue and its triage: for a root cause, " +
        "reason from the evidence; for a fix, show the change and the test that covers it; for a reply, write it to the reporter. " +
        "Say what is missing instead of guessing.",
      prompt: "The issue: {{ input.title }}\n{{ input.body }}\n\nThe triage:\n{{ steps.settle.output.triage }}",
      json: DRAFT_SPEC,
    }),
    verifyStep({
      name: "Verify the result",
      task: "Check that the drafted work addresses the issue \"{{ input.title }}\" and follows from its evidence.",
      context: { triage: "{{ steps.settle.output.triage }}" },
    }),
    reportStep({
      inputs: {
        title: "{{ input.title }}",
        analysisSummary: "{{ steps.analyze.output.summary }}",
        triage: "{{ steps.settle.output.triage }}",
      },
      resultsAs: "drafts",
      code: REPORT_CODE,
    }),
  ],
  outputs: reportOutputs({
    triage: "{{ steps.settle.output.triage }}",
    work: "{{ steps.report.output.work }}",
  }),
};

export const ISSUE_ANALYSIS = defineTemplate(
  {
    slug: "issue-analysis",
    description:
      "Triages an issue into a type, severity, priority and the components involved, names what is missing, then plans, drafts and verifies the work on it. Needs the issue's title, text and labels.",
    category: "Issues",
  },
  definition,
);
