// Documentation: what the source defines (functions, classes, routes, headings) is listed
// in code, a model works out the topics the audience needs, an outline is settled in code
// (an overview first, then the topics), the analyst plans the sections, each section is
// written (three at a time), the verifier checks the result against the source, sending
// the plan back once when it falls short, and the sections are put together as one document.
import type { WorkflowDefinitionInput } from "../../shared/workflow-definition.ts";
import { analyzeStep, codeStep, defineTemplate, executeEachSubtask, planStep, reportOutputs, reportStep, verifyStep } from "./parts.ts";
import { pairSubtasksWithResults, verdictSentence } from "./report-code.ts";
import { subtaskResultSpec, summaryAndListSpec } from "./specs.ts";

const TOPICS_SPEC = summaryAndListSpec({
  summary: "What the subject is and does, in one or two sentences.",
  list: "topics",
  listDescription: "What the audience needs to know, one entry per section-sized topic, in reading order.",
  idPrefix: "d",
  title: "The topic, as a section heading.",
  description: "What the section must explain, and from which part of the source.",
});

const SECTION_SPEC = subtaskResultSpec(
  "done when the section is written, failed when the source does not say enough.",
  "The section in Markdown, without its heading, with short examples where they help.",
);

/** Lists what the source defines, by line: functions, classes, exported values, HTTP routes and Markdown headings (or its sentences, for prose). */
const INVENTORY_CODE = `
const patterns = [
  ["function", /^\\s*(?:export\\s+)?(?:default\\s+)?(?:async\\s+)?function\\s*\\*?\\s*(\\w+)\\s*(\\([^)]*\\))?/],
  ["class", /^\\s*(?:export\\s+)?(?:default\\s+)?(?:abstract\\s+)?class\\s+(\\w+)/],
  ["function", /^\\s*(?:async\\s+)?def\\s+([A-Za-z]\\w*)\\s*(\\([^)]*\\))?/],
  ["function", /^\\s*func\\s+(?:\\([^)]*\\)\\s*)?([A-Z]\\w*)\\s*(\\([^)]*\\))?/],
  ["value", /^\\s*export\\s+(?:const|let|var)\\s+(\\w+)/],
  ["route", /\\b(?:app|router|server)\\.(?:get|post|put|patch|delete)\\s*\\(\\s*["'\`]([^"'\`]+)/],
  ["heading", /^#{1,3}\\s+(.+)/],
];
const items = [];
String(input.source).split("\\n").forEach((text, index) => {
  for (const [kind, pattern] of patterns) {
    const match = pattern.exec(text);
    if (match) {
      items.push({ kind, name: match[1].trim(), signature: (match[2] || "").replace(/\\s+/g, " "), line: index + 1 });
      break;
    }
  }
});
// Prose names nothing: then its sentences are what it covers.
const sentences = String(input.source).split(/(?<=[.!?])\\s+|\\n+/).map((t) => t.trim().replace(/[.!?]+$/, "")).filter(Boolean);
const points = items.length ? items.slice(0, 30).map((i) => i.kind + " " + i.name + i.signature) : sentences.slice(0, 12).map((t) => t.slice(0, 120));
return { items, count: items.length, list: points.map((p) => "- " + p).join("\\n") || "- The source is empty" };
`;

/** An overview first, then the topics in the model's order (duplicates and overviews dropped), and the brief for planning. */
const OUTLINE_CODE = `
const seen = new Set(["overview"]);
const sections = [{ title: "Overview", description: "What " + input.subject + " is, what it is for and when to use it." }];
for (const t of input.topics || []) {
  const key = String(t.title).trim().toLowerCase();
  if (!key || seen.has(key)) continue;
  seen.add(key);
  sections.push({ title: String(t.title).trim(), description: String(t.description || "") });
}
const kept = sections.slice(0, 10);
const brief = [
  "Plan the documentation of " + input.subject + " for " + input.audience + ", one sub-task per section, in reading order:",
  ...kept.map((s) => '- Write the section "' + s.title + '"'),
].join("\\n");
return { sections: kept, brief };
`;

