// The agents module through tRPC on a real database: built-ins without rows, a team's
// own agents, overriding and resetting a built-in, audit rows, tenant scoping, and the
// runner seeing what the module saved.
import { describe, expect, it } from "vitest";
import { apiOutcome } from "../../test/api-outcome.ts";
import { withFixtures } from "../../test/fixtures.ts";
import { findAgent } from "../../engine/agents/index.ts";

const f = withFixtures();

describe("agents", () => {
  it("every team has the four built-ins without any rows", async () => {
    const agents = await (await f.caller("viewer")).agents.list({ teamId: f.team.id });
    expect(agents.map((a) => [a.slug, a.role, a.builtIn, a.overridden, a.id])).toEqual([
      ["analyst", "analyst", true, false, null],
      ["gatekeeper", "gatekeeper", true, false, null],
      ["executor", "executor", true, false, null],
      ["verifier", "verifier", true, false, null],
    ]);
    expect(await f.db.agent.count({ where: { teamId: f.team.id } })).toBe(0);
    const verifier = await (await f.caller("viewer")).agents.get({ teamId: f.team.id, slug: "verifier" });
    expect(verifier).toMatchObject({ name: "Verifier", maxTurns: 8, maxCostUsd: null, tools: ["memory_get", "memory_list"] });
  });

  it("creates a team's own agent, audited, listed after the built-ins", async () => {
    const operator = await f.caller("operator");
    const created = await operator.agents.create({
      teamId: f.team.id,
      slug: "release-writer",
      name: "Release writer",
      role: "custom",
      instructions: "Write release notes.",
      model: "gpt-4o-mini",
      strategy: "cost",
      tools: ["memory_get", "github.*", "memory_get"],
      maxCostUsd: 0.25,
    });
    expect(created).toMatchObject({ slug: "release-writer", builtIn: false, overridden: false, tools: ["memory_get", "github.*"], maxTurns: 8, maxCostUsd: 0.25, strategy: "cost" });
    expect(created.id).not.toBeNull();
    const row = await f.db.agent.findUniqueOrThrow({ where: { id: created.id! } });
    expect(row.maxCostNano).toBe(250_000_000n);

    const audit = await f.db.auditLog.findFirstOrThrow({ where: { action: "agent.create", targetId: created.id! } });
    expect(audit).toMatchObject({ teamId: f.team.id, actorUserId: f.users.operator.id, after: { slug: "release-writer", model: "gpt-4o-mini" } });

    const listed = await operator.agents.list({ teamId: f.team.id });
    expect(listed.map((a) => a.slug)).toEqual(["analyst", "gatekeeper", "executor", "verifier", "release-writer"]);
    expect(await apiOutcome(operator.agents.create({ teamId: f.team.id, slug: "release-writer", name: "Again", role: "custom" }))).toMatchObject({
      code: "CONFLICT",
      message: 'This team already has an agent "release-writer".',
    });
  });

  it("changing a built-in overrides it for the team; removing the change brings the defaults back", async () => {
    const admin = await f.caller("admin");
    const changed = await admin.agents.update({ teamId: f.team.id, slug: "gatekeeper", instructions: "Ask for tests in every plan.", maxTurns: 3 });
    expect(changed).toMatchObject({ slug: "gatekeeper", role: "gatekeeper", builtIn: true, overridden: true, instructions: "Ask for tests in every plan.", maxTurns: 3 });
    expect(await findAgent(f.db, f.team.id, "gatekeeper")).toMatchObject({ instructions: "Ask for tests in every plan.", maxTurns: 3 });
    expect(await findAgent(f.db, f.otherTeam.id, "gatekeeper")).toMatchObject({ maxTurns: 8 });

    const again = await admin.agents.update({ teamId: f.team.id, slug: "gatekeeper", model: "claude-haiku-4-5" });
    expect(again).toMatchObject({ id: changed.id, model: "claude-haiku-4-5", maxTurns: 3 });
    const cleared = await admin.agents.update({ teamId: f.team.id, slug: "gatekeeper", model: null });
    expect(cleared.model).toBeNull();
    const audits = await f.db.auditLog.findMany({ where: { action: "agent.update", targetId: changed.id! }, orderBy: { createdAt: "asc" } });
    expect(audits).toHaveLength(3);
    expect(audits[0]).toMatchObject({ before: { maxTurns: 8 }, after: { maxTurns: 3 } });

    const reset = await admin.agents.remove({ teamId: f.team.id, slug: "gatekeeper" });
    expect(reset).toMatchObject({ slug: "gatekeeper", builtIn: true, overridden: false, id: null, maxTurns: 8 });
    expect(await findAgent(f.db, f.team.id, "gatekeeper")).toMatchObject({ maxTurns: 8 });
    expect(await f.db.auditLog.count({ where: { action: "agent.remove", targetId: changed.id! } })).toBe(1);
    expect(await apiOutcome(admin.agents.remove({ teamId: f.team.id, slug: "gatekeeper" }))).toMatchObject({ code: "CONFLICT" });
  });

  it("removes a team's own agent for good", async () => {
    const operator = await f.caller("operator");
    await operator.agents.create({ teamId: f.team.id, slug: "temp-agent", name: "Temp", role: "custom" });
    expect(await operator.agents.remove({ teamId: f.team.id, slug: "temp-agent" })).toBeNull();
    expect(await apiOutcome(operator.agents.get({ teamId: f.team.id, slug: "temp-agent" }))).toMatchObject({ code: "NOT_FOUND" });
    expect(await apiOutcome(operator.agents.remove({ teamId: f.team.id, slug: "temp-agent" }))).toMatchObject({ code: "NOT_FOUND" });
  });

  it("keeps each team's agents to itself", async () => {
    const outsider = await f.caller("outsider");
    await outsider.agents.create({ teamId: f.otherTeam.id, slug: "globex-only", name: "Globex only", role: "analyst" });
    const admin = await f.caller("admin");
    expect((await admin.agents.list({ teamId: f.team.id })).map((a) => a.slug)).not.toContain("globex-only");
    expect(await apiOutcome(admin.agents.get({ teamId: f.team.id, slug: "globex-only" }))).toMatchObject({ code: "NOT_FOUND" });
    expect(await apiOutcome(admin.agents.update({ teamId: f.team.id, slug: "globex-only", name: "Mine now" }))).toMatchObject({ code: "NOT_FOUND" });
    expect(await apiOutcome(outsider.agents.list({ teamId: f.team.id }))).toMatchObject({ code: "NOT_FOUND" });
  });

  it("validates with messages that say what to fix", async () => {
    const operator = await f.caller("operator");
    const badTool = await apiOutcome(operator.agents.create({ teamId: f.team.id, slug: "bad-tools", name: "Bad", role: "custom", tools: ["rm -rf"] }));
    expect(badTool.code).toBe("BAD_REQUEST");
    expect(badTool.message).toContain('tools.0: must be a tool name such as "http_fetch", "server.tool" or "server.*"');
    const badRole = await apiOutcome(operator.agents.create({ teamId: f.team.id, slug: "bad-role", name: "Bad", role: "boss" as "custom" }));
    expect(badRole.code).toBe("BAD_REQUEST");
    const badTurns = await apiOutcome(operator.agents.update({ teamId: f.team.id, slug: "analyst", maxTurns: 0 }));
    expect(badTurns.message).toContain("maxTurns");
    expect(await f.db.agent.count({ where: { slug: { in: ["bad-tools", "bad-role"] } } })).toBe(0);
  });
});
