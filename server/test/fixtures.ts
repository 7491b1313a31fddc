// People and teams for integration tests: one team ("acme") with an admin, an operator
// and a viewer, and a second team ("globex") with its own admin, to prove tenant scoping.
import type { Db } from "../db/client.ts";
import { hashPassword } from "../auth/password.ts";
import { principalForUser, type Principal } from "../auth/principal.ts";
import type { AuthPolicy } from "../auth/policy.ts";
import { createContextForPrincipal } from "../api/context.ts";
import { createCaller } from "../api/root.ts";
import type { Role } from "../shared/rbac.ts";
import type { TestDatabase } from "./db.ts";
import { withTestDatabase } from "./with-database.ts";

export const TEST_PASSWORD = "Test-Password-For-Maestro-1";

export const testPolicy: AuthPolicy = {
  sessionIdleMs: 30 * 60_000,
  sessionMaxAgeMs: 24 * 3_600_000,
  loginMaxFailures: 3,
  loginLockoutMs: 5 * 60_000,
  loginFailureWindowMs: 5 * 60_000,
  passwordMinLength: 12,
};

export type Persona = "anonymous" | Role | "outsider";
export const PERSONAS: Persona[] = ["anonymous", "viewer", "operator", "admin"];

export interface Fixtures {
  db: Db;
  team: { id: string; slug: string };
  otherTeam: { id: string; slug: string };
  users: Record<Role | "outsider", { id: string; email: string }>;
  principal(persona: Persona): Promise<Principal | null>;
  caller(persona: Persona): Promise<ReturnType<typeof createCaller>>;
}

/** A browser-session principal for the user, as the session cookie would resolve it. */
export async function principalFor(db: Db, userId: string): Promise<Principal> {
  const principal = await principalForUser(db, userId, null);
  if (!principal) throw new Error(`No active user ${userId}`);
  return principal;
}

export async function seedFixtures(db: Db): Promise<Fixtures> {
  const passwordHash = await hashPassword(TEST_PASSWORD);
  const team = await db.team.create({ data: { slug: "acme", name: "Acme" } });
  const otherTeam = await db.team.create({ data: { slug: "globex", name: "Globex" } });
  const make = async (role: Role, teamId: string, email: string) =>
    db.user.create({ data: { email, name: email.split("@")[0], passwordHash, memberships: { create: { teamId, role } } } });
  const users = {
    admin: await make("admin", team.id, "admin@acme.test"),
    operator: await make("operator", team.id, "operator@acme.test"),
    viewer: await make("viewer", team.id, "viewer@acme.test"),
    outsider: await make("admin", otherTeam.id, "admin@globex.test"),
  };
  const principal = async (persona: Persona) => (persona === "anonymous" ? null : principalFor(db, users[persona].id));
  return {
    db,
    team,
    otherTeam,
    users,
    principal,
    caller: async (persona) => createCaller(createContextForPrincipal(db, testPolicy, await principal(persona))),
  };
}

/**
 * A fresh database with the fixtures for the test file. The returned object is filled
 * in before the tests run, so tests use it directly (`f.db`, `f.caller("admin")`).
 */
export function withFixtures(): Fixtures & { database: TestDatabase } {
  const fixtures = {} as Fixtures & { database: TestDatabase };
  withTestDatabase(async (database) => {
    Object.assign(fixtures, await seedFixtures(database.prisma), { database });
  });
  return fixtures;
}
