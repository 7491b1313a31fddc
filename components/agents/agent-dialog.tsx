"use client";
// Create or edit one agent: its role, instructions, model and routing, the tools it may
// call and its limits. Validated with the server's own schemas before sending.
import { useId, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { AGENT_ROLE_NAMES, AGENT_ROLE_TEXT, MAX_AGENT_TURNS, agentCreateInput, agentUpdateInput, type AgentDto, type AgentRoleName } from "@/server/shared/agents";
import { STRATEGIES, STRATEGY_TEXT, type Strategy } from "@/server/shared/llm";
import { useTRPC } from "@/components/providers/trpc";
import { useCan, useTeam } from "@/components/shell/shell-context";
import { toFormError, type FormError } from "@/components/lib/api-error";
import { optionalNumber, zodFormError } from "@/components/lib/form-errors";
import { suggestSlug } from "@/components/admin/teams/slug";
import { Dialog } from "@/components/ui/dialog";
import { SelectField, TextAreaField, TextField } from "@/components/ui/field";
import { Form } from "@/components/ui/form";
import { ToolPicker } from "./tool-picker";
import styles from "./agents.module.css";

const LABELS: Record<string, string> = {
  slug: "Slug",
  name: "Name",
  role: "Role",
  instructions: "Instructions",
  model: "Model",
  strategy: "Strategy",
  tools: "Allowed tools",
  maxTurns: "Max turns",
  maxCostUsd: "Max cost",
};

/** Model ids the gateway can route to, offered as suggestions; any id may still be typed. */
function useModelSuggestions(): string[] {
  const trpc = useTRPC();
  const team = useTeam();
  const canRead = useCan("providers:read");
  const models = useQuery({ ...trpc.gateway.models.queryOptions({ teamId: team.id }), enabled: canRead });
  return [...new Set((models.data ?? []).map((m) => m.ref))];
}

function AgentForm({ agent, onDone }: { agent: AgentDto | null; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const team = useTeam();
  const modelsId = useId();
  const editing = agent !== null;
  const models = useModelSuggestions();

  const [name, setName] = useState(agent?.name ?? "");
  const [slug, setSlug] = useState(agent?.slug ?? "");
  const [slugTouched, setSlugTouched] = useState(editing);
  const [role, setRole] = useState<AgentRoleName>(agent?.role ?? "custom");
  const [instructions, setInstructions] = useState(agent?.instructions ?? "");
  const [model, setModel] = useState(agent?.model ?? "");
  const [strategy, setStrategy] = useState<Strategy | "">(agent?.strategy ?? "");
  const [tools, setTools] = useState<string[]>(agent?.tools ?? []);
  const [maxTurns, setMaxTurns] = useState(String(agent?.maxTurns ?? 8));
  const [maxCost, setMaxCost] = useState(agent?.maxCostUsd === null || agent?.maxCostUsd === undefined ? "" : String(agent.maxCostUsd));
  const [error, setError] = useState<FormError | null>(null);

  const done = async () => {
    await queryClient.invalidateQueries({ queryKey: trpc.agents.pathKey() });
    onDone();
  };
  const onServerError = (e: unknown) => setError(toFormError(e, LABELS));
  const create = useMutation(trpc.agents.create.mutationOptions({ onSuccess: done, onError: onServerError }));
  const update = useMutation(trpc.agents.update.mutationOptions({ onSuccess: done, onError: onServerError }));

  function submit() {
    setError(null);
    const fields = {
      name: name.trim(),
      role,
      instructions,
      model: model.trim() || null,
      strategy: strategy || null,
      tools,
      maxTurns: optionalNumber(maxTurns) ?? 8,
      maxCostUsd: optionalNumber(maxCost) ?? null,
    };
    if (editing) {
      const input = { teamId: team.id, slug: agent.slug, ...fields };
      const parsed = agentUpdateInput.safeParse(input);
      if (!parsed.success) return setError(zodFormError(parsed.error, LABELS));
      update.mutate(input);
    } else {
      const input = { teamId: team.id, slug: slug.trim(), ...fields };
      const parsed = agentCreateInput.safeParse(input);
      if (!parsed.success) return setError(zodFormError(parsed.error, LABELS));
      create.mutate(input);
    }
  }

  return (
    <Form
      id="agent-form"
      onSubmit={submit}
      error={error?.message}
      submitLabel={editing ? "Save changes" : "Create agent"}
      pending={create.isPending || update.isPending}
      noValidate
    >
      <div className="form-grid">
        <TextField
          label="Name"
          required
          maxLength={120}
          value={name}
          onChange={(e) => {
            setName(e.target.value);
            if (!slugTouched) setSlug(suggestSlug(e.target.value));
          }}
          placeholder="Release writer"
          error={error?.fields.name}
          autoComplete="off"
        />
        <TextField
          label="Slug"
          required
          maxLength={48}
          value={slug}
          disabled={editing}
          onChange={(e) => {
            setSlug(e.target.value);
            setSlugTouched(true);
          }}
          className={styles.mono}
          hint={editing ? "Workflows name the agent by it; it cannot change." : "How workflow steps name it (agent: slug)."}
          error={error?.fields.slug}
          autoComplete="off"
          spellCheck={false}
        />
      </div>

      <SelectField label="Role" value={role} onChange={(e) => setRole(e.target.value as AgentRoleName)} hint={AGENT_ROLE_TEXT[role].description} error={error?.fields.role}>
        {AGENT_ROLE_NAMES.map((r) => (
          <option key={r} value={r}>
            {AGENT_ROLE_TEXT[r].label}
          </option>
        ))}
      </SelectField>

      <TextAreaField
        label="Instructions"
        rows={6}
        value={instructions}
        onChange={(e) => setInstructions(e.target.value)}
        placeholder="What this agent should care about, in plain words."
        hint="Added after the role's own guidance in the system prompt."
        error={error?.fields.instructions}
      />

      <div className="form-grid">
        <TextField
          label="Model"
          list={modelsId}
          value={model}
          onChange={(e) => setModel(e.target.value)}
          placeholder="Team routing"
          className={styles.mono}
          hint="A model id or provider/model; empty follows the workflow's or the team's routing."
          error={error?.fields.model}
          autoComplete="off"
          spellCheck={false}
        />
        <datalist id={modelsId}>
          {models.map((ref) => (
            <option key={ref} value={ref} />
          ))}
        </datalist>
        <SelectField
          label="Strategy"
          value={strategy}
          onChange={(e) => setStrategy(e.target.value as Strategy | "")}
          hint={strategy ? STRATEGY_TEXT[strategy].description : "The team's default routing strategy."}
          error={error?.fields.strategy}
        >
          <option value="">Team default</option>
          {STRATEGIES.map((s) => (
            <option key={s} value={s}>
              {STRATEGY_TEXT[s].label}
            </option>
          ))}
        </SelectField>
      </div>

      <ToolPicker value={tools} onChange={setTools} error={error?.fields.tools} />

      <div className="form-grid">
        <TextField
          label="Max turns"
          type="number"
          inputMode="numeric"
          min={1}
          max={MAX_AGENT_TURNS}
          value={maxTurns}
          onChange={(e) => setMaxTurns(e.target.value)}
          hint={`Model calls per task before it gives up (1-${MAX_AGENT_TURNS}).`}
          error={error?.fields.maxTurns}
        />
        <TextField
          label="Max cost (USD)"
          type="number"
          inputMode="decimal"
          min={0}
          step="0.01"
          value={maxCost}
          onChange={(e) => setMaxCost(e.target.value)}
          placeholder="Unlimited"
          hint="Per task; empty is unlimited (the team's budgets still apply)."
          error={error?.fields.maxCostUsd}
        />
      </div>
    </Form>
  );
}

export function AgentDialog({ open, agent, onClose }: { open: boolean; agent: AgentDto | null; onClose: () => void }) {
  const title = agent ? `Edit ${agent.name}` : "New agent";
  const description = agent?.builtIn
    ? agent.overridden
      ? "A built-in agent this team changed. Reset it on the list to bring the defaults back."
      : "A built-in agent. Saving keeps your version for this team; you can reset it to the defaults later."
    : agent
      ? undefined
      : "An agent is a role, a model, instructions and the tools it may call. Workflow steps use it by its slug.";
  return (
    <Dialog open={open} onClose={onClose} size="lg" title={title} description={description}>
      <AgentForm agent={agent} onDone={onClose} />
    </Dialog>
  );
}
