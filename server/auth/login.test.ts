import { beforeEach, describe, expect, it } from "vitest";
import { withFixtures, testPolicy, TEST_PASSWORD } from "../test/fixtures.ts";
import { authenticateWithPassword } from "./login.ts";
import { revokeAllSessions, validateSession } from "./sessions.ts";
import { RateLimitedError, UnauthorizedError } from "../errors.ts";

const f = withFixtures();
beforeEach(async () => {
  await f.db.loginThrottle.deleteMany();
});

const login = (email: string, password: string, ip = "10.0.0.1") =>
  authenticateWithPassword(f.db, testPolicy, { email, password, ip, userAgent: "vitest" });

describe("password sign-in", () => {
  it("opens a server-side session and audits the success", async () => {
    const result = await login("Admin@Acme.test", TEST_PASSWORD);
    expect(result.userId).toBe(f.users.admin.id);
    const session = await f.db.session.findUniqueOrThrow({ where: { id: result.sessionId } });
    expect(session.ip).toBe("10.0.0.1");
    expect(session.expiresAt.getTime()).toBeGreaterThan(Date.now() + testPolicy.sessionMaxAgeMs - 60_000);
    const audit = await f.db.auditLog.findFirst({ where: { action: "auth.login.succeeded", actorUserId: f.users.admin.id } });
    expect(audit).not.toBeNull();
  });

  it("gives the same answer for an unknown account and a wrong password, and audits both", async () => {
    const wrong = await login("admin@acme.test", "not-the-password").catch((e: unknown) => e);
    const unknown = await login("nobody@acme.test", "not-the-password").catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(UnauthorizedError);
    expect((wrong as Error).message).toBe((unknown as Error).message);
    const failures = await f.db.auditLog.findMany({ where: { action: "auth.login.failed" } });
    expect(failures.map((a) => (a.after as { reason: string }).reason)).toEqual(expect.arrayContaining(["wrong-password", "unknown-account"]));
  });

  it("locks an account after repeated failures, even for the right password, until the lockout ends", async () => {
    for (let i = 0; i < testPolicy.loginMaxFailures; i++) {
      await expect(login("operator@acme.test", "wrong-password-x")).rejects.toBeInstanceOf(UnauthorizedError);
    }
    const locked = await login("operator@acme.test", TEST_PASSWORD).catch((e: unknown) => e);
    expect(locked).toBeInstanceOf(RateLimitedError);
    expect((locked as RateLimitedError).retryAfterSeconds).toBeGreaterThan(0);
    expect((locked as Error).message).toMatch(/Try again in \d+ minute/);

    await f.db.loginThrottle.updateMany({ data: { lockedUntil: new Date(Date.now() - 1000) } });
    await expect(login("operator@acme.test", TEST_PASSWORD)).resolves.toMatchObject({ userId: f.users.operator.id });
  });

  it("throttles one address that sweeps many accounts", async () => {
    const limit = testPolicy.loginMaxFailures * 4;
    for (let i = 0; i < limit; i++) {
      await login(`sweep${i}@acme.test`, "guess-guess-guess", "10.9.9.9").catch(() => undefined);
    }
    await expect(login("viewer@acme.test", TEST_PASSWORD, "10.9.9.9")).rejects.toBeInstanceOf(RateLimitedError);
    await expect(login("viewer@acme.test", TEST_PASSWORD, "10.1.1.1")).resolves.toMatchObject({ userId: f.users.viewer.id });
  });

  it("refuses a deactivated account", async () => {
    const user = await f.db.user.create({ data: { email: "gone@acme.test", passwordHash: (await f.db.user.findUniqueOrThrow({ where: { id: f.users.admin.id } })).passwordHash, isActive: false } });
    await expect(login(user.email, TEST_PASSWORD)).rejects.toThrow(/deactivated/);
  });
});

describe("sessions", () => {
  it("expire after the idle timeout and after their absolute lifetime", async () => {
    const { sessionId } = await login("viewer@acme.test", TEST_PASSWORD, "10.2.2.2");
    const now = Date.now();
    expect((await validateSession(f.db, testPolicy, sessionId, new Date(now + 1000))).ok).toBe(true);
    expect(await validateSession(f.db, testPolicy, sessionId, new Date(now + testPolicy.sessionIdleMs + 120_000))).toEqual({ ok: false, reason: "idle" });
    await f.db.session.update({ where: { id: sessionId }, data: { expiresAt: new Date(now - 1) } });
    expect(await validateSession(f.db, testPolicy, sessionId)).toEqual({ ok: false, reason: "expired" });
  });

  it("all end when the person signs out everywhere", async () => {
    const a = await login("admin@acme.test", TEST_PASSWORD, "10.3.3.3");
    const b = await login("admin@acme.test", TEST_PASSWORD, "10.3.3.4");
    expect(await revokeAllSessions(f.db, f.users.admin.id)).toBeGreaterThanOrEqual(2);
    expect(await validateSession(f.db, testPolicy, a.sessionId)).toEqual({ ok: false, reason: "revoked" });
    expect(await validateSession(f.db, testPolicy, b.sessionId)).toEqual({ ok: false, reason: "revoked" });
  });

  it("end when the account is deactivated", async () => {
    const { sessionId } = await login("viewer@acme.test", TEST_PASSWORD, "10.4.4.4");
    await f.db.user.update({ where: { id: f.users.viewer.id }, data: { isActive: false } });
    expect(await validateSession(f.db, testPolicy, sessionId)).toEqual({ ok: false, reason: "inactive-user" });
    await f.db.user.update({ where: { id: f.users.viewer.id }, data: { isActive: true } });
  });
});

describe("throttling under concurrency", () => {
  it("counts every one of many parallel wrong guesses", async () => {
    const attempts = 12;
    await Promise.all(Array.from({ length: attempts }, () => login("admin@acme.test", "parallel-wrong-guess", "10.7.7.7").catch(() => undefined)));
    const row = await f.db.loginThrottle.findUniqueOrThrow({ where: { key: "ip:10.7.7.7" } });
    expect(row.failures).toBe(attempts);
    const account = await f.db.loginThrottle.findUniqueOrThrow({ where: { key: "account:admin@acme.test" } });
    expect(account.lockedUntil!.getTime()).toBeGreaterThan(Date.now());
  });
});
