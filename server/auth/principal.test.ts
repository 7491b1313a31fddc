import { describe, expect, it } from "vitest";
import { encode } from "next-auth/jwt";
import { principalFor, withFixtures, testPolicy, TEST_PASSWORD } from "../test/fixtures.ts";
import { principalFromHeaders } from "./principal.ts";
import { authenticateWithPassword } from "./login.ts";
import { createApiKey } from "../modules/apikeys/index.ts";

const SECRET = "principal-test-secret-long-enough-0123456789";
const f = withFixtures();

async function keyFor(persona: "admin" | "viewer", scopes: Parameters<typeof createApiKey>[2]["scopes"], expiresInDays?: number) {
  const principal = await principalFor(f.db, f.users[persona].id);
  const membership = principal.memberships[0]!;
  return createApiKey(f.db, { userId: principal.userId, label: principal.email, scopes: membership.scopes, apiKeyId: null }, {
    teamId: f.team.id,
    name: `${persona}-key`,
    scopes,
    expiresInDays,
  });
}

describe("API key principals", () => {
  it("resolve to the owner, limited to the team and scopes of the key, and record last use", async () => {
    const { key, apiKey } = await keyFor("admin", ["team:read", "users:admin"]);
    const p = await principalFromHeaders(f.db, testPolicy, SECRET, { authorization: `Bearer ${key}` });
    expect(p).toMatchObject({ kind: "apiKey", userId: f.users.admin.id, apiKey: { id: apiKey.id, teamId: f.team.id } });
    expect(p!.memberships).toHaveLength(1);
    expect(p!.memberships[0]!.scopes.sort()).toEqual(["team:read", "users:admin"]);
    expect((await f.db.apiKey.findUniqueOrThrow({ where: { id: apiKey.id } })).lastUsedAt).not.toBeNull();
  });

  it("never exceed the owner's current role", async () => {
    const { key } = await keyFor("admin", ["team:read", "users:admin"]);
    await f.db.membership.updateMany({ where: { userId: f.users.admin.id, teamId: f.team.id }, data: { role: "viewer" } });
    const p = await principalFromHeaders(f.db, testPolicy, SECRET, { authorization: `Bearer ${key}` });
    expect(p!.memberships[0]!.scopes).toEqual(["team:read"]);
    await f.db.membership.updateMany({ where: { userId: f.users.admin.id, teamId: f.team.id }, data: { role: "admin" } });
  });

  it("stop working when revoked or expired, and unknown keys are refused", async () => {
    const revoked = await keyFor("viewer", ["team:read"]);
    await f.db.apiKey.update({ where: { id: revoked.apiKey.id }, data: { revokedAt: new Date() } });
    const expired = await keyFor("viewer", ["team:read"], 1);
    await f.db.apiKey.update({ where: { id: expired.apiKey.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    for (const key of [revoked.key, expired.key, "mk_not-a-real-key-000000000000000000000", "garbage"]) {
      expect(await principalFromHeaders(f.db, testPolicy, SECRET, { authorization: `Bearer ${key}` })).toBeNull();
    }
  });

  it("are stored only as a hash", async () => {
    const { key, apiKey } = await keyFor("viewer", ["team:read"]);
    const row = await f.db.apiKey.findUniqueOrThrow({ where: { id: apiKey.id } });
    expect(JSON.stringify(row)).not.toContain(key);
    expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(key.startsWith(row.prefix)).toBe(true);
  });
});

describe("session cookie principals", () => {
  it("resolve from a next-auth JWT whose server-side session is valid, and not after sign-out", async () => {
    const { sessionId, userId } = await authenticateWithPassword(f.db, testPolicy, { email: "operator@acme.test", password: TEST_PASSWORD });
    const token = await encode({ token: { uid: userId, sid: sessionId }, secret: SECRET });
    const cookie = `other=1; next-auth.session-token=${token}`;
    expect(await principalFromHeaders(f.db, testPolicy, SECRET, { cookie })).toMatchObject({ kind: "session", userId, sessionId });
    expect(await principalFromHeaders(f.db, testPolicy, "a-different-secret-0123456789abcdef", { cookie })).toBeNull();
    await f.db.session.update({ where: { id: sessionId }, data: { revokedAt: new Date() } });
    expect(await principalFromHeaders(f.db, testPolicy, SECRET, { cookie })).toBeNull();
  });
});
