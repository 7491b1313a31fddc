// Security audit: a threat is named for each asset to protect, a model audits the
// target against them, the findings are ranked in code (severity, and whether they
// expose a named asset), the analyst plans the remediation, a person approves when the
// plan holds high-risk work (credentials, production, deletions), a fix is drafted per
// planned sub-task (three at a time), and the verifier checks the fixes, sending the
// plan back once when they fall short.
import type { WorkflowDefinitionInput } from "../../shared/workflow-definition.ts";
import { analyzeStep, approvalWhen, codeStep, defineTemplate, executeEachSubtask, planStep, reportOutputs, reportStep, verifyStep } from "./parts.ts";
import { pairSubtasksWithResults, verdictSentence } from "./report-code.ts";
import { SEVERITIES, subtaskResultSpec, summaryAndListSpec } from "./specs.ts";

const FINDINGS_SPEC = summaryAndListSpec({
  summary: "The security posture in one or two sentences.",
  list: "findings",
  listDescription: "One entry per weakness; empty when none is found.",
  idPrefix: "s",
  title: "The weakness in a few words, naming the asset it exposes.",
  description: "How it could be exploited, what it exposes, and how to remediate it.",
  fields: { severity: { type: "string", enum: SEVERITIES, description: "critical when it is exploitable from outside and exposes an asset." } },
});

const FIX_SPEC = subtaskResultSpec(
  "done when the remediation is drafted, failed when it could not be.",
  "The remediation: the change to make, and how to check that the weakness is gone.",
);

/** One threat per asset to protect, so the audit looks first at what matters to its owner. */
const THREATS_CODE = `
const assets = (input.assets || []).map((a) => String(a).trim()).filter(Boolean);
const threats = assets.map((a) => "- Theft, tampering or loss of " + a + " through " + input.target);
return { assets, threats: threats.join("\\n") || "- Theft, tampering or loss of data through " + input.target };
`;

/** Ranks the findings by severity, a finding that exposes a named asset first among equals, and writes the remediation brief. */
const RANK_CODE = `
const weight = { critical: 4, high: 3, medium: 2, low: 1 };
const findings = (input.findings || [])
  .map((f) => {
    const text = (f.title + " " + f.description).toLowerCase();
    const severity = weight[f.severity] ? f.severity : "medium";
    return { ...f, severity, exposes: input.assets.filter((a) => text.includes(a.toLowerCase())) };
  })
  .sort((a, b) => weight[b.severity] - weight[a.severity] || b.exposes.length - a.exposes.length)
  .slice(0, 12)
  .map((f, index) => ({ ...f, id: "S" + (index + 1) }));
const counts = { critical: 0, high: 0, medium: 0, low: 0 };
for (const f of findings) counts[f.severity] += 1;
const brief = [
  "Plan the remediation of the security audit of " + input.target + ", one sub-task per finding worth fixing, the most severe first:",
  ...findings.map((f) => "- Remediate " + f.id + " (" + f.severity + (f.exposes.length ? "; exposes " + f.exposes.join(", ") : "") + "): " + f.title),
  "- Re-test " + input.target + " to confirm the weaknesses are gone",
].join("\\n");
return { findings, counts, brief };
`;

/** Pairs each planned sub-task with its drafted fix and sums the audit up, verdict included. */
const REPORT_CODE = `
${pairSubtasksWithResults({ results: "fixes", as: "remediation", fields: ["title: s.title", "risk: s.risk"], output: "fix" })}
const c = input.counts;
const exposed = [...new Set(input.findings.flatMap((f) => f.exposes))];
const verdict = input.verdict || {};
const summary = [
  "Security audit of " + input.target + " (scope: " + input.scope + ").",
  input.findings.length + " finding" + (input.findings.length === 1 ? "" : "s") + ": " + c.critical + " critical, " + c.high + " high, " + c.medium + " medium, " + c.low + " low.",
  exposed.length ? "Assets exposed: " + exposed.join(", ") + "." : "No named asset is exposed.",
  input.approval && input.approval.approved ? "High-risk remediation was approved by a person." : "",
  remediation.filter((r) => r.status === "done").length + " of " + remediation.length + " planned fixes drafted.",
  ${verdictSentence("fixes")},
].filter(Boolean).join(" ");
return { summary, remediation };
`;

