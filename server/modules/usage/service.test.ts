// The usage reads against seeded ledger rows, exact to the nano-dollar, through the
// router as each persona would call them and through the service functions.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { withFixtures } from "../../test/fixtures.ts";
import type { Prisma } from "../../db/generated/client.ts";
import { isDomainError } from "../../errors.ts";
import { BatchedUsageSink, registerUsageSink } from "./recorder.ts";
import { bucketStarts, csvField, formatNanoUsd, nanoSumToUsd, parseSince, usageByTeam, usageCsv, usageForCli, usageSummary, usageTimeseries } from "./service.ts";

const f = withFixtures();

const at = (iso: string) => new Date(iso);
const range = { from: "2026-11-01", to: "2026-11-04" };
const ids: Record<string, string> = {};

function row(data: Partial<Prisma.UsageRecordCreateManyInput> & { createdAt: Date }): Prisma.UsageRecordCreateManyInput {
  return { teamId: f.team.id, model: "gpt-4o", operation: "chat", outcome: "ok", ...data };
}

beforeAll(async () => {
  const openai = await f.db.llmProvider.create({ data: { teamId: f.team.id, name: "openai-main", kind: "openai", models: ["gpt-4o"] } });
  const anthropic = await f.db.llmProvider.create({ data: { teamId: f.team.id, name: "anthropic", kind: "anthropic", models: ["claude-x"] } });
  const key = await f.db.apiKey.create({ data: { teamId: f.team.id, userId: f.users.admin.id, name: "ci-bot", prefix: "mk_test", hash: "usage-test-hash", scopes: ["usage:read"] } });
  Object.assign(ids, { openai: openai.id, anthropic: anthropic.id, key: key.id });
  const op = { providerId: openai.id, providerName: "openai", providerKind: "openai" };
  const an = { providerId: anthropic.id, providerName: "anthropic", providerKind: "anthropic", model: "claude-x" };
  await f.db.usageRecord.createMany({
    data: [
      row({ id: "r1", createdAt: at("2026-11-01T10:00:00Z"), ...op, userId: f.users.admin.id, apiKeyId: key.id, inputTokens: 1000, outputTokens: 500, cachedInputTokens: 200, costNano: 123_456_789n, latencyMs: 100 }),
      row({ id: "r2", createdAt: at("2026-11-01T23:59:59.999Z"), ...op, operation: "workflow.step", userId: f.users.operator.id, inputTokens: 10, outputTokens: 5, costNano: 1n, latencyMs: 300 }),
      row({ id: "r3", createdAt: at("2026-11-02T00:00:00Z"), ...an, userId: f.users.admin.id, apiKeyId: key.id, inputTokens: 2000, outputTokens: 1000, costNano: 999_999_999n, latencyMs: 200, cacheHit: true }),
      row({ id: "r4", createdAt: at("2026-11-03T12:30:00Z"), ...an, userId: f.users.viewer.id, outcome: "error", errorKind: "rate_limited", errorMessage: 'Vendor said "slow down", then\nclosed', latencyMs: 50 }),
      row({ id: "r5", createdAt: at("2026-11-03T13:00:00Z"), userId: f.users.admin.id, outcome: "refused", latencyMs: 0 }),
      // Outside the range on either side (the end is exclusive), and another tenant's spend.
      row({ id: "early", createdAt: at("2026-10-31T23:59:59.999Z"), ...op, costNano: 7n }),
      row({ id: "late", createdAt: at("2026-11-04T00:00:00Z"), ...op, costNano: 7n }),
      row({ id: "globex", teamId: f.otherTeam.id, createdAt: at("2026-11-02T08:00:00Z"), costNano: 5_000_000_000n, inputTokens: 1 }),
    ],
  });
});

afterEach(() => registerUsageSink(undefined));

const codeOf = (p: Promise<unknown>) => p.then(() => "OK", (e: unknown) => (e instanceof TRPCError ? e.code : String(e)));

describe("nano-dollar arithmetic", () => {
  it("formats and converts exactly, beyond 2^53 nano-dollars too", () => {
    expect(formatNanoUsd(1n)).toBe("0.000000001");
    expect(formatNanoUsd(123_456_789_012n)).toBe("123.456789012");
    expect(formatNanoUsd(-5n)).toBe("-0.000000005");
    expect(nanoSumToUsd(9_007_199_254_740_993n)).toBe(9_007_199.254740993);
  });
});

