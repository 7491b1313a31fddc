"use client";
// The fields of each step kind. Agent, LLM, tool, code and HTTP fields are shared by a
// step of that kind, the step a map runs per item, and a compensation.
import { useId } from "react";
import { useQuery } from "@tanstack/react-query";
import { STRATEGIES, STRATEGY_TEXT, TASK_PRESETS, TASK_PRESET_TEXT } from "@/server/shared/llm";
import { SCOPES } from "@/server/shared/rbac";
import { SCOPE_DESCRIPTIONS } from "@/server/shared/scope-labels";
import { MAP_ITEM_KINDS, type MapItemStep, type StepOf } from "@/server/shared/workflow-definition";
import { useTRPC } from "@/components/providers/trpc";
import { useCan, useTeam } from "@/components/shell/shell-context";
import { KIND_META } from "@/components/graph/kinds";
import { SelectField, TextAreaField, TextField } from "@/components/ui/field";
import { newItemStep } from "../definition-edit";
import { CodeField, JsonField, OptionalNumberField, StepListField } from "./fields";

const TEMPLATE_HINT = "Use {{ input.name }} or {{ steps.<id>.output }} to bring in values.";
const BUILT_IN_TOOLS = ["http_fetch", "memory_get", "memory_set", "memory_list"];
const BUILT_IN_AGENTS = ["analyst", "gatekeeper", "executor", "verifier"];

type Patch = Record<string, unknown>;

/** Free text with suggestions (a <datalist>), for names the team may have more of. */
function SuggestField({ label, value, suggestions, onChange, hint, disabled }: { label: string; value: string; suggestions: readonly string[]; onChange: (v: string) => void; hint?: string; disabled?: boolean }) {
  const listId = useId();
  return (
    <>
      <TextField label={label} value={value} onChange={(e) => onChange(e.target.value)} list={listId} hint={hint} spellCheck={false} disabled={disabled} />
      <datalist id={listId}>
        {suggestions.map((s) => (
          <option key={s} value={s} />
        ))}
      </datalist>
    </>
  );
}

function useModelRefs(): string[] {
  const trpc = useTRPC();
  const team = useTeam();
  const allowed = useCan("providers:read");
  const models = useQuery({ ...trpc.gateway.models.queryOptions({ teamId: team.id }), enabled: allowed, staleTime: 60_000 });
  return (models.data ?? []).map((m) => m.ref);
}

function useAgentSlugs(): string[] {
  const trpc = useTRPC();
  const team = useTeam();
  const allowed = useCan("agents:read");
  const agents = useQuery({ ...trpc.agents.list.queryOptions({ teamId: team.id }), enabled: allowed, staleTime: 60_000 });
  return agents.data ? agents.data.map((a) => a.slug) : BUILT_IN_AGENTS;
}

function LlmFields({ step, patch, disabled }: { step: Extract<MapItemStep, { kind: "llm" }>; patch: (p: Patch) => void; disabled?: boolean }) {
  const models = useModelRefs();
  return (
    <>
      <TextAreaField label="Prompt" rows={6} value={step.prompt} onChange={(e) => patch({ prompt: e.target.value })} hint={TEMPLATE_HINT} disabled={disabled} />
      <TextAreaField label="System prompt (optional)" rows={3} value={step.system ?? ""} onChange={(e) => patch({ system: e.target.value || undefined })} disabled={disabled} />
      <SuggestField
        label="Model (optional)"
        value={step.model ?? ""}
        suggestions={models}
        onChange={(v) => patch({ model: v.trim() || undefined })}
        hint="Empty: the workflow's routing, else the team's."
        disabled={disabled}
      />
      <div className="form-grid">
        <SelectField label="Strategy" value={step.strategy ?? ""} onChange={(e) => patch({ strategy: e.target.value || undefined })} disabled={disabled}>
          <option value="">Default</option>
          {STRATEGIES.map((s) => (
            <option key={s} value={s} title={STRATEGY_TEXT[s].description}>
              {STRATEGY_TEXT[s].label}
            </option>
          ))}
        </SelectField>
        <SelectField label="Task preset" value={step.preset ?? ""} onChange={(e) => patch({ preset: e.target.value || undefined })} disabled={disabled}>
          <option value="">None</option>
          {TASK_PRESETS.map((p) => (
            <option key={p} value={p} title={TASK_PRESET_TEXT[p].description}>
              {TASK_PRESET_TEXT[p].label}
            </option>
          ))}
        </SelectField>
      </div>
      <div className="form-grid">
        <OptionalNumberField label="Temperature" value={step.temperature} min={0} max={2} step={0.1} onChange={(v) => patch({ temperature: v })} disabled={disabled} />
        <OptionalNumberField label="Max tokens" value={step.maxTokens} min={1} max={200_000} onChange={(v) => patch({ maxTokens: v })} disabled={disabled} />
      </div>
      <label className="checkbox">
        <input type="checkbox" checked={step.json !== undefined && step.json !== false} onChange={(e) => patch({ json: e.target.checked || undefined })} disabled={disabled} />
        <span>Answer in JSON (the output is an object)</span>
      </label>
    </>
  );
}

