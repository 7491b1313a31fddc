"use client";
// Below the graph: the run's timeline (live), the agents' conversation, the shared memory,
// and the run's input and output.
import { useEffect, useRef, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import type { AgentMessageDto, RunDto, RunEventDto } from "@/server/shared/runs";
import { useTRPC } from "@/components/providers/trpc";
import { useTeam } from "@/components/shell/shell-context";
import { errorMessage } from "@/components/lib/api-error";
import { formatInt, formatUsd } from "@/components/lib/units";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Time } from "@/components/ui/time";
import { JsonView } from "./json-view";
import { describeEvent, formatDuration, stepIdOfKey } from "./run-model";
import { Tabs } from "./tabs";
import { EVENTS_LIMIT } from "./constants";
import styles from "./runs.module.css";

type TabId = "timeline" | "conversation" | "memory" | "io";

const EVENT_LABELS: Record<RunEventDto["type"], string> = {
  "run.status": "run",
  "step.status": "step",
  "step.log": "log",
  "agent.message": "message",
  "tool.call": "tool",
  memory: "memory",
  usage: "usage",
};

function Timeline({ run, onSelectStep }: { run: RunDto; onSelectStep: (id: string) => void }) {
  const trpc = useTRPC();
  const team = useTeam();
  const events = useQuery(trpc.runs.events.queryOptions({ teamId: team.id, runId: run.id, limit: EVENTS_LIMIT }));
  const list = useRef<HTMLOListElement>(null);
  const following = useRef(true);
  const count = events.data?.length ?? 0;
  // New events scroll into view while the reader is at the end of the list.
  useEffect(() => {
    if (following.current && list.current) list.current.scrollTop = list.current.scrollHeight;
  }, [count]);
  if (events.isPending) return <p className="muted">Loading the timeline…</p>;
  if (events.isError) return <Alert>The timeline could not be loaded: {errorMessage(events.error)}</Alert>;
  if (events.data.length === 0) return <p className="muted">No events yet. They appear here as the run goes.</p>;
  const start = Date.parse(run.createdAt);
  return (
    <ol
      ref={list}
      className={styles.timeline}
      aria-live="polite"
      data-testid="run-timeline"
      onScroll={(e) => {
        const el = e.currentTarget;
        following.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
      }}
    >
      {events.data.map((event) => (
        <li key={event.id} data-type={event.type}>
          <span className={styles.timelineTime}>
            +{formatDuration(Math.max(0, Date.parse(event.at) - start))}
          </span>
          <span className={styles.timelineType}>{EVENT_LABELS[event.type]}</span>
          <span className={styles.timelineText}>
            {describeEvent(event)}
            {event.stepKey && (
              <>
                {" "}
                <button type="button" className="link-button" onClick={() => onSelectStep(stepIdOfKey(event.stepKey!))} aria-label={`Show step ${event.stepKey}`}>
                  show
                </button>
              </>
            )}
          </span>
        </li>
      ))}
    </ol>
  );
}

function MessageContent({ message }: { message: AgentMessageDto }) {
  if (typeof message.content === "string") return <div className={styles.bubble}>{message.content}</div>;
  return <JsonView value={message.content} label={`${message.kind} content`} openDepth={1} />;
}

function Conversation({ run }: { run: RunDto }) {
  const trpc = useTRPC();
  const team = useTeam();
  const messages = useQuery(trpc.runs.messages.queryOptions({ teamId: team.id, runId: run.id }));
  if (messages.isPending) return <p className="muted">Loading the conversation…</p>;
  if (messages.isError) return <Alert>The conversation could not be loaded: {errorMessage(messages.error)}</Alert>;
  if (messages.data.length === 0) return <p className="muted">No agent messages in this run. Agent steps record who asked whom what here: tasks, plans, reviews, tool calls and verdicts.</p>;
  return (
    <ol className={styles.messages}>
      {messages.data.map((m) => (
        <li key={m.id} className={styles.message}>
          <div className={styles.messageHead}>
            <strong>{m.from}</strong> <span aria-label="to">→</span> <strong>{m.to}</strong>
            <Badge tone="accent">{m.kind}</Badge>
            {m.stepKey && <code className="faint">{m.stepKey}</code>}
            <span className="spacer" />
            {(m.inputTokens > 0 || m.outputTokens > 0) && (
              <span className="cell-sub">
                {formatInt(m.inputTokens)} + {formatInt(m.outputTokens)} tokens · {formatUsd(m.costUsd)}
              </span>
            )}
            <span className="cell-sub">
              <Time iso={m.at} relative />
            </span>
          </div>
          <MessageContent message={m} />
        </li>
      ))}
    </ol>
  );
}

function Memory({ run }: { run: RunDto }) {
  const trpc = useTRPC();
  const team = useTeam();
  const memory = useQuery(trpc.runs.memory.queryOptions({ teamId: team.id, runId: run.id }));
  if (memory.isPending) return <p className="muted">Loading the memory…</p>;
  if (memory.isError) return <Alert>The memory could not be loaded: {errorMessage(memory.error)}</Alert>;
  if (memory.data.length === 0) return <p className="muted">Nothing in this run’s memory. Steps share values through the memory_set and memory_get tools.</p>;
  return (
    <ul className={styles.memory}>
      {memory.data.map((entry) => (
        <li key={entry.key}>
          <div className={styles.messageHead}>
            <code>{entry.key}</code>
            <span className="cell-sub">written by {entry.writtenBy}</span>
            <span className="spacer" />
            <span className="cell-sub">
              <Time iso={entry.updatedAt} relative />
            </span>
          </div>
          <JsonView value={entry.value} label={`Memory ${entry.key}`} openDepth={1} />
        </li>
      ))}
    </ul>
  );
}

function InputOutput({ run }: { run: RunDto }) {
  return (
    <div className={styles.ioGrid}>
      <JsonView value={run.input} label="Run input" testId="run-input" />
      {run.error && (
        <Alert title={`The run ended with an error${run.error.code ? ` (${run.error.code})` : ""}`}>
          {run.error.message}
          {run.error.stepKey && (
            <>
              {" "}
              (step <code>{run.error.stepKey}</code>)
            </>
          )}
        </Alert>
      )}
      {run.output !== null && run.output !== undefined ? <JsonView value={run.output} label="Run output" testId="run-output" /> : <p className="muted">No output yet: it is set when the run succeeds.</p>}
    </div>
  );
}

export function RunTabs({ run, onSelectStep }: { run: RunDto; onSelectStep: (id: string) => void }) {
  const [tab, setTab] = useState<TabId>("timeline");
  return (
    <Tabs
      label="Run details"
      active={tab}
      onChange={setTab}
      tabs={[
        { id: "timeline", label: "Timeline" },
        { id: "conversation", label: "Agent conversation" },
        { id: "memory", label: "Memory" },
        { id: "io", label: "Input and output" },
      ]}
    >
      {tab === "timeline" && <Timeline run={run} onSelectStep={onSelectStep} />}
      {tab === "conversation" && <Conversation run={run} />}
      {tab === "memory" && <Memory run={run} />}
      {tab === "io" && <InputOutput run={run} />}
    </Tabs>
  );
}
