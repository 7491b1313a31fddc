// Starter workflows offered beside the server's templates when creating a workflow: small,
// runnable without any provider (code, HTTP, the team's default model), each showing one
// part of the format — a map over a list, a condition with an approval, a fetched page.
import type { TemplateDto } from "@/server/shared/runs";
import { workflowDefinitionSchema, type WorkflowDefinitionInput } from "@/server/shared/workflow-definition";

const starter = (slug: string, description: string, definition: WorkflowDefinitionInput): TemplateDto => ({
  slug,
  name: definition.name,
  description,
  category: "Starters",
  definition: workflowDefinitionSchema.parse(definition),
});

const WORD_STATISTICS = starter("word-statistics", "Splits a text into words, measures each word in parallel with a map step, and reports the totals. Code steps only.", {
  name: "Word statistics",
  description: "Counts and measures the words of a text.",
  inputs: { text: { type: "string", description: "Any text", default: "Maestro runs workflows of agents, tools and code" } },
  steps: [
    {
      id: "split",
      name: "Split into words",
      kind: "code",
      inputs: { text: "{{ input.text }}" },
      code: "const words = input.text.split(/\\s+/).filter(Boolean);\nconsole.log(`found ${words.length} words`);\nreturn { words };",
      position: { x: 0, y: 0 },
    },
    {
      id: "measure",
      name: "Measure each word",
      kind: "map",
      items: "{{ steps.split.output.words }}",
      concurrency: 4,
      step: { kind: "code", inputs: { word: "{{ item }}" }, code: "return { word: input.word, length: input.word.length };" },
      position: { x: 250, y: 0 },
    },
    {
      id: "report",
      name: "Report",
      kind: "code",
      inputs: { measured: "{{ steps.measure.output }}" },
      code:
        "const total = input.measured.reduce((sum, w) => sum + w.length, 0);\n" +
        "const longest = input.measured.reduce((a, b) => (b.length > a.length ? b : a), { word: '', length: 0 });\n" +
        "return { words: input.measured.length, letters: total, longest: longest.word };",
      position: { x: 500, y: 0 },
    },
  ],
  outputs: { report: "{{ steps.report.output }}" },
});

const TRIAGE = starter("triage-with-approval", "Scores an incoming issue; urgent ones wait for a person's approval before escalating, the rest are filed. Shows a condition with then/else branches.", {
  name: "Triage with approval",
  description: "Escalates urgent issues after an approval; files the others.",
  inputs: {
    title: { type: "string", description: "The issue's title" },
    severity: { type: "integer", description: "1 (low) to 4 (critical)", default: 2 },
  },
  steps: [
    {
      id: "classify",
      name: "Classify",
      kind: "code",
      inputs: { title: "{{ input.title }}", severity: "{{ input.severity }}" },
      code: "const urgent = input.severity >= 3;\nreturn { urgent, label: urgent ? 'urgent' : 'routine', title: input.title };",
      position: { x: 0, y: 0 },
    },
    { id: "urgent", name: "Urgent?", kind: "condition", if: "steps.classify.output.urgent === true", then: ["approve"], else: ["file"], position: { x: 250, y: 0 } },
    {
      id: "approve",
      name: "Approve escalation",
      kind: "approval",
      message: "Escalate “{{ input.title }}” (severity {{ input.severity }}) to the on-call team?",
      scope: "workflows:run",
      position: { x: 500, y: -80 },
    },
    {
      id: "escalate",
      name: "Escalate",
      kind: "code",
      needs: ["approve"],
      inputs: { issue: "{{ steps.classify.output }}", decision: "{{ steps.approve.output }}" },
      code: "return { escalated: input.decision.approved, by: input.decision.by, issue: input.issue.title };",
      position: { x: 750, y: -80 },
    },
    {
      id: "file",
      name: "File for later",
      kind: "code",
      inputs: { issue: "{{ steps.classify.output }}" },
      code: "return { filed: true, label: input.issue.label, issue: input.issue.title };",
      position: { x: 500, y: 80 },
    },
  ],
});

const SUMMARISE_PAGE = starter("summarise-a-page", "Fetches a web page over HTTP and asks the team's default model for a three-point summary.", {
  name: "Summarise a web page",
  description: "Fetches a page and summarises it with a model.",
  inputs: { url: { type: "string", description: "The page's address (https://…)" } },
  steps: [
    { id: "fetch", name: "Fetch the page", kind: "http", method: "GET", url: "{{ input.url }}", timeoutMs: 20_000, retry: { attempts: 3, backoff: "exponential", delayMs: 1000, maxDelayMs: 10_000 }, position: { x: 0, y: 0 } },
    {
      id: "summarise",
      name: "Summarise",
      kind: "llm",
      system: "You summarise web pages for busy readers.",
      prompt: "Summarise this page in three short bullet points.\n\n{{ steps.fetch.output.body }}",
      maxTokens: 400,
      position: { x: 250, y: 0 },
    },
  ],
  outputs: { summary: "{{ steps.summarise.output }}", status: "{{ steps.fetch.output.status }}" },
});

export const STARTERS: readonly TemplateDto[] = [WORD_STATISTICS, TRIAGE, SUMMARISE_PAGE];
