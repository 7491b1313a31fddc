"use client";
// New workflow: from a template (a gallery with what each does), from blank, or from a
// YAML/JSON document pasted or uploaded. A refused import lists its issues per step.
import { useId, useState, type ChangeEvent } from "react";
import { useRouter } from "next/navigation";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { parse as parseYaml } from "yaml";
import type { WorkflowDto } from "@/server/shared/runs";
import { slugSchema } from "@/server/shared/schemas";
import type { DefinitionIssue, StepKind } from "@/server/shared/workflow-definition";
import { useTRPC } from "@/components/providers/trpc";
import { useTeam } from "@/components/shell/shell-context";
import { toFormError, type FormError } from "@/components/lib/api-error";
import { KindIcon } from "@/components/graph/kind-icon";
import { KIND_META } from "@/components/graph/kinds";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Dialog } from "@/components/ui/dialog";
import { SelectField, TextAreaField, TextField } from "@/components/ui/field";
import { Form } from "@/components/ui/form";
import { blankDefinition } from "./definition-edit";
import { issuesFromError, slugify } from "./issues";
import { IssuesList } from "./issues-list";
import { useWorkflowTemplates, type GalleryTemplate } from "./templates";
import styles from "./workflows.module.css";

export type NewWorkflowMode = "template" | "blank" | "import";

const MODES: { mode: NewWorkflowMode; label: string }[] = [
  { mode: "template", label: "From a template" },
  { mode: "blank", label: "Blank" },
  { mode: "import", label: "Import YAML or JSON" },
];

/** Name and slug, the slug following the name until it is edited by hand. */
function useNameAndSlug(initialName: string) {
  const [name, setName] = useState(initialName);
  const [slug, setSlug] = useState(slugify(initialName));
  const [slugEdited, setSlugEdited] = useState(false);
  return {
    name,
    slug,
    setName(value: string) {
      setName(value);
      if (!slugEdited) setSlug(slugify(value));
    },
    setSlug(value: string) {
      setSlugEdited(true);
      setSlug(value);
    },
    reset(value: string) {
      setName(value);
      setSlugEdited(false);
      setSlug(slugify(value));
    },
  };
}

function slugProblem(slug: string): string | undefined {
  const parsed = slugSchema.safeParse(slug);
  return parsed.success ? undefined : `Slug ${parsed.error.issues[0]?.message ?? "is not valid"}.`;
}

function useCreated() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  return async (workflow: WorkflowDto) => {
    await queryClient.invalidateQueries({ queryKey: trpc.workflows.list.pathKey() });
    router.push(`/workflows/${workflow.id}`);
  };
}

function kindsOf(template: GalleryTemplate): StepKind[] {
  return [...new Set(template.definition.steps.map((s) => s.kind))];
}

function TemplateCard({ template, selected, onSelect }: { template: GalleryTemplate; selected: boolean; onSelect: () => void }) {
  return (
    <button type="button" className={styles.templateCard} aria-pressed={selected} onClick={onSelect} data-testid={`template-${template.slug}`}>
      <span className={styles.templateHead}>
        <span className={styles.templateName}>{template.name}</span>
        <Badge tone={template.builtIn ? "accent" : "neutral"}>{template.category}</Badge>
      </span>
      <span className={styles.templateText}>{template.description}</span>
      <span className={styles.templateKinds}>
        {kindsOf(template).map((kind) => (
          <span key={kind} className={styles.kindChip} style={{ color: KIND_META[kind].color }} title={KIND_META[kind].description}>
            <KindIcon kind={kind} size={12} />
            <span>{KIND_META[kind].label}</span>
          </span>
        ))}
        <span className="faint">· {template.definition.steps.length} steps</span>
      </span>
    </button>
  );
}

function NameAndSlugFields({ form, errors }: { form: ReturnType<typeof useNameAndSlug>; errors: Record<string, string> }) {
  return (
    <div className="form-grid">
      <TextField label="Name" value={form.name} onChange={(e) => form.setName(e.target.value)} error={errors.name} required maxLength={120} />
      <TextField
        label="Slug"
        value={form.slug}
        onChange={(e) => form.setSlug(e.target.value)}
        error={errors.slug}
        hint="Starts runs from the API and the CLI."
        required
        spellCheck={false}
        className="mono"
      />
    </div>
  );
}