function AgentFields({ step, patch, disabled }: { step: Extract<MapItemStep, { kind: "agent" }>; patch: (p: Patch) => void; disabled?: boolean }) {
  const agents = useAgentSlugs();
  return (
    <>
      <SuggestField label="Agent" value={step.agent} suggestions={agents} onChange={(v) => patch({ agent: v.trim() })} hint="The agent's slug (see Agents)." disabled={disabled} />
      <TextAreaField label="Task" rows={5} value={step.task} onChange={(e) => patch({ task: e.target.value })} hint={TEMPLATE_HINT} disabled={disabled} />
      <JsonField label="Context (optional)" value={step.context} expect="object" onChange={(v) => patch({ context: v })} hint="Extra values the agent receives, as a JSON object; values may be templates." disabled={disabled} />
    </>
  );
}

function ToolFields({ step, patch, disabled }: { step: Extract<MapItemStep, { kind: "tool" }>; patch: (p: Patch) => void; disabled?: boolean }) {
  return (
    <>
      <SuggestField label="Tool" value={step.tool} suggestions={BUILT_IN_TOOLS} onChange={(v) => patch({ tool: v.trim() })} hint='A built-in tool, or "<mcp server>.<tool>".' disabled={disabled} />
      <JsonField label="Arguments" value={step.arguments} expect="object" rows={6} onChange={(v) => patch({ arguments: v ?? {} })} hint="A JSON object; values may be templates." disabled={disabled} />
    </>
  );
}

function CodeFields({ step, patch, disabled }: { step: Extract<MapItemStep, { kind: "code" }>; patch: (p: Patch) => void; disabled?: boolean }) {
  return (
    <>
      <CodeField label="Code" value={step.code} onChange={(code) => patch({ code })} hint="The body of a JavaScript function of `input`; what it returns is the step's output. console.log lines become its log." disabled={disabled} />
      <JsonField label="Inputs" value={step.inputs} expect="object" onChange={(v) => patch({ inputs: v ?? {} })} hint='What the code receives as `input`, e.g. { "text": "{{ input.text }}" }.' disabled={disabled} />
      <OptionalNumberField label="Memory limit (MB)" value={step.memoryMb} min={1} max={256} onChange={(v) => patch({ memoryMb: v })} disabled={disabled} />
    </>
  );
}

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"] as const;

function HttpFields({ step, patch, disabled }: { step: Extract<MapItemStep, { kind: "http" }>; patch: (p: Patch) => void; disabled?: boolean }) {
  return (
    <>
      <div className="form-grid" style={{ gridTemplateColumns: "110px 1fr" }}>
        <SelectField label="Method" value={step.method ?? "GET"} onChange={(e) => patch({ method: e.target.value })} disabled={disabled}>
          {METHODS.map((m) => (
            <option key={m}>{m}</option>
          ))}
        </SelectField>
        <TextField label="URL" value={step.url} onChange={(e) => patch({ url: e.target.value })} placeholder="https://…" spellCheck={false} disabled={disabled} />
      </div>
      <JsonField label="Headers (optional)" value={step.headers} expect="object" onChange={(v) => patch({ headers: v })} hint='A JSON object of names to values, e.g. { "Accept": "application/json" }.' disabled={disabled} />
      <JsonField label="Body (optional)" value={step.body} onChange={(v) => patch({ body: v })} hint="Any JSON value (sent as JSON), or a JSON string (sent as text)." disabled={disabled} />
    </>
  );
}

