import { describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { withFixtures } from "../../test/fixtures.ts";
import { unique } from "../../test/rbac.ts";
import { isDomainError } from "../../errors.ts";
import type { DefinitionIssue, WorkflowDefinitionInput } from "../../shared/workflow-definition.ts";

const f = withFixtures();

interface Failure {
  code: string;
  message: string;
  issues: DefinitionIssue[] | null;
}

const failure = (p: Promise<unknown>): Promise<Failure> =>
  p.then(
    () => ({ code: "OK", message: "", issues: null }),
    (e: unknown) => {
      if (!(e instanceof TRPCError)) throw e;
      const details = isDomainError(e.cause) ? e.cause.details : undefined;
      return { code: e.code, message: e.message, issues: (details?.issues as DefinitionIssue[] | undefined) ?? null };
    },
  );

function twoSteps(name = "Greeting"): WorkflowDefinitionInput {
  return {
    name,
    description: "Says hello, then shouts it.",
    inputs: { who: { type: "string", default: "world" } },
    steps: [
      { id: "greet", kind: "code", code: "return `hello ${input.who}`;", inputs: { who: "{{ input.who }}" } },
      { id: "shout", kind: "code", code: "return input.text.toUpperCase();", inputs: { text: "{{ steps.greet.output }}" } },
    ],
  };
}

const CYCLE_YAML = `
name: Loop
steps:
  - id: first
    kind: code
    code: return 1;
    needs: [second]
  - id: second
    kind: code
    code: return 2;
    needs: [first]
`;

async function auditCount(action: string, targetId: string) {
  return f.db.auditLog.count({ where: { action, targetId, teamId: f.team.id } });
}

describe("workflows: create, save, archive", () => {
  it("creates a workflow at version 1 from a definition, and audits it", async () => {
    const operator = await f.caller("operator");
    const slug = unique("greeting-");
    const created = await operator.workflows.create({ teamId: f.team.id, slug, definition: twoSteps() });
    expect(created).toMatchObject({ slug, name: "Greeting", description: "Says hello, then shouts it.", template: null, latestVersion: 1 });
    expect(created.current).toMatchObject({ version: 1, createdBy: "operator@acme.test" });
    expect(created.current.definition.steps.map((s) => s.id)).toEqual(["greet", "shout"]);
    expect(created.versions.map((v) => v.version)).toEqual([1]);
    expect(await f.db.auditLog.findFirstOrThrow({ where: { action: "workflow.create", targetId: created.id } })).toMatchObject({
      teamId: f.team.id,
      actorUserId: f.users.operator.id,
      targetType: "workflow",
      after: { slug, name: "Greeting", version: 1 },
    });

    const byName = await operator.workflows.create({ teamId: f.team.id, slug: unique("named-"), definition: twoSteps(), name: "Renamed" });
    expect(byName.name).toBe("Renamed");
    expect(byName.current.definition.name).toBe("Renamed");
  });

  it("adds a version on a changed save, none on an unchanged one", async () => {
    const operator = await f.caller("operator");
    const created = await operator.workflows.create({ teamId: f.team.id, slug: unique("versions-"), definition: twoSteps() });

    const saved = await operator.workflows.save({ teamId: f.team.id, workflowId: created.id, definition: twoSteps("Greeting v2"), note: "Renamed it" });
    expect(saved).toMatchObject({ latestVersion: 2, name: "Greeting v2" });
    expect(saved.current).toMatchObject({ version: 2, note: "Renamed it" });
    expect(saved.versions.map((v) => v.version)).toEqual([2, 1]);
    expect(await auditCount("workflow.save", created.id)).toBe(1);

    // The stored definition, sent back as the editor would (defaults filled in), is no change.
    const unchanged = await operator.workflows.save({ teamId: f.team.id, workflowId: created.slug, definition: saved.current.definition });
    expect(unchanged.latestVersion).toBe(2);
    expect(await f.db.workflowVersion.count({ where: { workflowId: created.id } })).toBe(2);
    expect(await auditCount("workflow.save", created.id)).toBe(1);

    const first = await operator.workflows.version({ teamId: f.team.id, workflowId: created.slug, version: 1 });
    expect(first).toMatchObject({ version: 1, workflowId: created.id });
    expect(first.definition.name).toBe("Greeting");
    const latest = await operator.workflows.version({ teamId: f.team.id, workflowId: created.id });
    expect(latest.definition.name).toBe("Greeting v2");
    expect(await failure(operator.workflows.version({ teamId: f.team.id, workflowId: created.id, version: 9 }))).toMatchObject({ code: "NOT_FOUND" });
  });

  it("refuses an invalid definition with each issue in the details", async () => {
    const operator = await f.caller("operator");
    const slug = unique("broken-");
    const broken = { name: "Broken", steps: [{ id: "a", kind: "code", code: "return 1;", needs: ["missing"] }] };
    const result = await failure(operator.workflows.create({ teamId: f.team.id, slug, definition: broken }));
    expect(result.code).toBe("BAD_REQUEST");
    expect(result.issues?.length).toBeGreaterThan(0);
    expect(result.message).toContain(result.issues![0]!.message);
    expect(await f.db.workflow.count({ where: { teamId: f.team.id, slug } })).toBe(0);

    const created = await operator.workflows.create({ teamId: f.team.id, slug, definition: twoSteps() });
    const save = await failure(operator.workflows.save({ teamId: f.team.id, workflowId: created.id, definition: { name: "No steps", steps: [] } }));
    expect(save.code).toBe("BAD_REQUEST");
    expect(save.issues?.length).toBeGreaterThan(0);
    expect(await f.db.workflowVersion.count({ where: { workflowId: created.id } })).toBe(1);
  });

  it("names the slug that is taken, and explains what create needs", async () => {
    const operator = await f.caller("operator");
    const slug = unique("taken-");
    await operator.workflows.create({ teamId: f.team.id, slug, definition: twoSteps() });
    expect(await failure(operator.workflows.create({ teamId: f.team.id, slug, definition: twoSteps() }))).toMatchObject({
      code: "CONFLICT",
      message: `This team already has a workflow with the slug "${slug}".`,
    });
    // Another team may use the same slug.
    const outsider = await f.caller("outsider");
    expect((await outsider.workflows.create({ teamId: f.otherTeam.id, slug, definition: twoSteps() })).slug).toBe(slug);

    expect(await failure(operator.workflows.create({ teamId: f.team.id, slug: unique("tpl-"), template: "research-brief" }))).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining('Unknown template "research-brief". Templates: agent-pipeline'),
    });
    const fromTemplate = await operator.workflows.create({ teamId: f.team.id, slug: unique("pipeline-"), template: "agent-pipeline" });
    expect(fromTemplate).toMatchObject({ template: "agent-pipeline", latestVersion: 1 });
    expect(fromTemplate.current.definition.steps.map((s) => s.id)).toEqual(expect.arrayContaining(["analyze", "gate", "execute", "verify"]));
    expect(await failure(operator.workflows.create({ teamId: f.team.id, slug: unique("empty-") }))).toMatchObject({ code: "BAD_REQUEST" });
  });

  it("archives: gone from the list, still readable, no longer saved; audited once", async () => {
    const operator = await f.caller("operator");
    const created = await operator.workflows.create({ teamId: f.team.id, slug: unique("old-"), definition: twoSteps() });
    expect((await operator.workflows.list({ teamId: f.team.id })).map((w) => w.id)).toContain(created.id);

    const archived = await operator.workflows.archive({ teamId: f.team.id, workflowId: created.id });
    expect(archived.id).toBe(created.id);
    await operator.workflows.archive({ teamId: f.team.id, workflowId: created.slug });
    expect(await auditCount("workflow.archive", created.id)).toBe(1);

    expect((await operator.workflows.list({ teamId: f.team.id })).map((w) => w.id)).not.toContain(created.id);
    expect((await operator.workflows.get({ teamId: f.team.id, workflowId: created.slug })).id).toBe(created.id);
    expect(await failure(operator.workflows.save({ teamId: f.team.id, workflowId: created.id, definition: twoSteps("Again") }))).toMatchObject({
      code: "CONFLICT",
      message: `Workflow "${created.slug}" is archived.`,
    });
  });

  it("lists step counts and the last run", async () => {
    const operator = await f.caller("operator");
    const created = await operator.workflows.create({ teamId: f.team.id, slug: unique("listed-"), definition: twoSteps() });
    const version = await f.db.workflowVersion.findFirstOrThrow({ where: { workflowId: created.id } });
    const run = await f.db.run.create({
      data: { teamId: f.team.id, workflowId: created.id, workflowVersionId: version.id, version: 1, status: "SUCCEEDED", input: {} },
    });
    const listed = (await operator.workflows.list({ teamId: f.team.id })).find((w) => w.id === created.id);
    expect(listed).toMatchObject({ stepCount: 2, latestVersion: 1, lastRun: { id: run.id, status: "SUCCEEDED" } });
  });

  it("keeps other teams' workflows out of reach and viewers out of changes", async () => {
    const outsider = await f.caller("outsider");
    const theirs = await outsider.workflows.create({ teamId: f.otherTeam.id, slug: unique("globex-"), definition: twoSteps() });
    const admin = await f.caller("admin");
    expect(await failure(admin.workflows.get({ teamId: f.team.id, workflowId: theirs.id }))).toMatchObject({ code: "NOT_FOUND" });
    expect(await failure(admin.workflows.save({ teamId: f.team.id, workflowId: theirs.id, definition: twoSteps() }))).toMatchObject({ code: "NOT_FOUND" });
    expect((await admin.workflows.list({ teamId: f.team.id })).map((w) => w.id)).not.toContain(theirs.id);

    const viewer = await f.caller("viewer");
    expect(await failure(viewer.workflows.create({ teamId: f.team.id, slug: unique("nope-"), definition: twoSteps() }))).toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("workflows: validate, import, export", () => {
  it("validates without throwing, good or bad", async () => {
    const viewer = await f.caller("viewer");
    expect(await viewer.workflows.validate({ teamId: f.team.id, definition: twoSteps() })).toEqual({ ok: true, issues: [] });
    const bad = await viewer.workflows.validate({ teamId: f.team.id, definition: { name: "Dup", steps: [{ id: "x", kind: "code", code: "1" }, { id: "x", kind: "code", code: "2" }] } });
    expect(bad.ok).toBe(false);
    expect(bad.issues.map((i) => i.code)).toContain("duplicate-step");
    expect((await viewer.workflows.validate({ teamId: f.team.id, definition: "not a workflow" })).ok).toBe(false);
  });

  it("refuses YAML with a cycle, naming the steps in it", async () => {
    const operator = await f.caller("operator");
    const slug = unique("loop-");
    const result = await failure(operator.workflows.import({ teamId: f.team.id, slug, text: CYCLE_YAML, format: "yaml" }));
    expect(result.code).toBe("BAD_REQUEST");
    const cycle = result.issues?.find((i) => i.code === "cycle");
    expect(cycle).toBeDefined();
    expect(`${cycle!.stepId ?? ""} ${cycle!.message}`).toMatch(/first|second/);
    const count = result.issues!.length;
    expect(result.message).toContain(count === 1 ? "1 issue" : `${count} issues`);
    expect(result.message).toContain(result.issues![0]!.message);
    expect(await f.db.workflow.count({ where: { slug } })).toBe(0);

    const syntax = await failure(operator.workflows.import({ teamId: f.team.id, slug, text: "name: [unclosed", format: "yaml" }));
    expect(syntax.code).toBe("BAD_REQUEST");
    expect(syntax.issues?.length).toBeGreaterThan(0);
  });

  it("exports a version that imports back to the same definition, as a new workflow or a new version", async () => {
    const operator = await f.caller("operator");
    const created = await operator.workflows.create({ teamId: f.team.id, slug: unique("roundtrip-"), definition: twoSteps() });

    for (const format of ["yaml", "json"] as const) {
      const file = await operator.workflows.export({ teamId: f.team.id, workflowId: created.id, format });
      expect(file.filename).toBe(`${created.slug}-v1.${format}`);
      expect(file.mimeType).toBe(format === "yaml" ? "application/yaml" : "application/json");
      const copy = await operator.workflows.import({ teamId: f.team.id, slug: unique(`copy-${format}-`), text: file.text, format: "auto" });
      expect(copy.latestVersion).toBe(1);
      expect(copy.current.note).toBe("Imported");
      expect(copy.current.definition).toEqual(created.current.definition);
      expect(await auditCount("workflow.create", copy.id)).toBe(1);
    }

    // Importing onto the existing slug adds a version only when the text changed something.
    const same = await operator.workflows.export({ teamId: f.team.id, workflowId: created.id });
    expect((await operator.workflows.import({ teamId: f.team.id, slug: created.slug, text: same.text })).latestVersion).toBe(1);
    const changed = same.text.replace("name: Greeting", "name: Greeting imported");
    const updated = await operator.workflows.import({ teamId: f.team.id, slug: created.slug, text: changed });
    expect(updated).toMatchObject({ id: created.id, latestVersion: 2, name: "Greeting imported" });
    expect(await auditCount("workflow.save", created.id)).toBe(1);
  });
});