function TemplateForm() {
  const trpc = useTRPC();
  const team = useTeam();
  const created = useCreated();
  const { templates, isPending, error: loadError } = useWorkflowTemplates();
  const [picked, setPicked] = useState<GalleryTemplate | null>(null);
  const form = useNameAndSlug("");
  const [error, setError] = useState<FormError | null>(null);
  const create = useMutation(trpc.workflows.create.mutationOptions({ onSuccess: created, onError: (e) => setError(toFormError(e, { slug: "Slug", name: "Name" })) }));

  function submit() {
    if (!picked) return setError({ message: "Pick a template first.", fields: {} });
    const slugError = slugProblem(form.slug);
    if (slugError) return setError({ message: slugError, fields: { slug: "" } });
    setError(null);
    const name = form.name.trim() || picked.name;
    // The server's templates are named (the workflow remembers its template); starters travel as definitions.
    create.mutate(picked.builtIn ? { teamId: team.id, slug: form.slug, template: picked.slug, name } : { teamId: team.id, slug: form.slug, definition: picked.definition, name });
  }

  return (
    <Form onSubmit={submit} error={error?.message} submitLabel="Create workflow" pending={create.isPending} submitDisabled={!picked} noValidate>
      {isPending && <p className="muted">Loading templates…</p>}
      {Boolean(loadError) && <Alert tone="warning">The server’s templates could not be loaded ({toFormError(loadError).message}); the starters below still work.</Alert>}
      <div className={styles.templateGrid} role="group" aria-label="Templates">
        {templates.map((t) => (
          <TemplateCard
            key={t.slug}
            template={t}
            selected={picked?.slug === t.slug}
            onSelect={() => {
              setPicked(t);
              form.reset(t.name);
            }}
          />
        ))}
      </div>
      {picked && <NameAndSlugFields form={form} errors={error?.fields ?? {}} />}
    </Form>
  );
}

function BlankForm() {
  const trpc = useTRPC();
  const team = useTeam();
  const created = useCreated();
  const form = useNameAndSlug("");
  const [error, setError] = useState<FormError | null>(null);
  const create = useMutation(trpc.workflows.create.mutationOptions({ onSuccess: created, onError: (e) => setError(toFormError(e, { slug: "Slug", name: "Name" })) }));

  function submit() {
    if (!form.name.trim()) return setError({ message: "Name is required.", fields: { name: "" } });
    const slugError = slugProblem(form.slug);
    if (slugError) return setError({ message: slugError, fields: { slug: "" } });
    setError(null);
    create.mutate({ teamId: team.id, slug: form.slug, definition: blankDefinition(form.name.trim()) });
  }

  return (
    <Form onSubmit={submit} error={error?.message} submitLabel="Create and open the editor" pending={create.isPending} noValidate>
      <p className="muted">Starts with one code step. Add steps from the palette, connect them by dragging, and save a version.</p>
      <NameAndSlugFields form={form} errors={error?.fields ?? {}} />
    </Form>
  );
}

/** The `name` of a pasted definition, for the slug suggestion (nothing when it does not parse). */
function nameInText(text: string): string | null {
  try {
    const doc: unknown = parseYaml(text); // YAML is a superset of JSON
    const name = doc && typeof doc === "object" ? (doc as { name?: unknown }).name : undefined;
    return typeof name === "string" ? name : null;
  } catch {
    return null;
  }
}

