import { describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { withFixtures, testPolicy } from "../../test/fixtures.ts";
import { authenticateWithPassword } from "../../auth/login.ts";
import { validateSession } from "../../auth/sessions.ts";

const f = withFixtures();

const codeOf = (p: Promise<unknown>) => p.then(() => "OK", (e: unknown) => (e instanceof TRPCError ? e.code : String(e)));

describe("user administration", () => {
  it("creates a person with a one-time generated password that must be changed, and audits it", async () => {
    const admin = await f.caller("admin");
    const created = await admin.users.create({ teamId: f.team.id, email: "New.Person@Acme.test", name: "New Person", role: "operator" });
    expect(created.created).toBe(true);
    expect(created.temporaryPassword).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(created.member).toMatchObject({ email: "new.person@acme.test", role: "operator", isActive: true });
    const user = await f.db.user.findUniqueOrThrow({ where: { email: "new.person@acme.test" } });
    expect(user.mustChangePassword).toBe(true);
    expect(user.passwordHash).not.toContain(created.temporaryPassword!);
    const login = await authenticateWithPassword(f.db, testPolicy, { email: user.email, password: created.temporaryPassword! });
    expect(login.userId).toBe(user.id);
    const audit = await f.db.auditLog.findFirstOrThrow({ where: { action: "user.create", targetId: user.id } });
    expect(audit).toMatchObject({ actorUserId: f.users.admin.id, teamId: f.team.id, after: { email: user.email, role: "operator" } });
  });

  it("rejects a weak chosen password with the policy's reasons, creating nothing", async () => {
    const admin = await f.caller("admin");
    const before = await f.db.user.count();
    const error = await admin.users.create({ teamId: f.team.id, email: "weak@acme.test", role: "viewer", password: "password123" }).catch((e: unknown) => e);
    expect((error as TRPCError).code).toBe("BAD_REQUEST");
    expect((error as Error).message).toMatch(/at least 12 characters|too common/);
    expect(await f.db.user.count()).toBe(before);
  });

  it("adds an existing account to another team instead of duplicating it, and refuses a second membership", async () => {
    const outsiderAdmin = await f.caller("outsider");
    const added = await outsiderAdmin.users.create({ teamId: f.otherTeam.id, email: "viewer@acme.test", role: "viewer" });
    expect(added).toMatchObject({ created: false, temporaryPassword: null });
    expect(await codeOf(outsiderAdmin.users.create({ teamId: f.otherTeam.id, email: "viewer@acme.test", role: "viewer" }))).toBe("CONFLICT");
  });

  it("records role changes with before and after, and keeps at least one admin", async () => {
    const admin = await f.caller("admin");
    await admin.users.setRole({ teamId: f.team.id, userId: f.users.viewer.id, role: "operator" });
    const audit = await f.db.auditLog.findFirstOrThrow({ where: { action: "membership.role.update", targetId: f.users.viewer.id }, orderBy: { createdAt: "desc" } });
    expect(audit.before).toEqual({ role: "viewer" });
    expect(audit.after).toEqual({ role: "operator" });
    await admin.users.setRole({ teamId: f.team.id, userId: f.users.viewer.id, role: "viewer" });

    expect(await codeOf(admin.users.setRole({ teamId: f.team.id, userId: f.users.admin.id, role: "viewer" }))).toBe("CONFLICT");
    expect(await codeOf(admin.users.remove({ teamId: f.team.id, userId: f.users.admin.id }))).toBe("CONFLICT");
  });

  it("does not let one team's admin deactivate or reset someone who also belongs to a team they do not administer", async () => {
    // viewer@acme is now also in globex (previous test); acme's admin does not administer globex.
    const admin = await f.caller("admin");
    expect(await codeOf(admin.users.setActive({ teamId: f.team.id, userId: f.users.viewer.id, isActive: false }))).toBe("FORBIDDEN");
    expect(await codeOf(admin.users.resetPassword({ teamId: f.team.id, userId: f.users.viewer.id }))).toBe("FORBIDDEN");
    expect((await f.db.user.findUniqueOrThrow({ where: { id: f.users.viewer.id } })).isActive).toBe(true);
  });

  it("deactivation ends the person's sessions; reset password gives a new one-time password", async () => {
    const admin = await f.caller("admin");
    const { sessionId } = await authenticateWithPassword(f.db, testPolicy, { email: "operator@acme.test", password: "Test-Password-For-Maestro-1" });
    await admin.users.setActive({ teamId: f.team.id, userId: f.users.operator.id, isActive: false });
    expect((await validateSession(f.db, testPolicy, sessionId)).ok).toBe(false);
    await admin.users.setActive({ teamId: f.team.id, userId: f.users.operator.id, isActive: true });

    const { temporaryPassword } = await admin.users.resetPassword({ teamId: f.team.id, userId: f.users.operator.id });
    await expect(authenticateWithPassword(f.db, testPolicy, { email: "operator@acme.test", password: temporaryPassword })).resolves.toBeTruthy();
    expect(await codeOf(admin.users.setActive({ teamId: f.team.id, userId: f.users.admin.id, isActive: false }))).toBe("CONFLICT");
  });

  it("lists members of the caller's team only, with search and pagination", async () => {
    const admin = await f.caller("admin");
    const all = await admin.users.list({ teamId: f.team.id, limit: 100 });
    expect(all.items.map((m) => m.email)).not.toContain("admin@globex.test");
    const page1 = await admin.users.list({ teamId: f.team.id, limit: 2 });
    expect(page1.items).toHaveLength(2);
    const page2 = await admin.users.list({ teamId: f.team.id, limit: 2, cursor: page1.nextCursor! });
    expect(page2.items[0]!.email).not.toBe(page1.items[1]!.email);
    expect((await admin.users.list({ teamId: f.team.id, search: "operat", limit: 10 })).items.map((m) => m.email)).toEqual(["operator@acme.test"]);
  });
});

describe("API keys", () => {
  it("are shown once, carry at most the creator's scopes, and only their owner or a key admin may revoke them", async () => {
    const viewer = await f.caller("viewer");
    expect(await codeOf(viewer.apiKeys.create({ teamId: f.team.id, name: "too much", scopes: ["workflows:run"] }))).toBe("FORBIDDEN");
    const created = await viewer.apiKeys.create({ teamId: f.team.id, name: "read only", scopes: ["team:read", "workflows:read"] });
    expect(created.key).toMatch(/^mk_/);
    const listed = await viewer.apiKeys.list({ teamId: f.team.id });
    expect(JSON.stringify(listed)).not.toContain(created.key);

    const operator = await f.caller("operator");
    expect(await codeOf(operator.apiKeys.revoke({ teamId: f.team.id, apiKeyId: created.apiKey.id }))).toBe("NOT_FOUND");
    const admin = await f.caller("admin");
    expect((await admin.apiKeys.list({ teamId: f.team.id })).map((k) => k.id)).toContain(created.apiKey.id);
    const revoked = await admin.apiKeys.revoke({ teamId: f.team.id, apiKeyId: created.apiKey.id });
    expect(revoked.revokedAt).not.toBeNull();
  });
});

describe("audit log", () => {
  it("is filterable and paginated, newest first, and scoped to the team", async () => {
    const admin = await f.caller("admin");
    const page = await admin.audit.list({ teamId: f.team.id, limit: 3 });
    expect(page.items).toHaveLength(3);
    expect(page.total).toBeGreaterThan(3);
    const times = page.items.map((i) => i.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    const next = await admin.audit.list({ teamId: f.team.id, limit: 3, cursor: page.nextCursor! });
    expect(next.items.map((i) => i.id)).not.toContain(page.items[0]!.id);
    const roleChanges = await admin.audit.list({ teamId: f.team.id, action: "membership.role", limit: 50 });
    expect(roleChanges.items.every((i) => i.action.startsWith("membership.role"))).toBe(true);
    const other = await (await f.caller("outsider")).audit.list({ teamId: f.otherTeam.id, limit: 100 });
    expect(other.items.every((i) => i.teamId === f.otherTeam.id || i.teamId === null)).toBe(true);
    expect(other.items.some((i) => i.teamId === f.team.id)).toBe(false);
  });
});

describe("audit visibility of account events", () => {
  it("shows a team's admins the sign-ins of its members, and other teams' members' sign-ins to nobody else", async () => {
    await authenticateWithPassword(f.db, testPolicy, { email: "admin@globex.test", password: "wrong-password-here" }).catch(() => undefined);
    await authenticateWithPassword(f.db, testPolicy, { email: "operator@acme.test", password: "wrong-password-here" }).catch(() => undefined);
    const acme = await (await f.caller("admin")).audit.list({ teamId: f.team.id, action: "auth.login", limit: 100 });
    expect(acme.items.some((i) => i.targetId === f.users.operator.id)).toBe(true);
    expect(acme.items.some((i) => i.targetId === f.users.outsider.id)).toBe(false);
    const globex = await (await f.caller("outsider")).audit.list({ teamId: f.otherTeam.id, action: "auth.login", limit: 100 });
    expect(globex.items.some((i) => i.targetId === f.users.outsider.id)).toBe(true);
    expect(globex.items.some((i) => i.targetId === f.users.operator.id)).toBe(false);
  });
});