/** Puts the written sections together under their headings, as one Markdown document. */
const REPORT_CODE = `
const headingOf = (title) => {
  const quoted = /"([^"]+)"/.exec(title);
  return quoted ? quoted[1] : title.replace(/^write (the )?(section )?/i, "");
};
${pairSubtasksWithResults({ results: "written", as: "sections", fields: ["heading: headingOf(s.title)"], output: "content" })}
const title = input.subject.charAt(0).toUpperCase() + input.subject.slice(1);
const document = ["# " + title, "", "_For " + input.audience + "._", ""]
  .concat(...sections.map((s) => ["## " + s.heading, "", s.content || "_Not written._", ""]))
  .join("\\n");
const verdict = input.verdict || {};
const summary = [
  "Documentation of " + input.subject + " for " + input.audience + ": " + sections.length + " sections (" + sections.map((s) => s.heading).join(", ") + ").",
  input.defined + " named item" + (input.defined === 1 ? "" : "s") + " found in the source.",
  sections.filter((s) => s.status === "done").length + " of " + sections.length + " sections written.",
  ${verdictSentence("document")},
].join(" ");
return { summary, document, sections };
`;

const definition: WorkflowDefinitionInput = {
  name: "Documentation",
  description: "Writes documentation for a subject from its source (code or notes) for the audience you name: topics, outline, one section each, verified against the source.",
  inputs: {
    subject: { type: "string", description: "What to document, e.g. the billing module or the public REST API." },
    audience: { type: "string", description: "Who will read it.", default: "developers new to the project" },
    source: { type: "string", description: "The code or notes to document from." },
  },
  steps: [
    codeStep({ id: "inventory", name: "List what the source defines", inputs: { source: "{{ input.source }}" }, code: INVENTORY_CODE }),
    analyzeStep({
      name: "Find the topics",
      preset: "code-explanation",
      system:
        "You plan documentation. From the subject, audience and source in the message, work out what that audience needs to know: " +
        "the topics, in reading order, each the size of one section, saying which part of the source it explains. " +
        "Use only what the source shows; do not invent behaviour.",
      prompt:
        "Documentation of {{ input.subject }} for {{ input.audience }}.\nWhat the source covers:\n{{ steps.inventory.output.list }}\n\n" +
        "The source:\n{{ input.source }}",
      json: TOPICS_SPEC,
    }),
    codeStep({
      id: "outline",
      name: "Settle the outline",
      inputs: { subject: "{{ input.subject }}", audience: "{{ input.audience }}", topics: "{{ steps.analyze.output.topics }}" },
      code: OUTLINE_CODE,
    }),
    planStep({ name: "Plan the sections", task: "{{ steps.outline.output.brief }}", context: { sections: "{{ steps.outline.output.sections }}" } }),
    executeEachSubtask({
      name: "Write the sections",
      preset: "code-explanation",
      system:
        "You write documentation. Write the section named in the message for its audience, in Markdown without the heading: " +
        "accurate to the source, concise, with a short example where it helps. Do not describe behaviour the source does not show.",
      prompt:
        "The documentation of {{ input.subject }} is for {{ input.audience }}. The outline:\n{{ steps.outline.output.sections }}\n\n" +
        "The source:\n{{ input.source }}",
      json: SECTION_SPEC,
    }),
    verifyStep({
      name: "Verify the document",
      task: "Check that the written sections document {{ input.subject }} accurately for {{ input.audience }}, covering the outline and nothing the source does not show.",
      context: { outline: "{{ steps.outline.output.sections }}" },
    }),
    reportStep({
      name: "Put the document together",
      inputs: { subject: "{{ input.subject }}", audience: "{{ input.audience }}", defined: "{{ steps.inventory.output.count }}" },
      resultsAs: "written",
      code: REPORT_CODE,
    }),
  ],
  outputs: reportOutputs({
    document: "{{ steps.report.output.document }}",
    sections: "{{ steps.report.output.sections }}",
  }),
};

export const DOCUMENTATION = defineTemplate(
  {
    slug: "documentation",
    description:
      "Writes documentation for a module, API or tool from its code or notes, for the audience you name: it finds the topics, outlines them, writes a section for each and checks them against the source. Needs the subject, the audience and the source.",
    category: "Improvement",
  },
  definition,
);
