// Malformed, wrong-typed and oversized input to every procedure that takes input gets
// a 400-class typed error and changes nothing in the database.
import { describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { appRouter } from "./root.ts";
import { withFixtures, type Fixtures } from "../test/fixtures.ts";
import { limitRequestBody } from "./body-limit.ts";

const HUGE = "x".repeat(100_000);

/** Inputs no procedure accepts. */
const BAD_INPUTS: [string, unknown][] = [
  ["null", null],
  ["a string", "hello"],
  ["an array", [1, 2, 3]],
  ["wrong types", { teamId: 42, email: true, role: 7, name: ["x"], scopes: "all", userId: {}, apiKeyId: 1, isActive: "yes", limit: "ten" }],
  ["oversized strings", { teamId: HUGE, email: `${HUGE}@x.io`, name: HUGE, slug: HUGE, userId: HUGE, apiKeyId: HUGE, currentPassword: HUGE, newPassword: HUGE, action: HUGE }],
  ["an unknown role, scope and id", { teamId: "not a valid id!", email: "a@b.co", role: "owner", name: "n", scopes: ["root:all"], userId: "u", apiKeyId: "k" }],
];

const fixtures = withFixtures();

async function tableCounts(f: Fixtures) {
  const db = f.db;
  return {
    users: await db.user.count(),
    teams: await db.team.count(),
    memberships: await db.membership.count(),
    apiKeys: await db.apiKey.count(),
    sessions: await db.session.count(),
    audit: await db.auditLog.count(),
    roles: (await db.membership.findMany({ orderBy: { id: "asc" }, select: { role: true } })).map((m) => m.role).join(),
  };
}


const withInput = Object.entries(appRouter._def.procedures)
  .filter(([, p]) => (p as unknown as { _def: { inputs: unknown[] } })._def.inputs.length > 0)
  .map(([path]) => path);

describe("bad input", () => {
  it("finds procedures to check", () => {
    expect(withInput.length).toBeGreaterThan(10);
  });

  for (const path of withInput) {
    for (const [label, input] of BAD_INPUTS) {
      it(`${path} refuses ${label} with BAD_REQUEST and changes nothing`, async () => {
        const caller = await fixtures.caller("admin");
        const before = await tableCounts(fixtures);
        const procedure = path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller) as (i: unknown) => Promise<unknown>;
        const error = await procedure(input).then(() => null, (e: unknown) => e);
        expect(error).toBeInstanceOf(TRPCError);
        expect((error as TRPCError).code).toBe("BAD_REQUEST");
        expect(await tableCounts(fixtures)).toEqual(before);
      });
    }
  }
});

describe("request size limit", () => {
  it("answers 413 with a typed error before reading an oversized body", async () => {
    const big = new Request("http://localhost/api/trpc/users.create", { method: "POST", body: "x".repeat(2048), headers: { "content-type": "application/json" } });
    const result = await limitRequestBody(big, 1024);
    expect(result).toBeInstanceOf(Response);
    const response = result as Response;
    expect(response.status).toBe(413);
    const body = (await response.json()) as { error: { json: { data: { code: string } } } };
    expect(body.error.json.data.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("passes a body within the limit through intact", async () => {
    const ok = new Request("http://localhost/api/trpc/x", { method: "POST", body: '{"a":1}' });
    const result = await limitRequestBody(ok, 1024);
    expect(result).toBeInstanceOf(Request);
    expect(await (result as Request).text()).toBe('{"a":1}');
  });
});
