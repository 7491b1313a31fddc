// `maestro apikey create` and `maestro usage`: the command functions on the test
// database, and the same commands sent through the loopback bridge of a running server.
import { beforeAll, describe, expect, it } from "vitest";
import { env } from "../env.ts";
import { withFixtures } from "../test/fixtures.ts";
import { withBridgeServer } from "../test/cli-bridge.ts";
import { principalFromApiKey } from "../auth/principal.ts";
import { scopesForRole } from "../shared/rbac.ts";
import type { CliUsageResult } from "../modules/usage/index.ts";
import { textTable, usageTable } from "../cli.ts";
import { runCliCommand } from "./commands.ts";
import { callRunningServer, runningServer } from "./bridge.ts";

const f = withFixtures();
withBridgeServer("gateway-cli");
const HOUR = 3_600_000;

beforeAll(async () => {
  const openai = await f.db.llmProvider.create({ data: { teamId: f.team.id, name: "openai", kind: "openai", models: ["gpt-4o", "gpt-4o-mini"] } });
  const now = Date.now();
  const base = { teamId: f.team.id, operation: "chat", outcome: "ok", providerId: openai.id, providerName: "openai" };
  await f.db.usageRecord.createMany({
    data: [
      { ...base, createdAt: new Date(now - 1 * HOUR), model: "gpt-4o", inputTokens: 1_200, outputTokens: 300, costNano: 1_500_000_000n },
      { ...base, createdAt: new Date(now - 2 * HOUR), model: "gpt-4o", inputTokens: 800, outputTokens: 100, costNano: 500_000_000n },
      { ...base, createdAt: new Date(now - 3 * HOUR), model: "gpt-4o-mini", inputTokens: 50, outputTokens: 5, costNano: 1_000n },
      { ...base, createdAt: new Date(now - 3 * 24 * HOUR), model: "gpt-4o", inputTokens: 10_000, outputTokens: 1_000, costNano: 9_000_000_000n },
      { ...base, teamId: f.otherTeam.id, providerId: null, createdAt: new Date(now - HOUR), model: "other", costNano: 1n },
    ],
  });
});

describe("maestro apikey create", () => {
  it("creates a working key with every scope the member's role grants, and audits it", async () => {
    const result = (await runCliCommand({ name: "apikey.create", args: { email: "Viewer@Acme.test", team: "acme", name: "grafana" } })) as {
      key: string;
      name: string;
      scopes: string[];
      email: string;
      team: string;
    };
    expect(result).toMatchObject({ name: "grafana", email: "viewer@acme.test", team: "acme" });
    expect([...result.scopes].sort()).toEqual(scopesForRole("viewer").sort());
    const principal = await principalFromApiKey(f.db, result.key);
    expect(principal).toMatchObject({ kind: "apiKey", userId: f.users.viewer.id, apiKey: { name: "grafana", teamId: f.team.id } });
    const stored = await f.db.apiKey.findFirstOrThrow({ where: { name: "grafana" } });
    expect(stored.hash).not.toContain(result.key);
    expect(await f.db.auditLog.findFirst({ where: { action: "apikey.create", targetId: stored.id, actorLabel: "cli" } })).not.toBeNull();
  });

  it("narrows to the scopes asked for, and refuses scopes the role lacks or that do not exist", async () => {
    const narrow = (await runCliCommand({ name: "apikey.create", args: { email: "operator@acme.test", team: "acme", scopes: ["usage:read", "gateway:call"] } })) as {
      scopes: string[];
      name: string;
    };
    expect(narrow.scopes).toEqual(["usage:read", "gateway:call"]);
    expect(narrow.name).toMatch(/^cli \d{4}-\d{2}-\d{2}$/);
    await expect(runCliCommand({ name: "apikey.create", args: { email: "viewer@acme.test", team: "acme", scopes: ["users:admin"] } })).rejects.toThrow(
      /viewer@acme.test is viewer in "acme", which does not grant: users:admin/,
    );
    await expect(runCliCommand({ name: "apikey.create", args: { email: "viewer@acme.test", team: "acme", scopes: ["usage:reed"] } })).rejects.toThrow(/Unknown scope\(s\): usage:reed/);
  });

  it("names an unknown team or a person outside it", async () => {
    await expect(runCliCommand({ name: "apikey.create", args: { email: "viewer@acme.test", team: "nowhere" } })).rejects.toThrow(/Team "nowhere" was not found/);
    await expect(runCliCommand({ name: "apikey.create", args: { email: "admin@globex.test", team: "acme" } })).rejects.toThrow(/admin@globex.test as a member of team "acme" was not found/);
  });

  it("works through the running server's bridge", async () => {
    const info = runningServer(env())!;
    const result = (await callRunningServer(info, { name: "apikey.create", args: { email: "admin@acme.test", team: "acme", name: "bridge", scopes: ["usage:read"] } })) as {
      key: string;
    };
    expect(result.key).toMatch(/^mk_/);
    expect(await principalFromApiKey(f.db, result.key)).toMatchObject({ apiKey: { scopes: ["usage:read"] } });
    await expect(callRunningServer(info, { name: "apikey.create", args: { email: "admin@acme.test", team: "acme", scopes: ["nope"] } })).rejects.toThrow(/Unknown scope/);
  });
});

