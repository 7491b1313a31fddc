import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withFixtures } from "../../test/fixtures.ts";
import { createSecretBox } from "../../auth/encryption.ts";
import { SHIPPED_CATALOG } from "../../llm/catalog.ts";
import { onTeamConfigChanged, type ConfigArea } from "../../llm/invalidation.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../../llm/testing/fake-openai.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../../llm/testing/fake-anthropic.ts";
import { freePort, withRawServer } from "../../llm/testing/test-helpers.ts";
import { loadTeamGatewayConfig } from "./index.ts";
import { apiOutcome } from "../../test/api-outcome.ts";

const f = withFixtures();

const OPENAI_KEY = "not-a-real-openai-key-WXYZ";
const ANTHROPIC_KEY = "not-a-real-anthropic-key-QRST";

let openai: FakeOpenAI;
let anthropic: FakeAnthropic;
const changes: { teamId: string; area: ConfigArea }[] = [];
let stopListening: () => void;

beforeAll(async () => {
  openai = await startFakeOpenAI({ apiKey: OPENAI_KEY });
  anthropic = await startFakeAnthropic({ apiKey: ANTHROPIC_KEY });
  stopListening = onTeamConfigChanged((teamId, area) => changes.push({ teamId, area }));
});
afterAll(async () => {
  stopListening();
  await openai.close();
  await anthropic.close();
});

const failure = apiOutcome;

async function everythingStoredAbout(providerId: string): Promise<string> {
  const row = await f.db.llmProvider.findUnique({ where: { id: providerId } });
  const audit = await f.db.auditLog.findMany({ where: { targetId: providerId } });
  return JSON.stringify({ row, audit });
}