const definition: WorkflowDefinitionInput = {
  name: "Security audit",
  description: "Audits a system or piece of code for weaknesses that expose the assets you name, ranks them, asks a person before high-risk remediation, drafts the fixes and verifies them.",
  inputs: {
    target: { type: "string", description: "What to audit, in a few words: a service, an API, a component." },
    scope: { type: "string", description: "What the audit covers, with any detail that helps, e.g. authentication and session handling." },
    assets: { type: "array", description: "What must be protected, e.g. [\"user passwords\", \"payment data\"].", default: [] },
  },
  steps: [
    codeStep({ id: "threats", name: "Ask about each asset", inputs: { target: "{{ input.target }}", assets: "{{ input.assets }}" }, code: THREATS_CODE }),
    analyzeStep({
      name: "Audit",
      preset: "code-review",
      system:
        "You are a security auditor. Audit the target in the message within its scope: injection, authentication and sessions, access " +
        "control, secrets, cryptography, configuration, vulnerable dependencies and data exposure. Rule out or confirm each threat it lists. " +
        "Report each weakness with how it could be exploited, the asset it exposes, its severity and how to remediate it; do not report " +
        "weaknesses the evidence does not support.",
      prompt: "Security audit of {{ input.target }}, in scope: {{ input.scope }}.\nThreats to rule out:\n{{ steps.threats.output.threats }}",
      json: FINDINGS_SPEC,
    }),
    codeStep({
      id: "rank",
      name: "Rank the findings",
      inputs: { target: "{{ input.target }}", findings: "{{ steps.analyze.output.findings }}", assets: "{{ steps.threats.output.assets }}" },
      code: RANK_CODE,
    }),
    planStep({
      name: "Plan the remediation",
      task: "{{ steps.rank.output.brief }}",
      context: { scope: "{{ input.scope }}", findings: "{{ steps.rank.output.findings }}" },
    }),
    ...approvalWhen({
      question: "High-risk remediation?",
      condition: 'steps.plan.output.subtasks.some((s) => s.risk === "high")',
      name: "Approve high-risk remediation",
      message:
        "The remediation plan for {{ input.target }} holds high-risk work (credentials, production or deletions). " +
        "{{ steps.plan.output.summary }} Approve to draft the fixes.",
    }),
    executeEachSubtask({
      name: "Draft the fixes",
      needs: ["approve"],
      preset: "fix-suggestion",
      system:
        "You remediate security weaknesses. For the sub-task in the message, write the change that removes the weakness without " +
        "breaking legitimate use, and how to check that it is gone. Never include real secrets; use placeholders.",
      prompt: "The target: {{ input.target }}\nThe findings:\n{{ steps.rank.output.findings }}",
      json: FIX_SPEC,
    }),
    verifyStep({
      name: "Verify the fixes",
      task: "Check that the drafted fixes remove the weaknesses found in {{ input.target }} and protect the named assets, without new risks.",
      context: { assets: "{{ steps.threats.output.assets }}", findings: "{{ steps.rank.output.findings }}" },
    }),
    reportStep({
      inputs: {
        target: "{{ input.target }}",
        scope: "{{ input.scope }}",
        findings: "{{ steps.rank.output.findings }}",
        counts: "{{ steps.rank.output.counts }}",
      },
      approval: true,
      resultsAs: "fixes",
      code: REPORT_CODE,
    }),
  ],
  outputs: reportOutputs({
    findings: "{{ steps.rank.output.findings }}",
    remediation: "{{ steps.report.output.remediation }}",
  }),
};

export const SECURITY_AUDIT = defineTemplate(
  {
    slug: "security-audit",
    description:
      "Audits a service or piece of code for weaknesses that expose the assets you name, ranks them by severity, asks a person before high-risk remediation, then drafts and verifies the fixes. Needs the target, the scope of the audit and the assets to protect.",
    category: "Improvement",
  },
  definition,
);