describe("usage summary", () => {
  it("groups by provider with the provider's current name, costs summed in nano, largest first", async () => {
    const viewer = await f.caller("viewer");
    const rows = await viewer.usage.summary({ teamId: f.team.id, ...range, groupBy: "provider" });
    expect(rows).toEqual([
      { key: ids.anthropic, label: "anthropic", calls: 2, errors: 1, cacheHits: 1, inputTokens: 2000, outputTokens: 1000, cachedInputTokens: 0, costUsd: 0.999999999, avgLatencyMs: 125 },
      { key: ids.openai, label: "openai-main", calls: 2, errors: 0, cacheHits: 0, inputTokens: 1010, outputTokens: 505, cachedInputTokens: 200, costUsd: 0.12345679, avgLatencyMs: 200 },
      { key: "", label: "(no provider)", calls: 1, errors: 0, cacheHits: 0, inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, costUsd: 0, avgLatencyMs: 0 },
    ]);
  });

  it("groups by model, operation, user (e-mail) and API key (name)", async () => {
    const admin = await f.caller("admin");
    const by = async (groupBy: "model" | "operation" | "user" | "apiKey") =>
      (await admin.usage.summary({ teamId: f.team.id, ...range, groupBy })).map((r) => [r.label, r.calls, r.costUsd]);
    expect(await by("model")).toEqual([["claude-x", 2, 0.999999999], ["gpt-4o", 3, 0.12345679]]);
    expect(await by("operation")).toEqual([["chat", 4, 1.123456788], ["workflow.step", 1, 0.000000001]]);
    expect(await by("user")).toEqual([["admin@acme.test", 3, 1.123456788], ["operator@acme.test", 1, 0.000000001], ["viewer@acme.test", 1, 0]]);
    expect(await by("apiKey")).toEqual([["ci-bot", 2, 1.123456788], ["(no API key)", 3, 0.000000001]]);
  });

  it("groups by UTC day and month in date order", async () => {
    const days = await usageSummary(f.db, f.team.id, { from: at("2026-10-01T00:00:00Z"), to: at("2026-12-01T00:00:00Z"), groupBy: "day" });
    expect(days.map((r) => [r.key, r.label, r.calls, r.costUsd])).toEqual([
      ["2026-10-31", "2026-10-31", 1, 0.000000007],
      ["2026-11-01", "2026-11-01", 2, 0.12345679],
      ["2026-11-02", "2026-11-02", 1, 0.999999999],
      ["2026-11-03", "2026-11-03", 2, 0],
      ["2026-11-04", "2026-11-04", 1, 0.000000007],
    ]);
    const months = await usageSummary(f.db, f.team.id, { from: at("2026-10-01T00:00:00Z"), to: at("2026-12-01T00:00:00Z"), groupBy: "month" });
    expect(months.map((r) => [r.key, r.calls, r.costUsd])).toEqual([["2026-10", 1, 0.000000007], ["2026-11", 6, 1.123456796]]);
  });

  it("never shows another team's usage, and hides that team from non-members", async () => {
    const admin = await f.caller("admin");
    const rows = await admin.usage.summary({ teamId: f.team.id, from: "2026-01-01", to: "2026-12-31", groupBy: "model" });
    expect(rows.reduce((s, r) => s + r.costUsd, 0)).toBeLessThan(2);
    expect(await codeOf(admin.usage.summary({ teamId: f.otherTeam.id, ...range }))).toBe("NOT_FOUND");
    expect(await codeOf(admin.usage.records({ teamId: f.otherTeam.id, ...range }))).toBe("NOT_FOUND");
  });
});

describe("usage totals", () => {
  it("counts calls, tokens, cache hits, errors and latency percentiles", async () => {
    const totals = await (await f.caller("operator")).usage.totals({ teamId: f.team.id, ...range });
    expect(totals).toEqual({
      calls: 5,
      costUsd: 1.123456789,
      inputTokens: 3010,
      outputTokens: 1505,
      cacheHits: 1,
      cacheHitRate: 0.2,
      errors: 1,
      avgLatencyMs: 130,
      // percentile_cont over 0, 50, 100, 200, 300: 200 + 0.8 × 100.
      p95LatencyMs: 280,
    });
  });

  it("is all zeros for a range without calls", async () => {
    const totals = await (await f.caller("admin")).usage.totals({ teamId: f.team.id, from: "2026-06-01", to: "2026-06-02" });
    expect(totals).toEqual({ calls: 0, costUsd: 0, inputTokens: 0, outputTokens: 0, cacheHits: 0, cacheHitRate: 0, errors: 0, avgLatencyMs: 0, p95LatencyMs: 0 });
  });
});

