"use client";
// The workflow editor: a canvas of the steps with a palette and a panel for the selected
// step (or the workflow's settings), a YAML view of the same draft, live validation that
// marks faulty steps, saving versions, the version history, export and Run.
import Link from "next/link";
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from "react";
import { useQuery } from "@tanstack/react-query";
import { ReactFlowProvider, useReactFlow } from "@xyflow/react";
import type { WorkflowDto } from "@/server/shared/runs";
import type { StepKind, WorkflowDefinition } from "@/server/shared/workflow-definition";
import { useTRPC } from "@/components/providers/trpc";
import { useCan, useTeam } from "@/components/shell/shell-context";
import { errorMessage } from "@/components/lib/api-error";
import { GraphLegend } from "@/components/graph/legend";
import { autoPositions } from "@/components/graph/flow-model";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button, LinkButton } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { Icon } from "@/components/ui/icons";
import { Menu } from "@/components/ui/menu";
import { Spinner } from "@/components/ui/spinner";
import { formatLocal, formatUtc } from "@/components/lib/format";
import { useHydrated } from "@/components/ui/time";
import { addStep, canonicalJson, freeSpot, newStep, nextStepId, removeSteps, renameStep, replaceStep, withPositions } from "../definition-edit";
import { IssuesList } from "../issues-list";
import { RunDialog, type RunTarget } from "../run-dialog";
import { useExportWorkflow } from "../use-export";
import { EditorCanvas } from "./editor-canvas";
import { Palette, STEP_KIND_MIME } from "./palette";
import { SaveDialog } from "./save-dialog";
import { SettingsPanel } from "./settings-panel";
import { StepPanel } from "./step-panel";
import { useDraftValidation } from "./use-validation";
import { YamlView } from "./yaml-view";
import styles from "./editor.module.css";

type View = "graph" | "yaml";

function ValidationChip({ pending, count, error, onClick }: { pending: boolean; count: number; error: unknown; onClick: () => void }) {
  if (error) return <Badge tone="warning" title={errorMessage(error)}>Not checked</Badge>;
  if (pending)
    return (
      <span className={styles.checking} role="status">
        <Spinner /> Checking…
      </span>
    );
  if (count === 0)
    return (
      <span className={styles.valid} role="status" data-testid="validation-state">
        <Icon name="check" /> Valid
      </span>
    );
  return (
    <button type="button" className={styles.invalid} onClick={onClick} data-testid="validation-state">
      <Icon name="alert" /> {count === 1 ? "1 issue" : `${count} issues`}
    </button>
  );
}

