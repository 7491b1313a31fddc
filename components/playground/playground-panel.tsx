"use client";
// Try the gateway from the browser: pick a model (or let a strategy choose), set the
// prompt and parameters, and watch the answer stream in, with what it cost. The
// conversation is kept in the page (multi-turn) until cleared; every call is a real,
// accounted gateway call under the team's budgets.
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { TRPCClientError } from "@trpc/client";
import { chatInput, type CallMetaDto, type RoutableModelDto } from "@/server/shared/gateway";
import { STRATEGIES, STRATEGY_TEXT, TASK_PRESETS, TASK_PRESET_TEXT, type Strategy, type TaskPreset } from "@/server/shared/llm";
import { useTRPC, useTRPCClient } from "@/components/providers/trpc";
import { useCan, useTeam } from "@/components/shell/shell-context";
import { errorMessage } from "@/components/lib/api-error";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { cx } from "@/components/ui/cx";
import { EmptyState } from "@/components/ui/empty-state";
import { SelectField, TextAreaField, TextField, textareaInput } from "@/components/ui/field";
import { Icon } from "@/components/ui/icons";
import lists from "@/components/ui/list.module.css";
import { PageHeader } from "@/components/ui/page-header";
import { formatCompact, formatInt, formatPricePerMillion } from "@/components/lib/units";
import { zodFormError } from "@/components/lib/form-errors";
import { useAuditRefresh } from "@/components/lib/use-audit-refresh";
import { CallDetails, usd6 } from "./call-details";
import styles from "./playground.module.css";

const AUTO = "auto";

interface Turn {
  role: "user" | "assistant";
  content: string;
  meta?: CallMetaDto;
  finishReason?: string | null;
  stopped?: boolean;
  json?: boolean;
}

interface Failure {
  title: string;
  message: string;
  budget: boolean;
}

interface BudgetDetails {
  budget?: { name?: string; period?: string; limitNano?: number; spentNano?: number; reservedNano?: number };
  requestedNano?: number;
}

const nanoUsd = (nano: number | undefined) => `$${((nano ?? 0) / 1e9).toFixed(6)}`;

/** The refusal in words, from the error's details (errors raised mid-stream may arrive with a generic message). */
function budgetMessage(details: BudgetDetails | null | undefined, fallback: string): string {
  const b = details?.budget;
  if (!b?.name) return fallback;
  const left = Math.max(0, (b.limitNano ?? 0) - (b.spentNano ?? 0) - (b.reservedNano ?? 0));
  return `Budget "${b.name}" (${b.period ?? "period"}, limit ${nanoUsd(b.limitNano)}) has ${nanoUsd(left)} left; this call may cost up to ${nanoUsd(details?.requestedNano)}.`;
}

function describeFailure(error: unknown): Failure {
  const data = error instanceof TRPCClientError ? (error.data as { domainCode?: string | null; details?: unknown } | undefined) : undefined;
  const message = errorMessage(error);
  if (data?.domainCode === "BUDGET_EXCEEDED") {
    const named = message.includes("Budget") ? message : budgetMessage(data.details as BudgetDetails | null, message);
    return { title: "Refused by a budget", message: named, budget: true };
  }
  if (data?.domainCode === "RATE_LIMITED") return { title: "Rate limited", message, budget: false };
  return { title: "The call failed", message, budget: false };
}

function modelLabel(m: RoutableModelDto) {
  return m.offline ? "Offline (built-in)" : m.ref;
}

function ModelHint({ model }: { model: RoutableModelDto | undefined }) {
  if (!model) return null;
  if (!model.price) return <span className={styles.priceHint}>Not in the price catalog: calls are recorded at $0.</span>;
  return (
    <span className={styles.priceHint}>
      {formatPricePerMillion(model.price.input)} in · {formatPricePerMillion(model.price.output)} out per 1M tokens
      {model.contextWindow ? ` · ${formatCompact(model.contextWindow)} context` : ""}
      {model.offline ? " · answers locally, no network" : ""}
    </span>
  );
}

