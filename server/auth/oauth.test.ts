import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { withFixtures, testPolicy } from "../test/fixtures.ts";
import { resetEnvCache } from "../env.ts";
import { signInWithOAuth } from "./oauth.ts";

const f = withFixtures();

beforeAll(async () => {
  await f.db.team.create({ data: { slug: "default", name: "Default" } });
});
afterEach(() => {
  delete process.env.MAESTRO_OAUTH_ALLOW_SIGNUP;
  resetEnvCache();
});

describe("single sign-on", () => {
  it("links an identity to the invited account with the same e-mail, then recognises it by id", async () => {
    const first = await signInWithOAuth(f.db, testPolicy, { provider: "github", providerAccountId: "gh-1", email: "Viewer@Acme.test", name: "V" });
    expect(first).toMatchObject({ ok: true, userId: f.users.viewer.id });
    const again = await signInWithOAuth(f.db, testPolicy, { provider: "github", providerAccountId: "gh-1", email: null, name: null });
    expect(again).toMatchObject({ ok: true, userId: f.users.viewer.id });
    if (again.ok) expect(await f.db.session.findUnique({ where: { id: again.sessionId } })).not.toBeNull();
  });

  it("refuses strangers unless sign-up is allowed, and then makes them viewers of the default team", async () => {
    const refused = await signInWithOAuth(f.db, testPolicy, { provider: "oidc", providerAccountId: "x-1", email: "stranger@else.test", name: "S" });
    expect(refused).toEqual({ ok: false, message: expect.stringMatching(/Ask an admin to invite you/) });

    process.env.MAESTRO_OAUTH_ALLOW_SIGNUP = "true";
    resetEnvCache();
    const admitted = await signInWithOAuth(f.db, testPolicy, { provider: "oidc", providerAccountId: "x-1", email: "stranger@else.test", name: "S" });
    expect(admitted.ok).toBe(true);
    const membership = await f.db.membership.findFirstOrThrow({ where: { user: { email: "stranger@else.test" } }, include: { team: true } });
    expect(membership).toMatchObject({ role: "viewer", team: { slug: "default" } });
  });

  it("refuses a deactivated account", async () => {
    await f.db.user.update({ where: { id: f.users.operator.id }, data: { isActive: false } });
    const outcome = await signInWithOAuth(f.db, testPolicy, { provider: "github", providerAccountId: "gh-2", email: "operator@acme.test", name: null });
    expect(outcome).toEqual({ ok: false, message: "This account is deactivated." });
  });
});
