import { describe, expect, it } from "vitest";
import { withFixtures, testPolicy } from "../../test/fixtures.ts";
import { authenticateWithPassword } from "../../auth/login.ts";
import { validateSession } from "../../auth/sessions.ts";
import { bootstrapAdmin, createUserFromCli, resetPasswordFromCli } from "./service.ts";

const f = withFixtures();

describe("operator commands", () => {
  it("do not bootstrap a second admin once people exist", async () => {
    expect(await bootstrapAdmin(f.db, testPolicy, {})).toEqual({ created: false });
  });

  it("add a person the way an admin would, refusing a second membership", async () => {
    const created = await createUserFromCli(f.db, testPolicy, { email: "Cli.Person@Acme.test", role: "operator", team: "acme" });
    expect(created).toMatchObject({ email: "cli.person@acme.test", team: "acme", role: "operator", createdAccount: true });
    expect(created.generatedPassword).toHaveLength(20);
    await expect(createUserFromCli(f.db, testPolicy, { email: "cli.person@acme.test", role: "viewer", team: "acme" })).rejects.toThrow(/already a member/);
    const audit = await f.db.auditLog.findFirstOrThrow({ where: { action: "user.create", actorLabel: "cli" } });
    expect(audit.teamId).toBe(f.team.id);
  });

  it("reset a locked-out account: reactivated, sessions ended, chosen password final", async () => {
    const { sessionId } = await authenticateWithPassword(f.db, testPolicy, { email: "viewer@acme.test", password: "Test-Password-For-Maestro-1" });
    await f.db.user.update({ where: { id: f.users.viewer.id }, data: { isActive: false } });
    const result = await resetPasswordFromCli(f.db, testPolicy, { email: "viewer@acme.test", password: "Brand-New-Passphrase-77" });
    expect(result).toMatchObject({ sessionsEnded: 1, generatedPassword: undefined });
    expect((await validateSession(f.db, testPolicy, sessionId)).ok).toBe(false);
    const user = await f.db.user.findUniqueOrThrow({ where: { id: f.users.viewer.id } });
    expect(user).toMatchObject({ isActive: true, mustChangePassword: false });
    await expect(authenticateWithPassword(f.db, testPolicy, { email: "viewer@acme.test", password: "Brand-New-Passphrase-77" })).resolves.toBeTruthy();
  });
});
