// Security audit: a threat is named for each asset to protect, a model audits the
// target against them, the findings are ranked in code (severity, and whether they
// expose a named asset), the analyst plans the remediation, a person approves when the
// plan holds high-risk work (credentials, production, deletions), a fix is drafted per
// planned sub-task (three at a time), and the verifier checks the fixes, sending the
// plan back once when they fall short.
import type { TemplateDto } from "../../shared/runs.ts";
import { workflowDefinitionSchema, type TypeSpec, type WorkflowDefinitionInput } from "../../shared/workflow-definition.ts";
import { PLAN_SPEC, VERDICT_SPEC } from "../agents/index.ts";

const SEVERITIES = ["low", "medium", "high", "critical"];

const FINDINGS_SPEC: TypeSpec = {
  type: "object",
  required: ["summary", "findings"],
  properties: {
    summary: { type: "string", description: "The security posture in one or two sentences." },
    findings: {
      type: "array",
      description: "One entry per weakness; empty when none is found.",
      items: {
        type: "object",
        required: ["id", "title", "description", "severity"],
        properties: {
          id: { type: "string", description: "A short id: s1, s2, ..." },
          title: { type: "string", description: "The weakness in a few words, naming the asset it exposes." },
          description: { type: "string", description: "How it could be exploited, what it exposes, and how to remediate it." },
          severity: { type: "string", enum: SEVERITIES, description: "critical when it is exploitable from outside and exposes an asset." },
        },
      },
    },
  },
};

const FIX_SPEC: TypeSpec = {
  type: "object",
  required: ["status", "output"],
  properties: {
    status: { type: "string", enum: ["done", "failed", "skipped"], description: "done when the remediation is drafted, failed when it could not be." },
    output: { type: "string", description: "The remediation: the change to make, and how to check that the weakness is gone." },
  },
};

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
const subtasks = (input.plan && input.plan.subtasks) || [];
const fixes = input.fixes || [];
const remediation = subtasks.map((s, index) => ({
  subtaskId: s.id,
  title: s.title,
  risk: s.risk,
  status: (fixes[index] && fixes[index].status) || "skipped",
  fix: (fixes[index] && fixes[index].output) || "",
}));
const c = input.counts;
const exposed = [...new Set(input.findings.flatMap((f) => f.exposes))];
const verdict = input.verdict || {};
const summary = [
  "Security audit of " + input.target + " (scope: " + input.scope + ").",
  input.findings.length + " finding" + (input.findings.length === 1 ? "" : "s") + ": " + c.critical + " critical, " + c.high + " high, " + c.medium + " medium, " + c.low + " low.",
  exposed.length ? "Assets exposed: " + exposed.join(", ") + "." : "No named asset is exposed.",
  input.approval && input.approval.approved ? "High-risk remediation was approved by a person." : "",
  remediation.filter((r) => r.status === "done").length + " of " + remediation.length + " planned fixes drafted.",
  verdict.passed ? "The verifier passed the fixes." : "The verifier did not pass the fixes: " + (verdict.reasons || []).join(" "),
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
    {
      id: "threats",
      name: "Ask about each asset",
      kind: "code",
      inputs: { target: "{{ input.target }}", assets: "{{ input.assets }}" },
      code: THREATS_CODE,
    },
    {
      id: "analyze",
      name: "Audit",
      kind: "llm",
      preset: "code-review",
      system:
        "You are a security auditor. Audit the target in the message within its scope: injection, authentication and sessions, access " +
        "control, secrets, cryptography, configuration, vulnerable dependencies and data exposure. Rule out or confirm each threat it lists. " +
        "Report each weakness with how it could be exploited, the asset it exposes, its severity and how to remediate it; do not report " +
        "weaknesses the evidence does not support.",
      prompt: "Security audit of {{ input.target }}, in scope: {{ input.scope }}.\nThreats to rule out:\n{{ steps.threats.output.threats }}",
      json: FINDINGS_SPEC,
      retry: { attempts: 3, backoff: "exponential", delayMs: 2000, maxDelayMs: 60_000 },
    },
    {
      id: "rank",
      name: "Rank the findings",
      kind: "code",
      inputs: { target: "{{ input.target }}", findings: "{{ steps.analyze.output.findings }}", assets: "{{ steps.threats.output.assets }}" },
      code: RANK_CODE,
    },
    {
      id: "plan",
      name: "Plan the remediation",
      kind: "agent",
      agent: "analyst",
      task: "{{ steps.rank.output.brief }}",
      // In a revision round this is the verdict that sent the plan back.
      context: { scope: "{{ input.scope }}", findings: "{{ steps.rank.output.findings }}", feedback: "{{ run.feedback }}" },
      output: PLAN_SPEC,
    },
    {
      id: "risky",
      name: "High-risk remediation?",
      kind: "condition",
      if: 'steps.plan.output.subtasks.some((s) => s.risk === "high")',
      then: ["approve"],
    },
    {
      id: "approve",
      name: "Approve high-risk remediation",
      kind: "approval",
      scope: "workflows:run",
      message:
        "The remediation plan for {{ input.target }} holds high-risk work (credentials, production or deletions). " +
        "{{ steps.plan.output.summary }} Approve to draft the fixes.",
    },
    {
      id: "execute",
      name: "Draft the fixes",
      kind: "map",
      needs: ["approve"],
      items: "{{ steps.plan.output.subtasks }}",
      concurrency: 3,
      step: {
        kind: "llm",
        preset: "fix-suggestion",
        system:
          "You remediate security weaknesses. For the sub-task in the message, write the change that removes the weakness without " +
          "breaking legitimate use, and how to check that it is gone. Never include real secrets; use placeholders.",
        prompt: "{{ item.title }}.\n{{ item.description }}\n\nThe target: {{ input.target }}\nThe findings:\n{{ steps.rank.output.findings }}",
        json: FIX_SPEC,
      },
    },
    {
      id: "verify",
      name: "Verify the fixes",
      kind: "agent",
      agent: "verifier",
      task: "Check that the drafted fixes remove the weaknesses found in {{ input.target }} and protect the named assets, without new risks.",
      context: { assets: "{{ steps.threats.output.assets }}", findings: "{{ steps.rank.output.findings }}", plan: "{{ steps.plan.output }}", results: "{{ steps.execute.output }}" },
      output: VERDICT_SPEC,
      revise: { from: "plan", if: "steps.verify.output.passed !== true", max: 1 },
    },
    {
      id: "report",
      name: "Write the report",
      kind: "code",
      inputs: {
        target: "{{ input.target }}",
        scope: "{{ input.scope }}",
        findings: "{{ steps.rank.output.findings }}",
        counts: "{{ steps.rank.output.counts }}",
        plan: "{{ steps.plan.output }}",
        approval: "{{ steps.approve.output }}",
        fixes: "{{ steps.execute.output }}",
        verdict: "{{ steps.verify.output }}",
      },
      code: REPORT_CODE,
    },
  ],
  outputs: {
    summary: "{{ steps.report.output.summary }}",
    findings: "{{ steps.rank.output.findings }}",
    remediation: "{{ steps.report.output.remediation }}",
    verdict: "{{ steps.verify.output }}",
  },
};

export const SECURITY_AUDIT: TemplateDto = {
  slug: "security-audit",
  name: "Security audit",
  description:
    "Audits a service or piece of code for weaknesses that expose the assets you name, ranks them by severity, asks a person before high-risk remediation, then drafts and verifies the fixes. Needs the target, the scope of the audit and the assets to protect.",
  category: "Improvement",
  definition: workflowDefinitionSchema.parse(definition),
};