describe("usage timeseries", () => {
  it("stacks daily series per provider, zero-filled, largest first", async () => {
    const ts = await (await f.caller("viewer")).usage.timeseries({ teamId: f.team.id, ...range, bucket: "day", splitBy: "provider" });
    expect(ts.buckets).toEqual(["2026-11-01T00:00:00.000Z", "2026-11-02T00:00:00.000Z", "2026-11-03T00:00:00.000Z"]);
    expect(ts.series).toEqual([
      { name: "anthropic", costUsd: [0, 0.999999999, 0], calls: [0, 1, 1] },
      { name: "openai-main", costUsd: [0.12345679, 0, 0], calls: [2, 0, 0] },
      { name: "(no provider)", costUsd: [0, 0, 0], calls: [0, 0, 1] },
    ]);
  });

  it("has every hour of the range, and one Total series without a split (even when empty)", async () => {
    const ts = await usageTimeseries(f.db, f.team.id, { from: at("2026-11-01T00:00:00Z"), to: at("2026-11-02T00:00:00Z"), bucket: "hour", splitBy: "none" });
    expect(ts.buckets).toHaveLength(24);
    expect(ts.buckets[10]).toBe("2026-11-01T10:00:00.000Z");
    expect(ts.series).toHaveLength(1);
    expect(ts.series[0]!.name).toBe("Total");
    expect(ts.series[0]!.calls.map((c, i) => (c ? i : -1)).filter((i) => i >= 0)).toEqual([10, 23]);
    expect(ts.series[0]!.costUsd[10]).toBe(0.123456789);
    const empty = await usageTimeseries(f.db, f.team.id, { from: at("2026-06-01T00:00:00Z"), to: at("2026-06-03T00:00:00Z"), bucket: "day", splitBy: "none" });
    expect(empty).toEqual({ buckets: ["2026-06-01T00:00:00.000Z", "2026-06-02T00:00:00.000Z"], series: [{ name: "Total", costUsd: [0, 0], calls: [0, 0] }] });
  });

  it("splits by model and operation", async () => {
    const byModel = await usageTimeseries(f.db, f.team.id, { from: at("2026-11-01T00:00:00Z"), to: at("2026-11-04T00:00:00Z"), bucket: "day", splitBy: "model" });
    expect(byModel.series.map((s) => [s.name, s.calls])).toEqual([["claude-x", [0, 1, 1]], ["gpt-4o", [2, 0, 1]]]);
    const byOp = await usageTimeseries(f.db, f.team.id, { from: at("2026-11-01T00:00:00Z"), to: at("2026-11-04T00:00:00Z"), bucket: "day", splitBy: "operation" });
    expect(byOp.series.map((s) => s.name)).toEqual(["chat", "workflow.step"]);
  });

  it("starts buckets at the hour or day containing the start", () => {
    expect(bucketStarts({ from: at("2026-11-01T10:30:00Z"), to: at("2026-11-01T12:00:00Z") }, "hour").map((t) => new Date(t).toISOString())).toEqual([
      "2026-11-01T10:00:00.000Z",
      "2026-11-01T11:00:00.000Z",
    ]);
  });
});

describe("usage by team", () => {
  it("lists the given teams with their spend, largest first, including teams without usage", async () => {
    const empty = await f.db.team.create({ data: { slug: "initech", name: "Initech" } });
    const rows = await usageByTeam(f.db, [f.team.id, f.otherTeam.id, empty.id], { from: at("2026-11-01T00:00:00Z"), to: at("2026-11-04T00:00:00Z") });
    expect(rows.map((r) => [r.teamSlug, r.calls, r.inputTokens, r.costUsd])).toEqual([
      ["globex", 1, 1, 5],
      ["acme", 5, 3010, 1.123456789],
      ["initech", 0, 0, 0],
    ]);
    expect(await usageByTeam(f.db, [], { from: at("2026-11-01T00:00:00Z"), to: at("2026-11-04T00:00:00Z") })).toEqual([]);
  });

  it("answers each caller for their own teams only", async () => {
    const mine = await (await f.caller("viewer")).usage.byTeam(range);
    expect(mine.map((r) => r.teamSlug)).toEqual(["acme"]);
    const theirs = await (await f.caller("outsider")).usage.byTeam(range);
    expect(theirs).toEqual([{ teamId: f.otherTeam.id, teamSlug: "globex", teamName: "Globex", calls: 1, inputTokens: 1, outputTokens: 0, costUsd: 5 }]);
    expect(await (await f.caller("viewer")).usage.byTeam()).toEqual([expect.objectContaining({ teamSlug: "acme" })]);
  });
});