function Editor({ workflow }: { workflow: WorkflowDto }) {
  const trpc = useTRPC();
  const team = useTeam();
  const flow = useReactFlow();
  const canWrite = useCan("workflows:write");
  const canRun = useCan("workflows:run");
  const [saved, setSaved] = useState(workflow.current);
  const [draft, setDraft] = useState<WorkflowDefinition>(workflow.current.definition);
  const [viewing, setViewing] = useState<number | null>(null);
  const [view, setView] = useState<View>("graph");
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [issuesOpen, setIssuesOpen] = useState(false);
  const [notice, setNotice] = useState<{ tone: "info" | "success" | "warning"; text: string } | null>(null);
  const [saving, setSaving] = useState(false);
  const [running, setRunning] = useState<RunTarget | null>(null);
  const [restoring, setRestoring] = useState<WorkflowDefinition | null>(null);
  /** Bumped by "Tidy up" (and loading another definition), so the view fits the new layout. */
  const [layoutRound, setLayoutRound] = useState(0);
  const canvasRef = useRef<HTMLDivElement>(null);
  const hydrated = useHydrated();
  const { exportWorkflow, error: exportError } = useExportWorkflow();

  const dirty = canonicalJson(draft) !== canonicalJson(saved.definition);
  const older = useQuery({
    ...trpc.workflows.version.queryOptions({ teamId: team.id, workflowId: workflow.id, version: viewing ?? 1 }),
    enabled: viewing !== null,
  });
  const readOnly = !canWrite || viewing !== null;
  const shown = viewing !== null ? (older.data?.definition ?? null) : draft;
  const validation = useDraftValidation(draft);
  const emptyIssues = useMemo(() => new Map(), []);
  const issuesByStep = viewing === null ? validation.byStep : emptyIssues;

  // Someone else saved a newer version: follow it unless there are edits here.
  useEffect(() => {
    if (workflow.current.version === saved.version) return;
    setSaved(workflow.current);
    if (!dirty) setDraft(workflow.current.definition);
    else setNotice({ tone: "warning", text: `Version ${workflow.current.version} was saved meanwhile. Saving yours adds version ${workflow.latestVersion + 1} on top of it.` });
  }, [workflow, saved.version, dirty]);

  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);

  const focusStep = useCallback(
    (id: string) => {
      setView("graph");
      setSelectedId(id);
      const node = flow.getNode(id);
      if (node) void flow.setCenter(node.position.x + (node.measured?.width ?? 200) / 2, node.position.y + (node.measured?.height ?? 80) / 2, { zoom: Math.max(flow.getZoom(), 0.9), duration: 300 });
    },
    [flow],
  );

  function change(next: WorkflowDefinition) {
    setNotice(null);
    setDraft(next);
  }

  function addKind(kind: StepKind, at?: { x: number; y: number }) {
    const id = nextStepId(kind, draft.steps.map((s) => s.id));
    const drawn = flow.getNodes();
    let position = at;
    if (!position) {
      // Next to the selected step (where the flow goes on), else in the middle of the view; never on top of another.
      const after = drawn.find((n) => n.id === selectedId);
      const rect = canvasRef.current?.getBoundingClientRect();
      const centre = rect ? flow.screenToFlowPosition({ x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 }) : { x: 0, y: 0 };
      const wanted = after ? { x: after.position.x + 250, y: after.position.y } : { x: centre.x - 100, y: centre.y - 40 };
      position = freeSpot(wanted, drawn.map((n) => n.position));
    }
    const placed = withPositions(draft, new Map(drawn.map((n) => [n.id, n.position])));
    change(addStep(placed, newStep(kind, id, position)));
    setSelectedId(id);
    const centre = { x: position.x + 100, y: position.y + 40 };
    if (!at) requestAnimationFrame(() => void flow.setCenter(centre.x, centre.y, { zoom: flow.getZoom(), duration: 250 }));
  }

  function onDrop(event: DragEvent) {
    const kind = event.dataTransfer.getData(STEP_KIND_MIME) as StepKind;
    if (!kind || readOnly) return;
    event.preventDefault();
    const point = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
    addKind(kind, { x: point.x - 100, y: point.y - 30 });
  }

  const selected = shown?.steps.find((s) => s.id === selectedId) ?? null;
  const versionNote = (v: { version: number; note: string; createdAt: string }) => `v${v.version}${v.note ? ` — ${v.note}` : ""} · ${hydrated ? formatLocal(v.createdAt) : formatUtc(v.createdAt)}`;

  return (
    <div className={styles.editor}>
      <header className={styles.header}>
        <div className={styles.headerMain}>
          <Link href="/workflows" className={styles.back}>
            <Icon name="chevronLeft" /> Workflows
          </Link>
          <div className={styles.titleRow}>
            <h1 className={styles.title}>{draft.name || workflow.name}</h1>
            {dirty && viewing === null && <Badge tone="warning">Unsaved changes</Badge>}
            {!canWrite && <Badge>Read-only</Badge>}
          </div>
          <p className={styles.meta}>
            <code>{workflow.slug}</code> · version {saved.version}
            {saved.createdBy ? ` saved by ${saved.createdBy}` : ""}
          </p>
        </div>
        <div className={styles.headerActions}>
          <label className="visually-hidden" htmlFor="version-select">
            Version
          </label>
          <select
            id="version-select"
            className="input select input-sm"
            value={viewing ?? ""}
            onChange={(e) => {
              setSelectedId(null);
              setViewing(e.target.value ? Number(e.target.value) : null);
            }}
            style={{ width: 220 }}
          >
            <option value="">{canWrite ? "Draft (latest version)" : `Latest (v${workflow.latestVersion})`}</option>
            {workflow.versions
              .filter((v) => v.version !== workflow.latestVersion)
              .map((v) => (
                <option key={v.version} value={v.version}>
                  {versionNote(v)}
                </option>
              ))}
          </select>
          <Button
            onClick={async () => {
              setIssuesOpen(true);
              await validation.validateNow();
            }}
            disabled={viewing !== null}
          >
            <Icon name="check" />
            Validate
          </Button>
          {canWrite && (
            <Button variant="primary" onClick={() => setSaving(true)} disabled={!dirty || viewing !== null}>
              Save version
            </Button>
          )}
          {canRun && (
            <Button onClick={() => setRunning({ id: workflow.id, name: workflow.name, version: viewing ?? workflow.latestVersion })} title={dirty ? `Runs version ${workflow.latestVersion}; save to run your changes.` : undefined}>
              <Icon name="runs" />
              Run
            </Button>
          )}
          <Menu
            label="More workflow actions"
            trigger={<Icon name="more" />}
            width={230}
            entries={[
              { label: "Export YAML", icon: "download", onSelect: () => void exportWorkflow(workflow.id, "yaml", viewing ?? undefined) },
              { label: "Export JSON", icon: "download", onSelect: () => void exportWorkflow(workflow.id, "json", viewing ?? undefined) },
              { kind: "link", label: "Runs of this workflow", icon: "list", href: `/runs?workflow=${workflow.id}` },
            ]}
          />
        </div>
      </header>

      {viewing !== null && (
        <Alert tone="info" title={`Viewing version ${viewing} (read-only)`}>
          <div className="row">
            <span>Runs pinned to it still use it. To build on it, load it into the draft and save it as a new version.</span>
            <span className="spacer" />
            <Button size="sm" onClick={() => setViewing(null)}>
              Back to the draft
            </Button>
            {canWrite && older.data && (
              <Button size="sm" variant="primary" onClick={() => (dirty ? setRestoring(older.data.definition) : (change(older.data.definition), setViewing(null)))}>
                Load into the draft
              </Button>
            )}
          </div>
        </Alert>
      )}
      {notice && (
        <Alert tone={notice.tone}>
          <div className="row">
            <span>{notice.text}</span>
            <span className="spacer" />
            <button type="button" className="link-button" onClick={() => setNotice(null)}>
              Dismiss
            </button>
          </div>
        </Alert>
      )}
      {exportError && <Alert>Export failed: {exportError}</Alert>}

      <div className={styles.viewBar}>
        <div className={styles.segments} role="tablist" aria-label="View">
          <button type="button" role="tab" aria-selected={view === "graph"} onClick={() => setView("graph")}>
            Graph
          </button>
          <button type="button" role="tab" aria-selected={view === "yaml"} onClick={() => setView("yaml")}>
            YAML
          </button>
        </div>
        {viewing === null && <ValidationChip pending={validation.pending} count={validation.issues.length} error={validation.error} onClick={() => setIssuesOpen((o) => !o)} />}
        <span className="spacer" />
        {view === "graph" && !readOnly && (
          <Button size="sm" variant="ghost" onClick={() => (change(withPositions(draft, autoPositions(draft))), setLayoutRound((r) => r + 1))} title="Lay the steps out by dependency depth">
            Tidy up
          </Button>
        )}
      </div>

      {shown === null ? (
        <div className={styles.workspaceMessage}>{older.isError ? <Alert>{errorMessage(older.error)}</Alert> : <Spinner label="Loading the version" />}</div>
      ) : view === "yaml" ? (
        <YamlView key={viewing ?? "draft"} definition={shown} readOnly={readOnly} onApply={(next) => (change(next), setLayoutRound((r) => r + 1))} />
      ) : (
        <div className={styles.workspace} data-readonly={readOnly || undefined}>
          <Palette steps={shown.steps} selectedId={selectedId} issuesByStep={issuesByStep} readOnly={readOnly} onAdd={(kind) => addKind(kind)} onSelect={focusStep} />
          <div ref={canvasRef} className={styles.canvasArea} onDragOver={(e) => e.dataTransfer.types.includes(STEP_KIND_MIME) && (e.preventDefault(), (e.dataTransfer.dropEffect = "copy"))} onDrop={onDrop}>
            <EditorCanvas
              definition={shown}
              issuesByStep={issuesByStep}
              selectedId={selectedId}
              readOnly={readOnly}
              onSelect={setSelectedId}
              onChange={change}
              onNotice={(text) => setNotice({ tone: "warning", text })}
              refitOn={`${viewing ?? "draft"}:${layoutRound}`}
            />
            {issuesOpen && viewing === null && (
              <section className={styles.issuesOverlay} aria-label="Validation issues">
                <div className="row">
                  <strong>{validation.issues.length ? "Issues" : "No issues"}</strong>
                  <span className="spacer" />
                  <button type="button" className="icon-button" aria-label="Close the issues" onClick={() => setIssuesOpen(false)}>
                    <Icon name="close" />
                  </button>
                </div>
                {validation.issues.length ? <IssuesList issues={validation.issues} onSelectStep={focusStep} /> : <p className="muted">The definition is valid: every step, reference and type checks out.</p>}
              </section>
            )}
            <div className={styles.legendBar}>
              <GraphLegend />
            </div>
          </div>
          <aside className={styles.side} aria-label={selected ? `Step ${selected.id}` : "Workflow settings"}>
            {selected ? (
              <StepPanel
                key={selected.id}
                step={selected}
                stepIds={shown.steps.map((s) => s.id)}
                issues={issuesByStep.get(selected.id) ?? []}
                readOnly={readOnly}
                onChange={(step) => change(replaceStep(draft, selected.id, step))}
                onRename={(next) => {
                  const result = renameStep(draft, selected.id, next);
                  if (!result.ok) return result.reason;
                  change(result.definition);
                  setSelectedId(next);
                  return null;
                }}
                onDelete={() => {
                  change(removeSteps(draft, [selected.id]));
                  setSelectedId(null);
                }}
                onClose={() => setSelectedId(null)}
              />
            ) : (
              <SettingsPanel definition={shown} readOnly={readOnly} onChange={change} />
            )}
          </aside>
        </div>
      )}

      {canWrite && (
        <SaveDialog
          open={saving}
          workflow={{ ...workflow, current: saved }}
          draft={draft}
          onClose={() => setSaving(false)}
          onIssues={() => setIssuesOpen(true)}
          onSaved={(result) => {
            setSaving(false);
            const added = result.latestVersion !== saved.version;
            setSaved(result.current);
            setDraft(result.current.definition);
            setNotice(added ? { tone: "success", text: `Saved as version ${result.latestVersion}.` } : { tone: "info", text: `Nothing changed since version ${result.latestVersion}.` });
          }}
        />
      )}
      <RunDialog target={running} onClose={() => setRunning(null)} />
      <ConfirmDialog
        open={restoring !== null}
        title="Replace your unsaved changes?"
        confirmLabel="Load this version"
        onConfirm={() => {
          if (restoring) change(restoring);
          setRestoring(null);
          setViewing(null);
        }}
        onClose={() => setRestoring(null)}
      >
        The draft has changes that are not saved. Loading version {viewing} replaces them.
      </ConfirmDialog>
    </div>
  );
}

export function WorkflowEditor({ workflowId }: { workflowId: string }) {
  const trpc = useTRPC();
  const team = useTeam();
  const workflow = useQuery(trpc.workflows.get.queryOptions({ teamId: team.id, workflowId }));
  if (workflow.isPending) return <Spinner label="Loading the workflow" />;
  if (workflow.isError) {
    return (
      <section className="card">
        <EmptyState
          icon="workflow"
          title="This workflow could not be opened"
          actions={
            <LinkButton href="/workflows" variant="primary">
              Back to the workflows
            </LinkButton>
          }
        >
          <p>{errorMessage(workflow.error)}</p>
        </EmptyState>
      </section>
    );
  }
  return (
    <ReactFlowProvider>
      <Editor key={workflow.data.id} workflow={workflow.data} />
    </ReactFlowProvider>
  );
}
