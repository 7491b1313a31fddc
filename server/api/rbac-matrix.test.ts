// Every tRPC procedure, called as anonymous, viewer, operator and admin, with the
// outcome each must get. The table must name every procedure of the router, so a new
// procedure cannot ship without deciding who may call it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { appRouter } from "./root.ts";
import { PERSONAS, withFixtures, type Fixtures } from "../test/fixtures.ts";
import { hashPassword } from "../auth/password.ts";
import { adminsOnly, anyTeamAdmin, everyone, teamMembers, unique, type Case, type RuleRefusals } from "../test/rbac.ts";
import { PROVIDERS_CASES } from "../test/rbac-cases/providers.ts";
import { BUDGETS_CASES } from "../test/rbac-cases/budgets.ts";
import { USAGE_CASES } from "../test/rbac-cases/usage.ts";
import { GATEWAY_CASES } from "../test/rbac-cases/gateway.ts";
import { MCP_CASES } from "../test/rbac-cases/mcp.ts";
import { WORKFLOWS_CASES } from "../test/rbac-cases/workflows.ts";
import { RUNS_CASES } from "../test/rbac-cases/runs.ts";
import { AGENTS_CASES } from "../test/rbac-cases/agents.ts";
import { startEngine, stopEngine } from "../engine/index.ts";
import { NODES_CASES } from "../test/rbac-cases/nodes.ts";

async function newMember(f: Fixtures, role: "viewer" | "operator" | "admin" = "viewer") {
  const user = await f.db.user.create({
    data: { email: `${unique("member")}@acme.test`, passwordHash: await hashPassword("Member-Pass-12345"), memberships: { create: { teamId: f.team.id, role } } },
  });
  return user.id;
}

const CASES: Record<string, Case> = {
  ...PROVIDERS_CASES,
  ...BUDGETS_CASES,
  ...USAGE_CASES,
  ...GATEWAY_CASES,
  ...MCP_CASES,
  ...WORKFLOWS_CASES,
  ...RUNS_CASES,
  ...AGENTS_CASES,
  ...NODES_CASES,
  "account.me": { expect: everyone, input: () => undefined },
  "account.changePassword": {
    expect: { ...everyone, anonymous: "UNAUTHORIZED" },
    // A wrong current password proves the procedure is reachable without changing fixtures.
    input: () => ({ currentPassword: "Test-Password-For-Maestro-1", newPassword: "Test-Password-For-Maestro-1" }),
  },
  "account.signOutEverywhere": { expect: everyone, input: () => undefined },
  "users.list": { expect: adminsOnly, input: (f) => ({ teamId: f.team.id }) },
  "users.create": { expect: adminsOnly, input: (f) => ({ teamId: f.team.id, email: `${unique("new")}@acme.test`, role: "viewer" }) },
  "users.setRole": { expect: adminsOnly, input: async (f) => ({ teamId: f.team.id, userId: await newMember(f), role: "operator" }) },
  "users.remove": { expect: adminsOnly, input: async (f) => ({ teamId: f.team.id, userId: await newMember(f) }) },
  "users.setActive": { expect: adminsOnly, input: async (f) => ({ teamId: f.team.id, userId: await newMember(f), isActive: false }) },
  "users.resetPassword": { expect: adminsOnly, input: async (f) => ({ teamId: f.team.id, userId: await newMember(f) }) },
  "teams.list": { expect: anyTeamAdmin, input: () => undefined },
  "teams.create": { expect: anyTeamAdmin, input: () => ({ name: "New team", slug: unique("team-") }) },
  "teams.rename": { expect: adminsOnly, input: (f) => ({ teamId: f.team.id, name: "Acme" }) },
  "apiKeys.list": { expect: teamMembers, input: (f) => ({ teamId: f.team.id }) },
  "apiKeys.create": { expect: teamMembers, input: (f) => ({ teamId: f.team.id, name: "ci", scopes: ["team:read"] }) },
  "apiKeys.revoke": {
    expect: teamMembers,
    input: async (f, persona) => {
      // Each persona revokes a key of its own (in acme; the outsider gets NOT_FOUND at the team check).
      const owner = persona === "anonymous" || persona === "outsider" ? f.users.admin : f.users[persona];
      const key = await f.db.apiKey.create({ data: { teamId: f.team.id, userId: owner.id, name: "k", prefix: "mk_x", hash: unique("hash"), scopes: ["team:read"] } });
      return { teamId: f.team.id, apiKeyId: key.id };
    },
  },
  "audit.list": { expect: adminsOnly, input: (f) => ({ teamId: f.team.id }) },
};

/** Expected outcome overrides where the valid input is deliberately refused by a rule, not by RBAC. */
const RULE_REFUSALS: RuleRefusals = {
  "account.changePassword": { viewer: "BAD_REQUEST", operator: "BAD_REQUEST", admin: "BAD_REQUEST", outsider: "BAD_REQUEST" },
};

function procedurePaths(): string[] {
  return Object.keys(appRouter._def.procedures).sort();
}

async function outcomeOf(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return "OK";
  } catch (error) {
    if (error instanceof TRPCError) return error.code;
    throw error;
  }
}

/** A subscription's checks run when it is first read. */
async function firstValue(result: Promise<unknown>): Promise<void> {
  const iterable = (await result) as AsyncIterable<unknown>;
  for await (const _value of iterable) break;
}

const fixtures = withFixtures();

// runs.start and the run controls act through the engine (in this process, on the fixtures' database).
beforeAll(async () => {
  await startEngine({ backend: "in-process" });
});
afterAll(async () => {
  await stopEngine();
});

describe("RBAC matrix", () => {
  it("covers every procedure of the API", () => {
    expect(Object.keys(CASES).sort()).toEqual(procedurePaths());
  });

  for (const [path, testCase] of Object.entries(CASES)) {
    for (const persona of [...PERSONAS, "outsider" as const]) {
      const wanted = RULE_REFUSALS[path]?.[persona] ?? testCase.expect[persona];
      it(`${path} as ${persona} → ${wanted}`, async () => {
        const caller = await fixtures.caller(persona);
        const input = await testCase.input(fixtures, persona);
        const procedure = path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller) as (i: unknown) => Promise<unknown>;
        const call = testCase.subscription ? () => firstValue(procedure(input)) : () => procedure(input);
        expect(await outcomeOf(call)).toBe(wanted);
      });
    }
  }
});