describe("usage records", () => {
  it("pages newest first with e-mails, key names and dollar costs", async () => {
    const admin = await f.caller("admin");
    const first = await admin.usage.records({ teamId: f.team.id, ...range, limit: 2 });
    expect(first.items.map((r) => r.id)).toEqual(["r5", "r4"]);
    const second = await admin.usage.records({ teamId: f.team.id, ...range, limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((r) => r.id)).toEqual(["r3", "r2"]);
    const third = await admin.usage.records({ teamId: f.team.id, ...range, limit: 2, cursor: second.nextCursor! });
    expect(third).toMatchObject({ items: [{ id: "r1" }], nextCursor: null });
    expect(third.items[0]).toMatchObject({
      createdAt: "2026-11-01T10:00:00.000Z",
      userEmail: "admin@acme.test",
      apiKeyName: "ci-bot",
      providerName: "openai",
      costUsd: 0.123456789,
      inputTokens: 1000,
      outcome: "ok",
    });
  });

  it("filters by provider (id or name), model and outcome", async () => {
    const admin = await f.caller("admin");
    const idsOf = async (filter: object) => (await admin.usage.records({ teamId: f.team.id, ...range, ...filter })).items.map((r) => r.id);
    expect(await idsOf({ provider: "openai" })).toEqual(["r2", "r1"]);
    expect(await idsOf({ provider: ids.anthropic })).toEqual(["r4", "r3"]);
    expect(await idsOf({ model: "gpt-4o" })).toEqual(["r5", "r2", "r1"]);
    expect(await idsOf({ outcome: "error" })).toEqual(["r4"]);
  });
});

describe("usage CSV export", () => {
  it("writes RFC 4180 CSV with ISO times and 9-decimal costs, oldest first", async () => {
    const csv = await (await f.caller("viewer")).usage.exportCsv({ teamId: f.team.id, ...range });
    const lines = csv.split("\r\n");
    expect(lines[0]).toBe(
      "id,created_at,user_email,api_key,provider,provider_kind,model,operation,outcome,input_tokens,output_tokens,cached_input_tokens,cost_usd,latency_ms,cache_hit,error_kind,error_message,run_id,step_id",
    );
    expect(lines[1]).toBe("r1,2026-11-01T10:00:00.000Z,admin@acme.test,ci-bot,openai,openai,gpt-4o,chat,ok,1000,500,200,0.123456789,100,false,,,,");
    expect(lines[2]).toContain(",0.000000001,");
    expect(csv).toContain('rate_limited,"Vendor said ""slow down"", then\nclosed",,');
    expect(csv.endsWith("\r\n")).toBe(true);
    expect(lines.filter((l) => l.startsWith("r"))).toHaveLength(5);
  });

  it("quotes only what needs quoting", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("line\r\nbreak")).toBe('"line\r\nbreak"');
    expect(csvField(null)).toBe("");
    expect(csvField(0)).toBe("0");
  });

  it("refuses more than 100,000 rows with a typed error asking for a narrower range", async () => {
    await f.db.$executeRaw`
      INSERT INTO "UsageRecord" ("id", "teamId", "model", "operation", "outcome", "createdAt")
      SELECT 'bulk' || g, ${f.otherTeam.id}, 'm', 'chat', 'ok', TIMESTAMP '2025-03-01 00:00:00' + g * INTERVAL '1 second'
      FROM generate_series(1, 100001) AS g`;
    const error = await usageCsv(f.db, f.otherTeam.id, { from: at("2025-03-01T00:00:00Z"), to: at("2025-03-03T00:00:00Z") }).catch((e: unknown) => e);
    expect(isDomainError(error) && error.code).toBe("BAD_REQUEST");
    expect((error as Error).message).toMatch(/more than 100,000 usage records.*narrower date range/);
    const outsider = await f.caller("outsider");
    expect(await codeOf(outsider.usage.exportCsv({ teamId: f.otherTeam.id, from: "2025-03-01", to: "2025-03-03" }))).toBe("BAD_REQUEST");
    // One row fewer fits.
    const csv = await usageCsv(f.db, f.otherTeam.id, { from: at("2025-03-01T00:00:00Z"), to: at("2025-03-02T03:46:41Z") });
    expect(csv.split("\r\n").length - 2).toBe(100_000);
  }, 120_000);
});