export function PlaygroundPanel() {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const team = useTeam();
  const canCall = useCan("gateway:call");
  const routable = useQuery(trpc.gateway.models.queryOptions({ teamId: team.id }));
  const models = routable.data ?? [];
  useAuditRefresh(["provider.", "model."], [trpc.gateway.models.queryKey({ teamId: team.id })]);

  const [model, setModel] = useState(AUTO);
  const [strategy, setStrategy] = useState<Strategy | "">("");
  const [preset, setPreset] = useState<TaskPreset | "">("");
  const [system, setSystem] = useState("");
  const [temperature, setTemperature] = useState("");
  const [maxTokens, setMaxTokens] = useState("");
  const [json, setJson] = useState(false);
  const [useCache, setUseCache] = useState(true);
  const [prompt, setPrompt] = useState("");

  const [turns, setTurns] = useState<Turn[]>([]);
  const [streaming, setStreaming] = useState<string | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [formProblem, setFormProblem] = useState<string | null>(null);
  const controller = useRef<AbortController | null>(null);
  // Bumped by Clear, so a call still finishing does not write into the new conversation.
  const conversation = useRef(0);
  const endRef = useRef<HTMLDivElement>(null);

  // Abort a running call when the page is left.
  useEffect(() => () => controller.current?.abort(), []);
  useEffect(() => {
    if (streaming !== null) endRef.current?.scrollIntoView({ block: "nearest" });
  }, [streaming]);

  const selected = models.find((m) => m.ref === model);
  const lastMeta = [...turns].reverse().find((t) => t.role === "assistant" && t.meta)?.meta;
  const lastFinish = [...turns].reverse().find((t) => t.role === "assistant" && t.meta)?.finishReason ?? null;
  const totalCost = turns.reduce((sum, t) => sum + (t.meta?.costUsd ?? 0), 0);
  const busy = streaming !== null;

  async function send() {
    const content = prompt.trim();
    if (!content || busy) return;
    setFailure(null);
    setFormProblem(null);
    const history = turns.map((t) => ({ role: t.role, content: t.content }));
    const input = {
      teamId: team.id,
      messages: [...history, { role: "user" as const, content }],
      ...(system.trim() ? { system: system.trim() } : {}),
      model,
      ...(strategy ? { strategy } : {}),
      ...(preset ? { preset } : {}),
      ...(temperature.trim() ? { temperature: Number(temperature) } : {}),
      ...(maxTokens.trim() ? { maxTokens: Number(maxTokens) } : {}),
      ...(json ? { responseFormat: "json" as const } : {}),
      cache: useCache,
      operation: "playground",
    };
    const parsed = chatInput.safeParse(input);
    if (!parsed.success) {
      setFormProblem(zodFormError(parsed.error, { temperature: "Temperature", maxTokens: "Max tokens", messages: "The message", system: "The system prompt" }).message);
      return;
    }

    const abort = new AbortController();
    controller.current = abort;
    const id = conversation.current;
    const current = () => conversation.current === id;
    setTurns((t) => [...t, { role: "user", content }]);
    setPrompt("");
    setStreaming("");
    let text = "";
    let meta: CallMetaDto | undefined;
    let finishReason: string | null = null;
    try {
      const stream = await client.gateway.chatStream.mutate(input, { signal: abort.signal });
      for await (const chunk of stream) {
        if (chunk.type === "text") {
          text += chunk.text;
          if (current()) setStreaming(text);
        } else if (chunk.type === "finish") {
          finishReason = chunk.reason;
        } else if (chunk.type === "meta") {
          meta = chunk.meta;
        }
      }
      if (current()) setTurns((t) => [...t, { role: "assistant", content: text, meta, finishReason, json }]);
    } catch (error) {
      if (!current()) return;
      if (abort.signal.aborted) {
        if (text) setTurns((t) => [...t, { role: "assistant", content: text, stopped: true, json }]);
      } else {
        setFailure(describeFailure(error));
        // A refused or failed prompt goes back into the box, so it can be sent again.
        setTurns((t) => (text ? [...t, { role: "assistant", content: text, stopped: true, json }] : t.slice(0, -1)));
        if (!text) setPrompt(content);
      }
    } finally {
      if (controller.current === abort) controller.current = null;
      if (current()) setStreaming(null);
    }
  }

  function clear() {
    conversation.current++;
    controller.current?.abort();
    controller.current = null;
    setStreaming(null);
    setTurns([]);
    setFailure(null);
    setFormProblem(null);
  }

  const lastAssistant = turns.map((t) => t.role).lastIndexOf("assistant");

  return (
    <div className="stack-lg">
      <PageHeader
        title="Playground"
        description="Send prompts through the gateway exactly as workflows and API clients do: routed, cached, costed and held to the team's budgets."
      />
      {!canCall && (
        <Alert tone="info" title="Read-only">
          Your role in {team.name} can look at the models but not call them: calls cost money, so sending needs the <code>gateway:call</code> permission
          (operators and admins).
        </Alert>
      )}

      <div className={styles.layout}>
        <Card title="Settings">
          <fieldset className="fieldset" disabled={!canCall}>
            <div className={styles.settings}>
              <div className="stack" style={{ gap: 4 }}>
                <SelectField label="Model" value={model} onChange={(e) => setModel(e.target.value)} error={routable.isError ? errorMessage(routable.error) : undefined}>
                  <option value={AUTO}>Auto (the strategy chooses)</option>
                  {models.map((m) => (
                    <option key={m.ref} value={m.ref}>
                      {modelLabel(m)}
                    </option>
                  ))}
                </SelectField>
                <ModelHint model={selected} />
              </div>
              <SelectField
                label="Strategy"
                value={strategy}
                onChange={(e) => setStrategy(e.target.value as Strategy | "")}
                hint={model === AUTO ? "How Auto picks a model, and the order of fallbacks." : "Orders the fallbacks if the pinned model fails."}
              >
                <option value="">Team default</option>
                {STRATEGIES.map((s) => (
                  <option key={s} value={s}>
                    {STRATEGY_TEXT[s].label}
                  </option>
                ))}
              </SelectField>
              <SelectField
                label="Preset"
                value={preset}
                onChange={(e) => setPreset(e.target.value as TaskPreset | "")}
                hint={preset ? TASK_PRESET_TEXT[preset].description : "A task preset fills the system prompt and parameters you leave empty."}
              >
                <option value="">None</option>
                {TASK_PRESETS.map((p) => (
                  <option key={p} value={p}>
                    {TASK_PRESET_TEXT[p].label}
                  </option>
                ))}
              </SelectField>
              <TextAreaField
                label="System prompt"
                rows={3}
                placeholder={preset ? "The preset's prompt" : "Optional instructions for the model"}
                value={system}
                onChange={(e) => setSystem(e.target.value)}
              />
              <div className="form-grid" style={{ gridTemplateColumns: "1fr 1fr", gap: 10 }}>
                <TextField
                  label="Temperature"
                  type="number"
                  inputMode="decimal"
                  min={0}
                  max={2}
                  step={0.1}
                  placeholder="Default"
                  value={temperature}
                  onChange={(e) => setTemperature(e.target.value)}
                />
                <TextField
                  label="Max tokens"
                  type="number"
                  inputMode="numeric"
                  min={1}
                  placeholder="Default"
                  value={maxTokens}
                  onChange={(e) => setMaxTokens(e.target.value)}
                />
              </div>
              <div className={styles.toggles}>
                <label className="checkbox">
                  <input type="checkbox" checked={json} onChange={(e) => setJson(e.target.checked)} />
                  JSON mode
                </label>
                <label className="checkbox">
                  <input type="checkbox" checked={useCache} onChange={(e) => setUseCache(e.target.checked)} />
                  Use cache
                </label>
              </div>
            </div>
          </fieldset>
        </Card>

        <div className={styles.conversation}>
          <Card
            title="Conversation"
            actions={
              <>
                {totalCost > 0 && (
                  <span className="faint" style={{ fontSize: 12.5 }} data-testid="playground-total-cost">
                    Total {usd6(totalCost)}
                  </span>
                )}
                <Button size="sm" variant="ghost" onClick={clear} disabled={turns.length === 0 && !busy}>
                  Clear
                </Button>
              </>
            }
          >
            <div className="stack">
              {turns.length === 0 && !busy ? (
                <EmptyState icon="playground" title="Start a conversation">
                  <p>
                    {models.length === 0 && routable.isSuccess
                      ? "No provider is enabled, so the built-in offline model will answer."
                      : "Type a message below. Earlier turns are sent along, so you can follow up."}
                  </p>
                </EmptyState>
              ) : (
                <ol className={cx(lists.column, styles.messages)} aria-label="Messages" aria-live="polite" aria-busy={busy}>
                  {turns.map((t, i) => (
                    <li key={i} className={`${styles.message} ${t.role === "user" ? styles.user : ""}`}>
                      <span className={styles.who}>{t.role === "user" ? "You" : "Assistant"}</span>
                      <div
                        className={`${styles.bubble} ${t.json ? styles.mono : ""}`}
                        data-testid={t.role === "assistant" && i === lastAssistant && !busy ? "playground-answer" : undefined}
                      >
                        {t.content || <span className="faint">(empty answer)</span>}
                      </div>
                      {t.role === "assistant" && (
                        <div className={styles.metaLine}>
                          {t.stopped && <span>Stopped before the end</span>}
                          {t.meta && (
                            <>
                              <span>
                                {t.meta.provider}/{t.meta.model}
                              </span>
                              <span>
                                {formatInt(t.meta.inputTokens)} in · {formatInt(t.meta.outputTokens)} out
                              </span>
                              <span>{usd6(t.meta.costUsd)}</span>
                              {t.meta.cacheHit && <span>cache hit</span>}
                            </>
                          )}
                        </div>
                      )}
                    </li>
                  ))}
                  {busy && (
                    <li className={styles.message}>
                      <span className={styles.who}>Assistant</span>
                      <div className={`${styles.bubble} ${json ? styles.mono : ""}`} data-testid="playground-answer" aria-busy="true">
                        {streaming}
                        <span className={styles.caret} aria-hidden="true" />
                      </div>
                    </li>
                  )}
                </ol>
              )}
              <div ref={endRef} />

              {failure && (
                <Alert title={failure.title}>
                  <span data-testid="playground-error">{failure.message}</span>
                  {failure.budget && (
                    <>
                      {" "}
                      <Link href="/budgets">See budgets</Link>
                    </>
                  )}
                </Alert>
              )}
              {formProblem && <Alert title="Check the settings">{formProblem}</Alert>}

              <form
                className={styles.composer}
                onSubmit={(e) => {
                  e.preventDefault();
                  void send();
                }}
              >
                <label className="visually-hidden" htmlFor="playground-prompt">
                  Message
                </label>
                <textarea
                  id="playground-prompt"
                  className={textareaInput}
                  rows={3}
                  placeholder={canCall ? "Ask something… (Ctrl+Enter to send)" : "Sending needs the gateway:call permission"}
                  value={prompt}
                  disabled={!canCall}
                  onChange={(e) => setPrompt(e.target.value)}
                  onKeyDown={(e) => {
                    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
                      e.preventDefault();
                      void send();
                    }
                  }}
                />
                <div className={styles.composerActions}>
                  {busy ? (
                    <Button variant="danger" onClick={() => controller.current?.abort()}>
                      <Icon name="stop" />
                      Stop
                    </Button>
                  ) : (
                    <Button type="submit" variant="primary" disabled={!canCall || !prompt.trim()}>
                      <Icon name="send" />
                      Send
                    </Button>
                  )}
                  <span className="faint" style={{ fontSize: 12.5 }}>
                    {turns.length > 0 ? `The next message is sent with the ${turns.length} before it.` : "Ctrl+Enter sends."}
                  </span>
                </div>
              </form>
            </div>
          </Card>

          {lastMeta && <CallDetails meta={lastMeta} finishReason={lastFinish} />}
        </div>
      </div>
    </div>
  );
}