describe("providers", () => {
  it("creates a provider with an encrypted key that never comes back out", async () => {
    const operator = await f.caller("operator");
    const created = await operator.providers.create({
      teamId: f.team.id,
      name: "openai",
      kind: "openai",
      baseUrl: openai.url,
      apiKey: OPENAI_KEY,
      models: [" gpt-4o-mini ", "gpt-4o", "gpt-4o-mini"],
    });
    expect(created).toMatchObject({
      name: "openai",
      kind: "openai",
      apiKey: "••••WXYZ",
      hasApiKey: true,
      models: ["gpt-4o-mini", "gpt-4o"],
      priority: 100,
      timeoutMs: 60_000,
      enabled: true,
      lastTestedAt: null,
    });
    expect(JSON.stringify(created)).not.toContain(OPENAI_KEY);
    expect(JSON.stringify(created)).not.toContain("v1:");

    const row = await f.db.llmProvider.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.apiKeyCipher).toMatch(/^v1:/);
    expect(row.apiKeyHint).toBe("WXYZ");
    expect(await everythingStoredAbout(created.id)).not.toContain(OPENAI_KEY);

    const audit = await f.db.auditLog.findFirstOrThrow({ where: { action: "provider.create", targetId: created.id } });
    expect(audit).toMatchObject({ teamId: f.team.id, actorUserId: f.users.operator.id, after: { name: "openai", hasApiKey: true } });
    expect(changes).toContainEqual({ teamId: f.team.id, area: "providers" });

    const listed = await (await f.caller("viewer")).providers.list({ teamId: f.team.id });
    expect(listed.map((p) => p.name)).toContain("openai");
    expect(JSON.stringify(listed)).not.toContain(OPENAI_KEY);
  });

  it("validates with messages that say what to fix", async () => {
    const operator = await f.caller("operator");
    const base = { teamId: f.team.id, models: ["m"] };

    const noKey = await failure(operator.providers.create({ ...base, name: "nokey", kind: "openai" }));
    expect(noKey).toMatchObject({ code: "BAD_REQUEST" });
    expect(noKey.message).toBe("apiKey: An OpenAI provider needs an API key.");

    const noUrl = await failure(operator.providers.create({ ...base, name: "nourl", kind: "openai-compatible" }));
    expect(noUrl.message).toContain("needs a base URL");

    const badName = await failure(operator.providers.create({ ...base, name: "My/OpenAI", kind: "offline" }));
    expect(badName).toMatchObject({ code: "BAD_REQUEST" });
    expect(badName.message).toContain('name: may use lower-case letters, digits, ".", "_" and "-"');
    expect(badName.message).toContain('models are addressed as "name/model"');

    const badUrl = await failure(operator.providers.create({ ...base, name: "badurl", kind: "openai-compatible", baseUrl: "ftp://x" }));
    expect(badUrl.message).toContain("http:// or https://");

    const noModels = await failure(operator.providers.create({ ...base, name: "nomodels", kind: "offline", models: [] }));
    expect(noModels.message).toContain("add at least one model");

    const slow = await failure(operator.providers.create({ ...base, name: "slow", kind: "offline", timeoutMs: 900_000 }));
    expect(slow.message).toContain("at most 600000 ms");

    expect(await f.db.llmProvider.count({ where: { name: { in: ["nokey", "nourl", "badurl", "nomodels", "slow"] } } })).toBe(0);
  });

  it("refuses a duplicate name within the team, but not in another team", async () => {
    const operator = await f.caller("operator");
    const dup = await failure(operator.providers.create({ teamId: f.team.id, name: "openai", kind: "offline", models: ["m"] }));
    expect(dup.code).toBe("CONFLICT");
    expect(dup.message).toContain('already has a provider named "openai"');

    const other = await operator.providers.create({ teamId: f.team.id, name: "local", kind: "offline", models: ["maestro-offline"] });
    const rename = await failure(operator.providers.update({ teamId: f.team.id, providerId: other.id, name: "openai" }));
    expect(rename.code).toBe("CONFLICT");

    const globex = await f.caller("outsider");
    await expect(globex.providers.create({ teamId: f.otherTeam.id, name: "openai", kind: "offline", models: ["m"] })).resolves.toMatchObject({ name: "openai" });
  });

  it("updates keep the key unless told otherwise, and removal of a required key is refused", async () => {
    const operator = await f.caller("operator");
    const created = await operator.providers.create({
      teamId: f.team.id,
      name: "vllm",
      kind: "openai-compatible",
      baseUrl: "http://127.0.0.1:9/v1",
      apiKey: "local-key-1111",
      models: ["llama"],
    });
    const cipher = (await f.db.llmProvider.findUniqueOrThrow({ where: { id: created.id } })).apiKeyCipher;

    const kept = await operator.providers.update({ teamId: f.team.id, providerId: created.id, priority: 10, models: ["llama", "qwen"] });
    expect(kept).toMatchObject({ priority: 10, models: ["llama", "qwen"], hasApiKey: true, apiKey: "••••1111" });
    expect((await f.db.llmProvider.findUniqueOrThrow({ where: { id: created.id } })).apiKeyCipher).toBe(cipher);

    const replaced = await operator.providers.update({ teamId: f.team.id, providerId: created.id, apiKey: "local-key-2222" });
    expect(replaced.apiKey).toBe("••••2222");
    expect(JSON.stringify(replaced)).not.toContain("local-key-2222");

    const removed = await operator.providers.update({ teamId: f.team.id, providerId: created.id, apiKey: null });
    expect(removed).toMatchObject({ hasApiKey: false, apiKey: null });
    await operator.providers.update({ teamId: f.team.id, providerId: created.id, apiKey: "local-key-3333" });
    expect(await operator.providers.update({ teamId: f.team.id, providerId: created.id, apiKey: "" })).toMatchObject({ hasApiKey: false });
    const row = await f.db.llmProvider.findUniqueOrThrow({ where: { id: created.id } });
    expect(row).toMatchObject({ apiKeyCipher: null, apiKeyHint: null });

    const noUrl = await failure(operator.providers.update({ teamId: f.team.id, providerId: created.id, baseUrl: null }));
    expect(noUrl).toMatchObject({ code: "BAD_REQUEST" });
    expect(noUrl.message).toContain("needs a base URL");

    const [openaiProvider] = (await operator.providers.list({ teamId: f.team.id })).filter((p) => p.name === "openai");
    const noKey = await failure(operator.providers.update({ teamId: f.team.id, providerId: openaiProvider!.id, apiKey: null }));
    expect(noKey.message).toContain("needs an API key");

    const audit = await f.db.auditLog.findMany({ where: { action: "provider.update", targetId: created.id }, orderBy: { createdAt: "asc" } });
    expect(audit.length).toBe(5);
    expect(audit[0]).toMatchObject({ before: { priority: 100 }, after: { priority: 10, apiKeyChanged: false } });
    const stored = await everythingStoredAbout(created.id);
    for (const key of ["local-key-1111", "local-key-2222", "local-key-3333"]) expect(stored).not.toContain(key);
  });

  it("removes a provider and audits it", async () => {
    const operator = await f.caller("operator");
    const created = await operator.providers.create({ teamId: f.team.id, name: "doomed", kind: "offline", models: ["maestro-offline"] });
    await operator.providers.remove({ teamId: f.team.id, providerId: created.id });
    expect(await f.db.llmProvider.findUnique({ where: { id: created.id } })).toBeNull();
    const audit = await f.db.auditLog.findFirstOrThrow({ where: { action: "provider.remove", targetId: created.id } });
    expect(audit.before).toMatchObject({ name: "doomed", kind: "offline" });
    expect(await failure(operator.providers.remove({ teamId: f.team.id, providerId: created.id }))).toMatchObject({ code: "NOT_FOUND" });
  });

  it("does not let another team see or change a team's providers", async () => {
    const [acmeProvider] = await f.db.llmProvider.findMany({ where: { teamId: f.team.id } });
    const globex = await f.caller("outsider");
    expect(await failure(globex.providers.list({ teamId: f.team.id }))).toMatchObject({ code: "NOT_FOUND" });
    expect((await globex.providers.list({ teamId: f.otherTeam.id })).map((p) => p.id)).not.toContain(acmeProvider!.id);
    // One at a time: a call started before its rejection is awaited would be an unhandled rejection.
    for (const call of [
      () => globex.providers.update({ teamId: f.otherTeam.id, providerId: acmeProvider!.id, priority: 1 }),
      () => globex.providers.remove({ teamId: f.otherTeam.id, providerId: acmeProvider!.id }),
      () => globex.providers.test({ teamId: f.otherTeam.id, providerId: acmeProvider!.id }),
    ]) {
      expect(await failure(call())).toMatchObject({ code: "NOT_FOUND" });
    }
    expect(await f.db.llmProvider.findUniqueOrThrow({ where: { id: acmeProvider!.id } })).toMatchObject({ priority: acmeProvider!.priority });
    expect((await loadTeamGatewayConfig(f.db, f.otherTeam.id)).providers.map((p) => p.id)).not.toContain(acmeProvider!.id);
  });
});

