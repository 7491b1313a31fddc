// Dependency update: each version change is classified as a major, minor or patch bump
// (in code, so it is exact), a model assesses each upgrade (three at a time), the analyst
// plans the updates, a person approves when a major bump is among them, a change is
// drafted per planned sub-task, and the verifier checks the result, sending the plan
// back once when it falls short.
import type { TypeSpec, WorkflowDefinitionInput } from "../../shared/workflow-definition.ts";
import { approvalWhen, codeStep, defineTemplate, executeEachSubtask, planStep, reportOutputs, reportStep, verifyStep } from "./parts.ts";
import { verdictSentence } from "./report-code.ts";
import { LEVELS, subtaskResultSpec } from "./specs.ts";

const BUMPS = ["major", "minor", "patch", "prerelease", "none", "downgrade", "unknown"];

const DEPENDENCY_SPEC: TypeSpec = {
  type: "object",
  properties: { name: { type: "string" }, current: { type: "string" }, latest: { type: "string" }, bump: { type: "string", enum: BUMPS } },
};

const CLASSIFIED_SPEC: TypeSpec = {
  type: "object",
  properties: {
    dependencies: { type: "array", items: DEPENDENCY_SPEC },
    pending: { type: "array", description: "The dependencies that change version.", items: DEPENDENCY_SPEC },
    counts: { type: "object" },
    majors: { type: "string" },
    brief: { type: "string" },
  },
};

const ASSESSMENT_SPEC: TypeSpec = {
  type: "object",
  required: ["summary", "breakingChanges", "risk"],
  properties: {
    summary: { type: "string", description: "What the upgrade brings, in one or two sentences." },
    breakingChanges: { type: "array", items: { type: "string" }, description: "Breaking changes and deprecations callers must act on; empty when there are none." },
    risk: { type: "string", enum: LEVELS, description: "How likely the upgrade is to break the code that uses it." },
  },
};

const CHANGE_SPEC = subtaskResultSpec(
  "done when the change is drafted, failed when it could not be.",
  "The change: the manifest edit and any code changes the upgrade needs, with the commands to run.",
);

/**
 * Compares the versions as semver: the first part that grew names the bump. Before 1.0.0
 * a minor bump counts as major, as caret ranges treat it ("anything may change").
 */
const CLASSIFY_CODE = `
const parse = (version) => {
  const match = /^\\s*[v=^~<>\\s]*(\\d+)(?:\\.(\\d+))?(?:\\.(\\d+))?(-[0-9A-Za-z.-]+)?/.exec(String(version));
  return match ? { parts: [Number(match[1]), Number(match[2] || 0), Number(match[3] || 0)], pre: match[4] || "" } : null;
};
const bumpOf = (current, latest) => {
  const a = parse(current);
  const b = parse(latest);
  if (!a || !b) return "unknown";
  for (let i = 0; i < 3; i++) {
    if (b.parts[i] < a.parts[i]) return "downgrade";
    if (b.parts[i] > a.parts[i]) return i === 0 || (i === 1 && a.parts[0] === 0) ? "major" : i === 1 ? "minor" : "patch";
  }
  if (a.pre === b.pre) return "none";
  return b.pre ? "prerelease" : "patch";
};
const order = { major: 0, minor: 1, patch: 2, prerelease: 3, unknown: 4, downgrade: 5, none: 6 };
const dependencies = (input.dependencies || [])
  .map((d) => ({ name: String(d.name), current: String(d.current), latest: String(d.latest), bump: bumpOf(d.current, d.latest) }))
  .sort((a, b) => order[a.bump] - order[b.bump] || a.name.localeCompare(b.name));
const counts = { major: 0, minor: 0, patch: 0, prerelease: 0, none: 0, downgrade: 0, unknown: 0 };
for (const d of dependencies) counts[d.bump] += 1;
const pending = dependencies.filter((d) => d.bump !== "none");
const brief = [
  "Plan the update of these " + input.ecosystem + " dependencies, one sub-task per dependency, the riskiest first:",
  ...pending.map((d) => "- Update " + d.name + " from " + d.current + " to " + d.latest + " (" + d.bump + ")"),
  "- Run the tests and the build against the updated dependencies",
].join("\\n");
const majors = dependencies.filter((d) => d.bump === "major").map((d) => d.name + " " + d.current + " → " + d.latest);
return { dependencies, pending, counts, majors: majors.join(", "), brief };
`;

