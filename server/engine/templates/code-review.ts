// Code review: a quick pattern scan flags the lines worth a look, a model reviews the code
// with those hints, the findings are ranked by severity, the analyst plans the fixes, a
// fix is proposed for each planned sub-task (three at a time), and the verifier checks
// the fixes against the findings, sending the plan back once when they fall short.
import type { WorkflowDefinitionInput } from "../../shared/workflow-definition.ts";
import { analyzeStep, codeStep, defineTemplate, executeEachSubtask, planStep, reportOutputs, reportStep, verifyStep } from "./parts.ts";
import { pairSubtasksWithResults, verdictSentence } from "./report-code.ts";
import { SEVERITIES, subtaskResultSpec, summaryAndListSpec } from "./specs.ts";

const FINDINGS_SPEC = summaryAndListSpec({
  summary: "The review in one or two sentences.",
  list: "findings",
  listDescription: "One entry per real problem; empty when the code is sound.",
  idPrefix: "f",
  title: "The problem in a few words.",
  description: "What is wrong, why it matters and how to fix it.",
  fields: {
    severity: { type: "string", enum: SEVERITIES, description: "critical for exploitable or data-losing bugs, low for minor risks." },
    line: { type: "integer", description: "The line it is on, 0 when it concerns the code as a whole." },
  },
});

const FIX_SPEC = subtaskResultSpec(
  "done when a fix is proposed, failed when none could be.",
  "The fix: the changed lines or a unified diff, and one sentence on why it works.",
);

/** Flags lines that match well-known risky patterns, numbers the code, and lists what the review must look at. */
const SCAN_CODE = `
const lines = String(input.code).replace(/\\s+$/, "").split("\\n");
const rules = [
  { rule: "dynamic code", severity: "high", pattern: /\\beval\\s*\\(|new\\s+Function\\s*\\(/, why: "runs code built at run time" },
  { rule: "hard-coded secret", severity: "high", pattern: /(password|passwd|secret|api[_-]?key|token)\\w*\\s*[:=]\\s*["'][^"']{4,}["']/i, why: "keeps a secret in the source" },
  { rule: "SQL built from strings", severity: "high", pattern: /\\b(select|insert|update|delete)\\b[^;]*["'\`]\\s*\\+/i, why: "builds SQL by concatenation, open to injection" },
  { rule: "swallowed error", severity: "medium", pattern: /catch\\s*(\\([^)]*\\))?\\s*\\{\\s*\\}|except[^:]*:\\s*pass\\b/, why: "hides failures" },
  { rule: "debug output", severity: "low", pattern: /\\bconsole\\.log\\s*\\(|\\bprint\\s*\\(|System\\.out\\.println|\\bdebugger\\b/, why: "leaves debug output behind" },
  { rule: "unfinished work", severity: "low", pattern: /\\b(TODO|FIXME|HACK|XXX)\\b/, why: "marks unfinished work" },
];
const flags = [];
lines.forEach((text, index) => {
  for (const r of rules) {
    if (r.pattern.test(text)) flags.push({ line: index + 1, rule: r.rule, severity: r.severity, code: text.trim().slice(0, 120), why: r.why });
  }
});
const width = String(lines.length).length;
const numbered = lines.map((text, index) => String(index + 1).padStart(width, " ") + "| " + text).join("\\n");
const points = flags.map((f) => "- Line " + f.line + " (" + f.rule + "): " + f.code + " " + f.why);
// With fewer than two flagged lines, the focus areas are the points to look at.
if (points.length < 2) {
  const areas = String(input.focus).split(/,|;|\\band\\b/).map((a) => a.trim()).filter(Boolean);
  points.unshift(...areas.map((area) => "- Check the " + input.language + " code for " + area + " problems"));
}
return { lines: lines.length, flags, numbered, checklist: points.join("\\n") };
`;

/** Orders the findings by severity (then line), numbers them F1, F2, ..., and writes the brief for planning the fixes. */
const RANK_CODE = `
const weight = { critical: 4, high: 3, medium: 2, low: 1 };
const lineOf = (f) => {
  // A line the title names is what the finding is about, whatever its line field says.
  const named = /\\bline (\\d+)\\b/i.exec(f.title);
  const line = named ? Number(named[1]) : f.line;
  return Number.isInteger(line) && line > 0 && line <= input.lines ? line : 0;
};
// The scan's evidence is a floor: a finding on a line with a hard-coded secret is never low.
const floor = (line) => (input.flags || []).filter((x) => x.line === line).reduce((max, x) => Math.max(max, weight[x.severity]), 0);
const severityOf = (f, line) => {
  const own = weight[f.severity] || weight.medium;
  return Object.keys(weight).find((name) => weight[name] === Math.max(own, floor(line)));
};
const findings = (input.findings || [])
  .map((f) => {
    const line = lineOf(f);
    return { ...f, line, severity: severityOf(f, line) };
  })
  .sort((a, b) => weight[b.severity] - weight[a.severity] || a.line - b.line)
  .slice(0, 12)
  .map((f, index) => ({ ...f, id: "F" + (index + 1) }));
const counts = { critical: 0, high: 0, medium: 0, low: 0 };
for (const f of findings) counts[f.severity] += 1;
const where = (f) => (f.line ? ", line " + f.line : "");
const brief = findings.length
  ? [
      "Plan the fixes for the review of this " + input.language + " code, one sub-task per finding worth fixing:",
      ...findings.map((f) => "- Fix " + f.id + " (" + f.severity + where(f) + "): " + f.title),
      "- Check that the fixed code still does what it did before",
    ].join("\\n")
  : "Confirm that the " + input.language + " code needs no changes.\\n- Re-read the code once more for anything the review missed\\n- Note what makes it sound";
return { findings, counts, brief };
`;