describe("test connection", () => {
  it("reaches OpenAI with the stored key and records the result", async () => {
    const operator = await f.caller("operator");
    const [saved] = (await operator.providers.list({ teamId: f.team.id })).filter((p) => p.name === "openai");
    const result = await operator.providers.test({ teamId: f.team.id, providerId: saved!.id });
    expect(result).toMatchObject({ ok: true, message: null });
    expect(result.models).toContain("gpt-4o-mini");
    expect(openai.requests.at(-1)).toMatchObject({ method: "GET", path: "/v1/models" });
    expect(openai.requests.at(-1)!.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);

    const after = (await operator.providers.list({ teamId: f.team.id })).find((p) => p.id === saved!.id)!;
    expect(after).toMatchObject({ lastTestOk: true, lastTestMessage: null });
    expect(after.lastTestedAt).not.toBeNull();
    expect(await f.db.auditLog.count({ where: { action: "provider.test", targetId: saved!.id } })).toBe(1);
  });

  it("reports a wrong key as not ok with the vendor's message, without the key", async () => {
    const operator = await f.caller("operator");
    const wrongKey = "not-a-real-wrong-key-mnop";
    const created = await operator.providers.create({ teamId: f.team.id, name: "wrong", kind: "openai", baseUrl: openai.url, apiKey: wrongKey, models: ["gpt-4o"] });
    const result = await operator.providers.test({ teamId: f.team.id, providerId: created.id });
    expect(result.ok).toBe(false);
    expect(result.message).toContain("Incorrect API key provided");
    expect(JSON.stringify(result)).not.toContain(wrongKey);
    const row = await f.db.llmProvider.findUniqueOrThrow({ where: { id: created.id } });
    expect(row).toMatchObject({ lastTestOk: false });
    expect(row.lastTestMessage).toContain("Incorrect API key provided");
    expect(await everythingStoredAbout(created.id)).not.toContain(wrongKey);
  });

  it("reports an unreachable URL and a silent server as not ok", async () => {
    const operator = await f.caller("operator");
    const dead = await operator.providers.test({
      teamId: f.team.id,
      draft: { kind: "openai-compatible", baseUrl: `http://127.0.0.1:${await freePort()}/v1` },
    });
    expect(dead.ok).toBe(false);
    expect(dead.message).toMatch(/reach|ECONNREFUSED/i);

    await withRawServer(
      () => {},
      async (url) => {
        const started = Date.now();
        const silent = await operator.providers.test({ teamId: f.team.id, draft: { kind: "openai-compatible", baseUrl: `${url}/v1`, timeoutMs: 1000 } });
        expect(silent).toMatchObject({ ok: false });
        expect(silent.message).toMatch(/within/);
        expect(Date.now() - started).toBeLessThan(5000);
      },
    );
  });

  it("tests Anthropic drafts before saving, and a saved provider with draft changes", async () => {
    const operator = await f.caller("operator");
    const ok = await operator.providers.test({ teamId: f.team.id, draft: { kind: "anthropic", baseUrl: anthropic.url, apiKey: ANTHROPIC_KEY } });
    expect(ok.ok).toBe(true);
    expect(ok.models.length).toBeGreaterThan(0);

    const wrong = await operator.providers.test({ teamId: f.team.id, draft: { kind: "anthropic", baseUrl: anthropic.url, apiKey: "not-a-real-wrong-anthropic-key" } });
    expect(wrong).toMatchObject({ ok: false });
    expect(wrong.message).toContain("invalid x-api-key");

    const missing = await operator.providers.test({ teamId: f.team.id, draft: { kind: "anthropic", baseUrl: anthropic.url } });
    expect(missing).toMatchObject({ ok: false, message: "An Anthropic provider needs an API key." });

    const saved = await operator.providers.create({ teamId: f.team.id, name: "claude", kind: "anthropic", baseUrl: "http://127.0.0.1:9", apiKey: ANTHROPIC_KEY, models: ["claude-sonnet-4-5"] });
    // The Edit form with the same URL uses the stored key; a new URL needs the key again.
    await expect(operator.providers.test({ teamId: f.team.id, providerId: saved.id, draft: { kind: "anthropic", baseUrl: anthropic.url } })).rejects.toThrow(/API key again/);
    const edited = await operator.providers.test({ teamId: f.team.id, providerId: saved.id, draft: { kind: "anthropic", baseUrl: anthropic.url, apiKey: ANTHROPIC_KEY } });
    expect(edited.ok).toBe(true);
    // Draft tests do not overwrite the saved provider's last result.
    expect((await f.db.llmProvider.findUniqueOrThrow({ where: { id: saved.id } })).lastTestedAt).toBeNull();
    const audits = await f.db.auditLog.findMany({ where: { action: "provider.test", teamId: f.team.id } });
    expect(JSON.stringify(audits)).not.toContain(ANTHROPIC_KEY);
  });

  it("is refused to viewers", async () => {
    const viewer = await f.caller("viewer");
    expect(await failure(viewer.providers.test({ teamId: f.team.id, draft: { kind: "offline" } }))).toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("loadTeamGatewayConfig", () => {
  it("returns enabled providers by priority then name, with keys decrypted, and skips undecryptable ones", async () => {
    const team = await f.db.team.create({ data: { slug: "loader", name: "Loader" } });
    await f.db.membership.create({ data: { teamId: team.id, userId: f.users.operator.id, role: "operator" } });
    const caller = await f.caller("operator");
    const make = (name: string, priority: number, extra: Record<string, unknown> = {}) =>
      caller.providers.create({ teamId: team.id, name, kind: "openai", apiKey: `not-a-real-${name}-key`, models: ["gpt-4o"], priority, ...extra });
    await make("zeta", 5);
    await make("beta", 10);
    await make("alpha", 10);
    await make("off", 1, { enabled: false });
    const broken = await make("broken", 2);
    await f.db.llmProvider.update({ where: { id: broken.id }, data: { apiKeyCipher: createSecretBox("another-key-material").encrypt("sk-x") } });

    const config = await loadTeamGatewayConfig(f.db, team.id);
    expect(config.providers.map((p) => p.name)).toEqual(["zeta", "alpha", "beta"]);
    expect(config.providers[0]).toMatchObject({ kind: "openai", apiKey: "not-a-real-zeta-key", models: ["gpt-4o"], priority: 5, timeoutMs: 60_000 });
    const row = await f.db.llmProvider.findUniqueOrThrow({ where: { id: config.providers[0]!.id } });
    expect(config.providers[0]!.version).toBe(String(row.updatedAt.getTime()));
    expect(config.policy).toEqual({ strategy: "primary", defaultModel: null, fallback: [] });
    expect(config.cache).toEqual({ enabled: true, ttlMs: 3_600_000 });
    expect(config.catalogOverrides).toEqual([]);
  });

  it("reads the team's settings", async () => {
    const operator = await f.caller("operator");
    expect(await operator.providers.settings({ teamId: f.team.id })).toMatchObject({ strategy: "primary", cacheTtlSeconds: 3600, updatedAt: null });
    const updated = await operator.providers.updateSettings({
      teamId: f.team.id,
      strategy: "fallback",
      defaultModel: "openai/gpt-4o",
      fallback: ["claude/claude-sonnet-4-5", "gpt-4o-mini", "gpt-4o-mini"],
      cacheTtlSeconds: 120,
    });
    expect(updated).toMatchObject({ strategy: "fallback", defaultModel: "openai/gpt-4o", fallback: ["claude/claude-sonnet-4-5", "gpt-4o-mini"], cacheEnabled: true, cacheTtlSeconds: 120 });
    await operator.providers.updateSettings({ teamId: f.team.id, cacheEnabled: false });

    const config = await loadTeamGatewayConfig(f.db, f.team.id);
    expect(config.policy).toEqual({ strategy: "fallback", defaultModel: "openai/gpt-4o", fallback: ["claude/claude-sonnet-4-5", "gpt-4o-mini"] });
    expect(config.cache).toEqual({ enabled: false, ttlMs: 120_000 });
    const audit = await f.db.auditLog.findFirstOrThrow({ where: { action: "gateway.settings.update", teamId: f.team.id }, orderBy: { createdAt: "asc" } });
    expect(audit).toMatchObject({ before: { strategy: "primary" }, after: { strategy: "fallback", cacheTtlSeconds: 120 } });
    expect(changes).toContainEqual({ teamId: f.team.id, area: "settings" });

    const tooLong = await failure(operator.providers.updateSettings({ teamId: f.team.id, cacheTtlSeconds: 8 * 86_400 }));
    expect(tooLong.message).toContain("at most 604800 seconds");
    expect(await failure((await f.caller("viewer")).providers.updateSettings({ teamId: f.team.id, cacheEnabled: true }))).toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("models and prices", () => {
  const shipped = SHIPPED_CATALOG.find((e) => e.id === "gpt-4o-mini") ?? SHIPPED_CATALOG[0]!;

  it("lists the shipped catalog with the providers that enable each model", async () => {
    const viewer = await f.caller("viewer");
    const models = await viewer.models.list({ teamId: f.team.id });
    expect(models.length).toBe(SHIPPED_CATALOG.length);
    expect(models.every((m) => m.source === "shipped" && m.shippedPrice === null)).toBe(true);
    const gpt4o = models.find((m) => m.id === "gpt-4o");
    if (gpt4o) expect(gpt4o.enabledOn).toEqual(expect.arrayContaining(["openai", "wrong"]));
  });

  it("overrides a shipped price, converting USD per million to nano-dollars per token, and resets it", async () => {
    const admin = await f.caller("admin");
    const price = { input: 0.125, cachedInput: 0.013, output: 1.5 };
    const overridden = await admin.models.upsert({ teamId: f.team.id, modelId: shipped.id, price });
    expect(overridden).toMatchObject({ id: shipped.id, source: "override", price, shippedPrice: shipped.price, contextWindow: shipped.contextWindow, capabilities: shipped.capabilities });

    const row = await f.db.modelPrice.findUniqueOrThrow({ where: { teamId_modelId: { teamId: f.team.id, modelId: shipped.id } } });
    expect(row).toMatchObject({ inputNanoPerToken: 125, cachedInputNanoPerToken: 13, outputNanoPerToken: 1500 });

    const config = await loadTeamGatewayConfig(f.db, f.team.id);
    expect(config.catalogOverrides).toEqual([{ ...shipped, price }]);
    expect(changes).toContainEqual({ teamId: f.team.id, area: "catalog" });

    // Another team is unaffected.
    const globexModels = await (await f.caller("outsider")).models.list({ teamId: f.otherTeam.id });
    expect(globexModels.find((m) => m.id === shipped.id)).toMatchObject({ source: "shipped", price: shipped.price });

    const reset = await admin.models.reset({ teamId: f.team.id, modelId: shipped.id });
    expect(reset).toMatchObject({ source: "shipped", price: shipped.price, shippedPrice: null });
    expect(await f.db.modelPrice.count({ where: { teamId: f.team.id } })).toBe(0);
    expect(await f.db.auditLog.count({ where: { action: { in: ["model.upsert", "model.reset"] }, targetId: shipped.id } })).toBe(2);
    expect(await failure(admin.models.reset({ teamId: f.team.id, modelId: shipped.id }))).toMatchObject({ code: "NOT_FOUND" });
  });

  it("adds a custom model only with its full description, and validates prices", async () => {
    const admin = await f.caller("admin");
    const partial = await failure(admin.models.upsert({ teamId: f.team.id, modelId: "llama", price: { input: 0, cachedInput: 0, output: 0 } }));
    expect(partial).toMatchObject({ code: "BAD_REQUEST" });
    expect(partial.message).toContain("not in the shipped catalog");

    const decimals = await failure(admin.models.upsert({ teamId: f.team.id, modelId: "llama", price: { input: 0.0001, cachedInput: 0, output: 0 } }));
    expect(decimals.message).toContain("at most three decimals");

    const custom = await admin.models.upsert({
      teamId: f.team.id,
      modelId: "llama",
      provider: "openai-compatible",
      contextWindow: 8192,
      maxOutputTokens: 2048,
      capabilities: ["tools", "tools", "streaming"],
      price: { input: 0.2, cachedInput: 0, output: 0.4 },
    });
    expect(custom).toMatchObject({ source: "custom", capabilities: ["tools", "streaming"], shippedPrice: null, enabledOn: ["vllm"] });
    const list = await admin.models.list({ teamId: f.team.id });
    expect(list.at(-1)!.id).toBe("llama");

    expect(await admin.models.reset({ teamId: f.team.id, modelId: "llama" })).toBeNull();
  });

  it("leaves prices to admins", async () => {
    const operator = await f.caller("operator");
    expect(await failure(operator.models.upsert({ teamId: f.team.id, modelId: shipped.id, price: { input: 1, cachedInput: 1, output: 1 } }))).toMatchObject({ code: "FORBIDDEN" });
    const globex = await f.caller("outsider");
    expect(await failure(globex.models.upsert({ teamId: f.team.id, modelId: shipped.id, price: { input: 1, cachedInput: 1, output: 1 } }))).toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("a stored key never leaves for another server", () => {
  const g = withFixtures();
  it("changing the base URL or kind needs the key again, for saves and for draft tests", async () => {
    const admin = await g.caller("admin");
    const created = await admin.providers.create({ teamId: g.team.id, name: "vllm", kind: "openai-compatible", baseUrl: "http://127.0.0.1:9/v1", apiKey: "not-a-real-key-to-keep", models: ["llama"] });
    await expect(admin.providers.update({ teamId: g.team.id, providerId: created.id, baseUrl: "http://attacker.example/v1" })).rejects.toThrow(/API key again/);
    await expect(admin.providers.test({ teamId: g.team.id, providerId: created.id, draft: { kind: "openai-compatible", baseUrl: "http://attacker.example/v1" } })).rejects.toThrow(/API key again/);
    const moved = await admin.providers.update({ teamId: g.team.id, providerId: created.id, baseUrl: "http://127.0.0.1:10/v1", apiKey: "not-a-real-new-key-1234" });
    expect(moved.baseUrl).toBe("http://127.0.0.1:10/v1");
    // Other edits keep the stored key.
    expect((await admin.providers.update({ teamId: g.team.id, providerId: created.id, priority: 5 })).hasApiKey).toBe(true);
  });
});