/** The fields of an agent, LLM, tool, code or HTTP step (main, map item or compensation). */
export function ItemStepFields({ step, onChange, disabled }: { step: MapItemStep; onChange: (step: MapItemStep) => void; disabled?: boolean }) {
  const patch = (p: Patch) => onChange({ ...step, ...p } as MapItemStep);
  switch (step.kind) {
    case "llm":
      return <LlmFields step={step} patch={patch} disabled={disabled} />;
    case "agent":
      return <AgentFields step={step} patch={patch} disabled={disabled} />;
    case "tool":
      return <ToolFields step={step} patch={patch} disabled={disabled} />;
    case "code":
      return <CodeFields step={step} patch={patch} disabled={disabled} />;
    case "http":
      return <HttpFields step={step} patch={patch} disabled={disabled} />;
  }
}

/** Picks the kind of a nested step (a map's item step, a compensation); changing it starts that kind afresh. */
export function NestedStepFields({
  label,
  step,
  onChange,
  allowNone = false,
  disabled,
}: {
  label: string;
  step: MapItemStep | undefined;
  onChange: (step: MapItemStep | undefined) => void;
  allowNone?: boolean;
  disabled?: boolean;
}) {
  return (
    <>
      <SelectField
        label={label}
        value={step?.kind ?? ""}
        disabled={disabled}
        onChange={(e) => {
          const kind = e.target.value as MapItemStep["kind"] | "";
          onChange(kind ? newItemStep(kind) : undefined);
        }}
      >
        {allowNone && <option value="">None</option>}
        {MAP_ITEM_KINDS.map((k) => (
          <option key={k} value={k}>
            {KIND_META[k].label}
          </option>
        ))}
      </SelectField>
      {step && <ItemStepFields step={step} onChange={onChange} disabled={disabled} />}
    </>
  );
}

export function ConditionFields({ step, patch, otherSteps, disabled }: { step: StepOf<"condition">; patch: (p: Patch) => void; otherSteps: readonly string[]; disabled?: boolean }) {
  return (
    <>
      <TextField
        label="If"
        value={step.if}
        onChange={(e) => patch({ if: e.target.value })}
        className="mono"
        spellCheck={false}
        hint="A JavaScript expression over input, steps and run, e.g. steps.review.output.score > 7"
        disabled={disabled}
      />
      <StepListField label="Then" value={step.then} options={otherSteps} onChange={(then) => patch({ then, else: step.else.filter((id) => !then.includes(id)) })} hint="Run when the expression is true; skipped otherwise." disabled={disabled} />
      <StepListField label="Else" value={step.else} options={otherSteps} onChange={(otherwise) => patch({ else: otherwise, then: step.then.filter((id) => !otherwise.includes(id)) })} hint="Run when it is false." disabled={disabled} />
    </>
  );
}

export function MapFields({ step, patch, disabled }: { step: StepOf<"map">; patch: (p: Patch) => void; disabled?: boolean }) {
  return (
    <>
      <TextField
        label="Items"
        value={step.items}
        onChange={(e) => patch({ items: e.target.value })}
        className="mono"
        spellCheck={false}
        placeholder="{{ steps.plan.output.items }}"
        hint="A template that yields a list; the item step runs once per item, with {{ item }} and {{ index }}."
        disabled={disabled}
      />
      <OptionalNumberField label="Concurrency" value={step.concurrency} min={1} max={100} onChange={(v) => patch({ concurrency: v ?? 4 })} hint="Items running at the same time." disabled={disabled} />
      <NestedStepFields label="Step for each item" step={step.step} onChange={(item) => item && patch({ step: item })} disabled={disabled} />
    </>
  );
}

export function ApprovalFields({ step, patch, disabled }: { step: StepOf<"approval">; patch: (p: Patch) => void; disabled?: boolean }) {
  return (
    <>
      <TextAreaField label="Message" rows={4} value={step.message} onChange={(e) => patch({ message: e.target.value })} hint={`What the approver reads. ${TEMPLATE_HINT}`} disabled={disabled} />
      <SelectField label="Who may decide" value={step.scope} onChange={(e) => patch({ scope: e.target.value })} hint="Members whose role grants this permission." disabled={disabled}>
        {SCOPES.map((s) => (
          <option key={s} value={s}>
            {s} — {SCOPE_DESCRIPTIONS[s]}
          </option>
        ))}
      </SelectField>
    </>
  );
}