/** Pairs each planned sub-task with its proposed fix and sums the review up, verdict included. */
const REPORT_CODE = `
${pairSubtasksWithResults({ results: "fixes", as: "changes", output: "fix" })}
const c = input.counts;
const total = input.findings.length;
const verdict = input.verdict || {};
const summary = [
  "Reviewed " + input.lines + (input.lines === 1 ? " line" : " lines") + " of " + input.language + " code (focus: " + input.focus + ").",
  total
    ? total + " finding" + (total > 1 ? "s" : "") + ": " + c.critical + " critical, " + c.high + " high, " + c.medium + " medium, " + c.low + " low."
    : "No findings.",
  changes.filter((x) => x.status === "done").length + " of " + changes.length + " planned fixes proposed.",
  ${verdictSentence("fixes")},
].join(" ");
return { summary, changes };
`;

const definition: WorkflowDefinitionInput = {
  name: "Code review",
  description: "Reviews a piece of code for bugs, security and maintainability, ranks the findings, proposes a fix for each and verifies the fixes.",
  inputs: {
    code: { type: "string", description: "The code to review (a file, a function or a diff)." },
    language: { type: "string", description: "The programming language, e.g. TypeScript.", default: "TypeScript" },
    focus: { type: "string", description: "What to look at most, comma-separated.", default: "correctness, security, maintainability" },
  },
  steps: [
    codeStep({
      id: "scan",
      name: "Scan for risky patterns",
      inputs: { code: "{{ input.code }}", language: "{{ input.language }}", focus: "{{ input.focus }}" },
      code: SCAN_CODE,
    }),
    analyzeStep({
      name: "Review the code",
      preset: "code-review",
      system:
        "You are a meticulous senior code reviewer. Review the code in the message for, in order of importance: correctness bugs, " +
        "security issues, data loss, error handling, performance, then readability, giving most weight to the focus it names. " +
        "Check every point it lists. Report each real problem as a finding with its line, why it matters and how to fix it; " +
        "leave out nits a formatter would catch, and return no findings when the code is sound.",
      prompt:
        "Review of {{ input.language }} code ({{ steps.scan.output.lines }} lines), focusing on {{ input.focus }}.\n" +
        "Points to check:\n{{ steps.scan.output.checklist }}\n\n" +
        "The code, with line numbers:\n{{ steps.scan.output.numbered }}",
      json: FINDINGS_SPEC,
    }),
    codeStep({
      id: "rank",
      name: "Rank the findings",
      inputs: {
        findings: "{{ steps.analyze.output.findings }}",
        flags: "{{ steps.scan.output.flags }}",
        lines: "{{ steps.scan.output.lines }}",
        language: "{{ input.language }}",
      },
      code: RANK_CODE,
    }),
    planStep({
      name: "Plan the fixes",
      task: "{{ steps.rank.output.brief }}",
      context: { language: "{{ input.language }}", findings: "{{ steps.rank.output.findings }}" },
    }),
    executeEachSubtask({
      name: "Propose the fixes",
      preset: "fix-suggestion",
      system:
        "You fix findings of a code review. For the sub-task in the message, propose the smallest change to the code that " +
        "carries it out without altering unrelated behaviour, as the changed lines or a unified diff, with one sentence on why it works.",
      prompt:
        "The findings of the review of this {{ input.language }} code:\n{{ steps.rank.output.findings }}\n\n" +
        "The code, with line numbers:\n{{ steps.scan.output.numbered }}",
      json: FIX_SPEC,
    }),
    verifyStep({
      name: "Verify the fixes",
      task: "Check that the proposed fixes resolve the review findings for this {{ input.language }} code without breaking what it does.",
      context: { findings: "{{ steps.rank.output.findings }}" },
    }),
    reportStep({
      inputs: {
        lines: "{{ steps.scan.output.lines }}",
        language: "{{ input.language }}",
        focus: "{{ input.focus }}",
        findings: "{{ steps.rank.output.findings }}",
        counts: "{{ steps.rank.output.counts }}",
      },
      resultsAs: "fixes",
      code: REPORT_CODE,
    }),
  ],
  outputs: reportOutputs({
    findings: "{{ steps.rank.output.findings }}",
    flagged: "{{ steps.scan.output.flags }}",
    changes: "{{ steps.report.output.changes }}",
  }),
};

export const CODE_REVIEW = defineTemplate(
  {
    slug: "code-review",
    description:
      "Reviews a piece of code for bugs, security and maintainability, ranks the findings by severity, proposes a fix for each and verifies the fixes. Needs the code, its language and what to focus on.",
    category: "Code",
  },
  definition,
);