describe("maestro usage", () => {
  it("sums the team's spend by provider and model since the given time", async () => {
    const day = (await runCliCommand({ name: "usage.summary", args: { team: "acme", since: "24h" } })) as CliUsageResult;
    expect(day.rows).toEqual([
      { provider: "openai", model: "gpt-4o", calls: 2, inputTokens: 2_000, outputTokens: 400, costUsd: 2 },
      { provider: "openai", model: "gpt-4o-mini", calls: 1, inputTokens: 50, outputTokens: 5, costUsd: 0.000001 },
    ]);
    expect(day.total).toEqual({ calls: 3, inputTokens: 2_050, outputTokens: 405, costUsd: 2.000001 });
    const week = (await runCliCommand({ name: "usage.summary", args: { team: "acme", since: "7d" } })) as CliUsageResult;
    expect(week.total.costUsd).toBe(11.000001);
    const defaults = (await runCliCommand({ name: "usage.summary", args: { team: "acme" } })) as CliUsageResult;
    expect(defaults.total.calls).toBe(4);
  });

  it("refuses an unknown team or an unreadable --since", async () => {
    await expect(runCliCommand({ name: "usage.summary", args: { team: "nowhere", since: "7d" } })).rejects.toThrow(/Team "nowhere" was not found/);
    await expect(runCliCommand({ name: "usage.summary", args: { team: "acme", since: "last week" } })).rejects.toThrow(/--since "last week" is not understood/);
  });

  it("works through the running server's bridge", async () => {
    const info = runningServer(env())!;
    const result = (await callRunningServer(info, { name: "usage.summary", args: { team: "acme", since: "24h" } })) as CliUsageResult;
    expect(result.total.calls).toBe(3);
    await expect(callRunningServer(info, { name: "usage.summary", args: { team: "nowhere", since: "24h" } })).rejects.toThrow(/Team "nowhere" was not found/);
  });

  it("prints an aligned table with a total line", () => {
    const result: CliUsageResult = {
      team: "acme",
      from: "2026-11-16T00:00:00.000Z",
      to: "2026-11-23T00:00:00.000Z",
      rows: [
        { provider: "openai", model: "gpt-4o", calls: 1234, inputTokens: 1_200_000, outputTokens: 30_000, costUsd: 3.5 },
        { provider: "anthropic", model: "claude-x", calls: 2, inputTokens: 50, outputTokens: 5, costUsd: 0.000001 },
      ],
      total: { calls: 1236, inputTokens: 1_200_050, outputTokens: 30_005, costUsd: 3.500001 },
    };
    expect(usageTable(result).split("\n")).toEqual([
      'Usage of team "acme" from 2026-11-16T00:00:00.000Z to 2026-11-23T00:00:00.000Z (UTC):',
      "",
      "Provider   Model     Calls  Input tokens  Output tokens  Cost USD",
      "---------  --------  -----  ------------  -------------  --------",
      "openai     gpt-4o    1,234     1,200,000         30,000  3.500000",
      "anthropic  claude-x      2            50              5  0.000001",
      "---------  --------  -----  ------------  -------------  --------",
      "Total                1,236     1,200,050         30,005  3.500001",
    ]);
    expect(usageTable({ ...result, rows: [] })).toContain("No LLM calls in this period.");
    expect(textTable(["a", "b"], [["xx", "1"]], [false, true])).toBe("a   b\n--  -\nxx  1");
  });
});