/** One line per dependency: its versions, bump class, assessed risk and the drafted change. */
const REPORT_CODE = `
const subtasks = (input.plan && input.plan.subtasks) || [];
const changes = input.changes || [];
const words = (text) => String(text).toLowerCase().split(/[\\s,;:()'"\`]+/);
const mentions = (text, name) => words(text).includes(name.toLowerCase());
const updates = input.dependencies.map((d) => {
  const assessment = (input.assessments || [])[input.pending.findIndex((p) => p.name === d.name)] || {};
  const at = subtasks.findIndex((s) => mentions(s.title, d.name));
  const change = at >= 0 ? changes[at] || {} : {};
  return {
    name: d.name,
    current: d.current,
    latest: d.latest,
    bump: d.bump,
    risk: assessment.risk || "unknown",
    // A model may pad the list with a restatement of the upgrade itself, which is no breaking change.
    breakingChanges: (assessment.breakingChanges || []).filter((c) => !(c.includes(d.current) && c.includes(d.latest))),
    status: d.bump === "none" ? "up to date" : change.status || "not planned",
    change: change.output || "",
  };
});
const c = input.counts;
const verdict = input.verdict || {};
const summary = [
  updates.length
    ? updates.length + " " + input.ecosystem + " dependencies: " + updates.map((u) => u.name + " " + u.current + " → " + u.latest + " (" + u.bump + ")").join(", ") + "."
    : "No dependencies were given.",
  c.major + " major, " + c.minor + " minor, " + c.patch + " patch.",
  input.approval && input.approval.approved ? "The major bumps were approved by a person." : "",
  ${verdictSentence("update")},
].filter(Boolean).join(" ");
return { summary, updates };
`;

const definition: WorkflowDefinitionInput = {
  name: "Dependency update",
  description: "Classifies each dependency's update as a major, minor or patch bump, assesses the upgrades, asks a person before major bumps, drafts the changes and verifies them.",
  inputs: {
    dependencies: { type: "array", description: "The dependencies to update: a list of { name, current, latest } (versions as in the manifest)." },
    ecosystem: { type: "string", description: "The package ecosystem, e.g. npm, PyPI, Maven, Cargo.", default: "npm" },
  },
  steps: [
    codeStep({
      id: "classify",
      name: "Classify the bumps",
      inputs: { dependencies: "{{ input.dependencies }}", ecosystem: "{{ input.ecosystem }}" },
      code: CLASSIFY_CODE,
      output: CLASSIFIED_SPEC,
    }),
    {
      id: "analyze",
      name: "Assess each upgrade",
      kind: "map",
      items: "{{ steps.classify.output.pending }}",
      concurrency: 3,
      step: {
        kind: "llm",
        preset: "issue-analysis",
        system:
          "You assess dependency upgrades. For the upgrade in the message, name the breaking changes and deprecations between the two " +
          "versions that code using the package must act on (usually none for a patch bump), and rate how likely it is to break that code. " +
          "Say so when you do not know the package rather than guessing.",
        prompt: "Upgrading the {{ input.ecosystem }} package {{ item.name }} from {{ item.current }} to {{ item.latest }} is a {{ item.bump }} version bump.",
        json: ASSESSMENT_SPEC,
      },
    },
    planStep({
      name: "Plan the updates",
      task: "{{ steps.classify.output.brief }}",
      context: { dependencies: "{{ steps.classify.output.pending }}", assessments: "{{ steps.analyze.output }}" },
    }),
    ...approvalWhen({
      question: "Any major bump?",
      condition: "steps.classify.output.counts.major > 0",
      name: "Approve major bumps",
      message:
        "These dependencies move to a new major version, which may break the code that uses them: {{ steps.classify.output.majors }}. " +
        "Their assessments are in the step before. Approve to draft the updates.",
    }),
    executeEachSubtask({
      name: "Draft the updates",
      needs: ["approve"],
      preset: "code-generation",
      system:
        "You update dependencies. For the sub-task in the message, write the change: the manifest edit, any code the upgrade " +
        "requires (following the breaking changes in the assessments), and the commands to install and check it.",
      prompt: "The dependencies to update:\n{{ steps.classify.output.pending }}\n\nThe assessments, in the same order:\n{{ steps.analyze.output }}",
      json: CHANGE_SPEC,
    }),
    verifyStep({
      name: "Verify the update",
      task: "Check that the drafted changes update every planned {{ input.ecosystem }} dependency safely, handling the breaking changes of each.",
      context: { dependencies: "{{ steps.classify.output.dependencies }}" },
    }),
    reportStep({
      inputs: {
        ecosystem: "{{ input.ecosystem }}",
        dependencies: "{{ steps.classify.output.dependencies }}",
        pending: "{{ steps.classify.output.pending }}",
        counts: "{{ steps.classify.output.counts }}",
        assessments: "{{ steps.analyze.output }}",
      },
      approval: true,
      resultsAs: "changes",
      code: REPORT_CODE,
    }),
  ],
  outputs: reportOutputs({
    updates: "{{ steps.report.output.updates }}",
    counts: "{{ steps.classify.output.counts }}",
  }),
};

export const DEPENDENCY_UPDATE = defineTemplate(
  {
    slug: "dependency-update",
    description:
      "Classifies each dependency's update as a major, minor or patch bump, assesses the risk of each upgrade, asks a person before any major bump, then drafts and verifies the changes. Needs the list of dependencies with their current and latest versions.",
    category: "Improvement",
  },
  definition,
);