describe("range inputs", () => {
  it("defaults to the last 30 days and accepts Dates", async () => {
    const viewer = await f.caller("viewer");
    expect(await viewer.usage.totals({ teamId: f.team.id })).toMatchObject({ calls: expect.any(Number) });
    expect(await viewer.usage.totals({ teamId: f.team.id, from: at("2026-11-01T00:00:00Z"), to: at("2026-11-04T00:00:00Z") })).toMatchObject({ calls: 5 });
  });

  it("explains a reversed, too long or unreadable range", async () => {
    const viewer = await f.caller("viewer");
    const messageOf = (p: Promise<unknown>) => p.then(() => "OK", (e: Error) => e.message);
    expect(await messageOf(viewer.usage.totals({ teamId: f.team.id, from: "2026-11-04", to: "2026-11-01" }))).toMatch(/must be before the end of the range/);
    expect(await messageOf(viewer.usage.totals({ teamId: f.team.id, from: "2025-01-01", to: "2026-11-01" }))).toMatch(/at most 400 days/);
    expect(await messageOf(viewer.usage.totals({ teamId: f.team.id, from: "last tuesday" }))).toMatch(/must be an ISO date/);
    expect(await messageOf(viewer.usage.timeseries({ teamId: f.team.id, from: "2026-01-01", to: "2026-11-01", bucket: "hour" }))).toMatch(/hourly buckets cover at most/);
    expect(await codeOf(viewer.usage.records({ teamId: f.team.id, limit: 101 }))).toBe("BAD_REQUEST");
  });
});

describe("reads see recent writes", () => {
  it("flushes the process's usage sink before reading", async () => {
    const sink = new BatchedUsageSink(f.db, { intervalMs: 3_600_000 });
    registerUsageSink(sink);
    sink.record({
      teamId: f.team.id,
      model: "gpt-4o",
      operation: "chat",
      usage: { inputTokens: 3, outputTokens: 4, cachedInputTokens: 0 },
      costNano: 42,
      latencyMs: 10,
      cacheHit: false,
      outcome: "ok",
      createdAt: at("2026-06-10T12:00:00Z"),
    });
    expect(sink.pending).toBe(1);
    const totals = await (await f.caller("viewer")).usage.totals({ teamId: f.team.id, from: "2026-06-10", to: "2026-06-11" });
    expect(totals).toMatchObject({ calls: 1, costUsd: 0.000000042, inputTokens: 3, outputTokens: 4 });
    await sink.close();
  });
});

describe("maestro usage", () => {
  const now = at("2026-11-03T18:00:00Z");

  it("sums spend by provider and model since a duration or a date", async () => {
    const result = await usageForCli(f.db, { team: "acme", since: "2026-11-01" }, now);
    expect(result).toMatchObject({ team: "acme", from: "2026-11-01T00:00:00.000Z", to: "2026-11-03T18:00:00.000Z" });
    expect(result.rows).toEqual([
      { provider: "anthropic", model: "claude-x", calls: 2, inputTokens: 2000, outputTokens: 1000, costUsd: 0.999999999 },
      { provider: "openai-main", model: "gpt-4o", calls: 2, inputTokens: 1010, outputTokens: 505, costUsd: 0.12345679 },
      { provider: "(no provider)", model: "gpt-4o", calls: 1, inputTokens: 0, outputTokens: 0, costUsd: 0 },
    ]);
    expect(result.total).toEqual({ calls: 5, inputTokens: 3010, outputTokens: 1505, costUsd: 1.123456789 });
    expect((await usageForCli(f.db, { team: "acme", since: "24h" }, now)).total.calls).toBe(2);
  });

  it("parses --since and refuses what it cannot read", () => {
    expect(parseSince("7d", now).toISOString()).toBe("2026-10-27T18:00:00.000Z");
    expect(parseSince("24h", now).toISOString()).toBe("2026-11-02T18:00:00.000Z");
    expect(parseSince("2026-11-01T06:00", now).toISOString()).toBe("2026-11-01T06:00:00.000Z");
    expect(() => parseSince("yesterday", now)).toThrow(/use a duration such as 24h, 7d or 30d/);
    expect(() => parseSince("2026-12-01", now)).toThrow(/in the future/);
    expect(() => parseSince("500d", now)).toThrow(/more than 400 days/);
  });

  it("names an unknown team", async () => {
    await expect(usageForCli(f.db, { team: "nowhere", since: "7d" }, now)).rejects.toThrow(/Team "nowhere" was not found/);
  });
});