function ImportForm() {
  const trpc = useTRPC();
  const team = useTeam();
  const created = useCreated();
  const fileId = useId();
  const [text, setText] = useState("");
  const [format, setFormat] = useState<"auto" | "yaml" | "json">("auto");
  const [slug, setSlug] = useState("");
  const [slugEdited, setSlugEdited] = useState(false);
  const [error, setError] = useState<FormError | null>(null);
  const [issues, setIssues] = useState<DefinitionIssue[] | null>(null);
  const importer = useMutation(
    trpc.workflows.import.mutationOptions({
      onSuccess: created,
      onError: (e) => {
        const found = issuesFromError(e);
        setIssues(found);
        // The issues list says it all; the summary would only repeat its first line.
        setError(found ? null : toFormError(e, { slug: "Slug", text: "Definition" }));
      },
    }),
  );

  function changeText(value: string, fileName?: string) {
    setText(value);
    setIssues(null);
    if (slugEdited) return;
    const suggestion = nameInText(value) ?? fileName?.replace(/\.(ya?ml|json)$/i, "");
    if (suggestion) setSlug(slugify(suggestion));
  }

  async function readFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    if (!file) return;
    if (/\.json$/i.test(file.name)) setFormat("json");
    else if (/\.ya?ml$/i.test(file.name)) setFormat("yaml");
    changeText(await file.text(), file.name);
  }

  function submit() {
    if (!text.trim()) return setError({ message: "Paste a definition or choose a file.", fields: { text: "" } });
    const slugError = slugProblem(slug);
    if (slugError) return setError({ message: slugError, fields: { slug: "" } });
    setError(null);
    setIssues(null);
    importer.mutate({ teamId: team.id, text, format, slug });
  }

  return (
    <Form onSubmit={submit} error={error?.message} submitLabel="Import" pending={importer.isPending} noValidate>
      <div className="row">
        <label htmlFor={fileId} className="btn btn-secondary btn-sm">
          Choose a file…
        </label>
        <input id={fileId} type="file" accept=".yaml,.yml,.json,application/json,application/yaml,text/yaml" className="visually-hidden" onChange={readFile} />
        <span className="faint">or paste below</span>
      </div>
      <TextAreaField
        label="Definition"
        value={text}
        onChange={(e) => changeText(e.target.value)}
        rows={12}
        className={styles.monoInput}
        spellCheck={false}
        placeholder={"name: My workflow\nsteps:\n  - id: hello\n    kind: code\n    code: return 'hi';"}
        error={error?.fields.text}
      />
      {issues && (
        <Alert title={issues.length === 1 ? "1 issue to fix; nothing was imported" : `${issues.length} issues to fix; nothing was imported`}>
          <IssuesList issues={issues} />
        </Alert>
      )}
      <div className="form-grid">
        <SelectField label="Format" value={format} onChange={(e) => setFormat(e.target.value as typeof format)}>
          <option value="auto">Detect</option>
          <option value="yaml">YAML</option>
          <option value="json">JSON</option>
        </SelectField>
        <TextField
          label="Slug"
          value={slug}
          onChange={(e) => {
            setSlugEdited(true);
            setSlug(e.target.value);
          }}
          hint="An existing workflow with this slug gets the document as a new version."
          error={error?.fields.slug}
          spellCheck={false}
          className="mono"
        />
      </div>
    </Form>
  );
}

export function NewWorkflowDialog({ mode, onClose }: { mode: NewWorkflowMode | null; onClose: () => void }) {
  const [active, setActive] = useState<NewWorkflowMode>(mode ?? "template");
  const [openedWith, setOpenedWith] = useState(mode);
  // Each opening starts on the mode it was opened with.
  if (mode !== openedWith) {
    setOpenedWith(mode);
    if (mode) setActive(mode);
  }
  return (
    <Dialog open={mode !== null} onClose={onClose} title="New workflow" size="lg" description="Start from a template, from blank, or from a definition you already have.">
      <div className="stack">
        <div className={styles.segments} role="tablist" aria-label="How to start">
          {MODES.map((m) => (
            <button key={m.mode} type="button" role="tab" aria-selected={active === m.mode} onClick={() => setActive(m.mode)}>
              {m.label}
            </button>
          ))}
        </div>
        <div role="tabpanel" aria-label={MODES.find((m) => m.mode === active)?.label}>
          {active === "template" && <TemplateForm />}
          {active === "blank" && <BlankForm />}
          {active === "import" && <ImportForm />}
        </div>
      </div>
    </Dialog>
  );
}
