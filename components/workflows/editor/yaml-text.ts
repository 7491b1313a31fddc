// The editor's YAML view: the draft as readable YAML (id, name, kind first; the editor's
// position last), and YAML read back into a definition, with syntax and shape problems
// reported as definition issues naming their line or step.
import { parseDocument, stringify } from "yaml";
import { workflowDefinitionSchema, type DefinitionIssue, type StepKind, type WorkflowDefinition } from "@/server/shared/workflow-definition";

const TOP_KEYS = ["schemaVersion", "name", "description", "inputs", "outputs", "routing", "limits", "steps"];
const STEP_HEAD = ["id", "name", "kind", "needs"];
const STEP_TAIL = ["description", "timeoutMs", "retry", "output", "revise", "compensate", "position"];
/** Each kind's own fields in the order one reads them (what it does first, details after). */
const KIND_KEYS: Record<StepKind, string[]> = {
  llm: ["prompt", "system", "model", "strategy", "preset", "json", "temperature", "maxTokens"],
  agent: ["agent", "task", "context"],
  tool: ["tool", "arguments"],
  code: ["code", "inputs", "memoryMb"],
  http: ["method", "url", "headers", "body"],
  condition: ["if", "then", "else"],
  map: ["items", "concurrency", "step"],
  approval: ["message", "scope"],
};

type Plain = Record<string, unknown>;
const isPlain = (value: unknown): value is Plain => typeof value === "object" && value !== null && !Array.isArray(value);

function ordered(source: Plain, head: readonly string[], tail: readonly string[] = []): Plain {
  const keys = Object.keys(source);
  const middle = keys.filter((k) => !head.includes(k) && !tail.includes(k));
  const out: Plain = {};
  for (const key of [...head.filter((k) => k in source), ...middle, ...tail.filter((k) => k in source)]) {
    if (source[key] !== undefined) out[key] = source[key];
  }
  return out;
}

const kindKeys = (step: Plain) => KIND_KEYS[step.kind as StepKind] ?? [];

function orderStep(step: Plain): Plain {
  const out = ordered(step, [...STEP_HEAD, ...kindKeys(step)], STEP_TAIL);
  if (isPlain(out.step)) out.step = ordered(out.step, ["kind", ...kindKeys(out.step)]);
  if (isPlain(out.compensate)) out.compensate = ordered(out.compensate, ["kind", ...kindKeys(out.compensate)]);
  return out;
}

export function definitionToYaml(definition: WorkflowDefinition): string {
  const top = ordered(definition as unknown as Plain, TOP_KEYS);
  if (Array.isArray(top.steps)) top.steps = top.steps.map((s) => (isPlain(s) ? orderStep(s) : s));
  return stringify(top, { lineWidth: 0 });
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === "\n") line++;
  return line;
}

export type YamlResult = { ok: true; definition: WorkflowDefinition } | { ok: false; issues: DefinitionIssue[] };

/** YAML (or JSON) text to a definition of the right shape; deeper checks are the server's validate. */
export function yamlToDefinition(text: string): YamlResult {
  const document = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const error = document.errors[0];
  if (error) return { ok: false, issues: [{ code: "syntax", message: `YAML syntax error at line ${lineOf(text, error.pos[0])}: ${error.message}` }] };
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 100 });
  } catch (failure) {
    return { ok: false, issues: [{ code: "syntax", message: `YAML could not be read: ${failure instanceof Error ? failure.message : String(failure)}` }] };
  }
  const parsed = workflowDefinitionSchema.safeParse(value);
  if (parsed.success) return { ok: true, definition: parsed.data };
  return { ok: false, issues: shapeIssues(value) };
}

/** What the shared schema finds wrong with a definition's shape, each issue naming its step when it can. */
export function shapeIssues(value: unknown): DefinitionIssue[] {
  const parsed = workflowDefinitionSchema.safeParse(value);
  if (parsed.success) return [];
  const steps = isPlain(value) && Array.isArray(value.steps) ? value.steps : [];
  return parsed.error.issues.map((issue): DefinitionIssue => {
    const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
    const step = path[0] === "steps" && typeof path[1] === "number" ? steps[path[1]] : undefined;
    const stepId = isPlain(step) && typeof step.id === "string" ? step.id : undefined;
    const where = path.length ? `${path.join(".")}: ` : "";
    return { code: "schema", message: `${where}${issue.message}`, path, ...(stepId ? { stepId } : {}) };
  });
}
