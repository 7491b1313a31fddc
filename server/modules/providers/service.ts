// A team's LLM providers, its model-price overrides and its gateway settings, and the
// one function the gateway reads them through (loadTeamGatewayConfig). Keys are
// encrypted at rest and never leave this file in plaintext except toward the vendor:
// DTOs and audit rows only say whether a key is set.
import type { Db } from "../../db/client.ts";
import { CAPABILITIES, PROVIDER_KINDS } from "../../shared/llm.ts";
import { isUniqueViolation } from "../../db/errors.ts";
import type { GatewaySettings, LlmProvider, ModelPrice } from "../../db/generated/client.ts";
import { ConflictError, NotFoundError, ValidationError } from "../../errors.ts";
import { DecryptionError, maskSecret, secretBox } from "../../auth/encryption.ts";
import { logger } from "../../logger.ts";
import { ModelCatalog, SHIPPED_CATALOG, type Capability, type CatalogEntry } from "../../llm/catalog.ts";
import { STRATEGIES, type ConfiguredProvider, type Strategy, type TeamGatewayConfig } from "../../llm/gateway-types.ts";
import { teamConfigChanged } from "../../llm/invalidation.ts";
import { createProviderClient } from "../../llm/providers/index.ts";
import type { ProviderHealth, ProviderKind } from "../../llm/types.ts";
import { recordAudit, type AuditActor } from "../audit/index.ts";
import {
  GATEWAY_DEFAULTS,
  providerConfigProblem,
  type CatalogModelDto,
  type GatewaySettingsDto,
  type GatewaySettingsInput,
  type ModelTargetInput,
  type ModelUpsertInput,
  type ProviderCreateInput,
  type ProviderDto,
  type ProviderTargetInput,
  type ProviderTestInput,
  type ProviderTestResultDto,
  type ProviderUpdateInput,
} from "../../shared/providers.ts";

/** A connection test never waits longer than this, whatever the provider's call timeout. */
export const TEST_TIMEOUT_MS = 10_000;

// ---------------------------------------------------------------------------------
// Shapes

function asKind(kind: string): ProviderKind {
  return (PROVIDER_KINDS as readonly string[]).includes(kind) ? (kind as ProviderKind) : "openai-compatible";
}

function toProviderDto(row: LlmProvider): ProviderDto {
  return {
    id: row.id,
    name: row.name,
    kind: asKind(row.kind),
    baseUrl: row.baseUrl,
    apiKey: row.apiKeyCipher ? maskSecret(row.apiKeyHint) : null,
    hasApiKey: row.apiKeyCipher !== null,
    models: row.models,
    priority: row.priority,
    timeoutMs: row.timeoutMs,
    enabled: row.enabled,
    lastTestedAt: row.lastTestedAt?.toISOString() ?? null,
    lastTestOk: row.lastTestOk,
    lastTestMessage: row.lastTestMessage,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** What the audit log keeps of a provider: its configuration, without any key material. */
function auditView(row: LlmProvider) {
  return {
    name: row.name,
    kind: row.kind,
    baseUrl: row.baseUrl,
    hasApiKey: row.apiKeyCipher !== null,
    models: row.models,
    priority: row.priority,
    timeoutMs: row.timeoutMs,
    enabled: row.enabled,
  };
}

function sealKey(apiKey: string) {
  return { apiKeyCipher: secretBox().encrypt(apiKey), apiKeyHint: apiKey.slice(-4) };
}


function duplicateName(name: string) {
  return new ConflictError(`This team already has a provider named "${name}". Names must be unique because models are addressed as "${name}/model".`);
}

async function findProvider(db: Db, teamId: string, providerId: string): Promise<LlmProvider> {
  const row = await db.llmProvider.findFirst({ where: { id: providerId, teamId } });
  if (!row) throw new NotFoundError("That provider");
  return row;
}

async function assertNameFree(db: Db, teamId: string, name: string, exceptId?: string) {
  const clash = await db.llmProvider.findFirst({ where: { teamId, name, ...(exceptId ? { id: { not: exceptId } } : {}) }, select: { id: true } });
  if (clash) throw duplicateName(name);
}

function assertComplete(config: { kind: ProviderKind; baseUrl: string | null; hasApiKey: boolean }) {
  const problem = providerConfigProblem(config);
  if (problem) throw new ValidationError(problem.message, { field: problem.field });
}

// ---------------------------------------------------------------------------------
// Providers

/** The team's providers, preferred first. */
export async function listProviders(db: Db, teamId: string): Promise<ProviderDto[]> {
  const rows = await db.llmProvider.findMany({ where: { teamId }, orderBy: [{ priority: "asc" }, { name: "asc" }] });
  return rows.map(toProviderDto);
}

export async function createProvider(db: Db, actor: AuditActor, input: ProviderCreateInput): Promise<ProviderDto> {
  const baseUrl = input.baseUrl || null;
  const apiKey = input.apiKey || null;
  assertComplete({ kind: input.kind, baseUrl, hasApiKey: apiKey !== null });
  await assertNameFree(db, input.teamId, input.name);
  let row: LlmProvider;
  try {
    row = await db.llmProvider.create({
      data: {
        teamId: input.teamId,
        name: input.name,
        kind: input.kind,
        baseUrl,
        ...(apiKey ? sealKey(apiKey) : {}),
        models: input.models,
        priority: input.priority,
        timeoutMs: input.timeoutMs,
        enabled: input.enabled,
      },
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateName(input.name);
    throw error;
  }
  await recordAudit(db, actor, { action: "provider.create", teamId: input.teamId, targetType: "provider", targetId: row.id, after: auditView(row) });
  teamConfigChanged(input.teamId, "providers");
  return toProviderDto(row);
}

/**
 * A stored key only ever goes to the server it was entered for: pointing a provider at
 * another URL (or kind) needs the key again, or anyone with providers:write could
 * redirect it to a server they control and read it there.
 */
function assertKeyStaysWithItsServer(saved: LlmProvider, next: { kind: ProviderKind; baseUrl: string | null }, keyGiven: boolean) {
  if (!saved.apiKeyCipher || keyGiven) return;
  if (next.kind !== saved.kind || (next.baseUrl ?? null) !== (saved.baseUrl ?? null)) {
    throw new ValidationError("Enter the API key again when changing the base URL or kind, so a stored key is never sent to a different server.", {
      fieldErrors: { apiKey: ["Enter the API key again for the new server."] },
    });
  }
}

export async function updateProvider(db: Db, actor: AuditActor, input: ProviderUpdateInput): Promise<ProviderDto> {
  const before = await findProvider(db, input.teamId, input.providerId);
  if (input.name !== undefined && input.name !== before.name) await assertNameFree(db, input.teamId, input.name, before.id);

  // apiKey: undefined keeps the stored key, null or "" removes it, a string replaces it.
  const keyChange =
    input.apiKey === undefined ? {} : input.apiKey ? sealKey(input.apiKey) : { apiKeyCipher: null, apiKeyHint: null };
  const kind = input.kind ?? asKind(before.kind);
  const baseUrl = input.baseUrl === undefined ? before.baseUrl : input.baseUrl || null;
  const hasApiKey = input.apiKey === undefined ? before.apiKeyCipher !== null : !!input.apiKey;
  assertComplete({ kind, baseUrl, hasApiKey });
  assertKeyStaysWithItsServer(before, { kind, baseUrl }, input.apiKey !== undefined);

  let after: LlmProvider;
  try {
    after = await db.llmProvider.update({
      where: { id: before.id },
      data: {
        name: input.name,
        kind: input.kind,
        baseUrl,
        ...keyChange,
        models: input.models,
        priority: input.priority,
        timeoutMs: input.timeoutMs,
        enabled: input.enabled,
      },
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateName(input.name ?? before.name);
    throw error;
  }
  await recordAudit(db, actor, {
    action: "provider.update",
    teamId: input.teamId,
    targetType: "provider",
    targetId: before.id,
    before: auditView(before),
    after: { ...auditView(after), apiKeyChanged: input.apiKey !== undefined },
  });
  teamConfigChanged(input.teamId, "providers");
  return toProviderDto(after);
}

export async function removeProvider(db: Db, actor: AuditActor, input: ProviderTargetInput): Promise<ProviderDto> {
  const row = await findProvider(db, input.teamId, input.providerId);
  await db.llmProvider.delete({ where: { id: row.id } });
  await recordAudit(db, actor, { action: "provider.remove", teamId: input.teamId, targetType: "provider", targetId: row.id, before: auditView(row) });
  teamConfigChanged(input.teamId, "providers");
  return toProviderDto(row);
}

/**
 * Asks the provider for its model list: a saved provider, a draft (the Add form, before
 * saving) or a saved provider with some fields replaced by a draft. Failures come back as
 * ok:false with the vendor's message; only a saved provider tested as saved records the result.
 */
export async function testProvider(db: Db, actor: AuditActor, input: ProviderTestInput): Promise<ProviderTestResultDto> {
  const saved = input.providerId ? await findProvider(db, input.teamId, input.providerId) : null;
  const draft = input.draft;

  let storedKey: string | null = null;
  let keyProblem: string | null = null;
  if (saved && draft) assertKeyStaysWithItsServer(saved, { kind: draft.kind ?? asKind(saved.kind), baseUrl: draft.baseUrl !== undefined ? draft.baseUrl || null : saved.baseUrl }, draft.apiKey !== undefined);
  if (saved?.apiKeyCipher && draft?.apiKey === undefined) {
    try {
      storedKey = secretBox().decrypt(saved.apiKeyCipher);
    } catch (error) {
      if (!(error instanceof DecryptionError)) throw error;
      keyProblem = `The stored API key cannot be decrypted (${error.message}) Enter the key again.`;
    }
  }
  const apiKey = draft?.apiKey !== undefined ? draft.apiKey || null : storedKey;
  const config: ConfiguredProvider = {
    id: saved?.name ?? "draft",
    name: saved?.name ?? "draft",
    kind: draft?.kind ?? asKind(saved!.kind),
    baseUrl: draft?.baseUrl !== undefined ? draft.baseUrl || null : (saved?.baseUrl ?? null),
    apiKey,
    models: saved?.models ?? [],
    priority: saved?.priority ?? 100,
    timeoutMs: draft?.timeoutMs ?? saved?.timeoutMs ?? 60_000,
    version: "test",
  };

  const problem = keyProblem ?? providerConfigProblem({ kind: config.kind, baseUrl: config.baseUrl, hasApiKey: !!apiKey })?.message ?? null;
  const result = problem ? { ok: false, latencyMs: 0, message: problem, models: [] } : await checkHealth(config);
  // A vendor may echo part of the key in its error; make sure it never reaches the row, the log or the caller.
  if (result.message && apiKey && apiKey.length >= 8) result.message = result.message.split(apiKey).join(maskSecret(apiKey.slice(-4)) ?? "");

  const recorded = saved && !draft;
  if (recorded) {
    await db.llmProvider.update({
      where: { id: saved.id },
      data: { lastTestedAt: new Date(), lastTestOk: result.ok, lastTestMessage: result.message?.slice(0, 1000) ?? null },
    });
  }
  await recordAudit(db, actor, {
    action: "provider.test",
    teamId: input.teamId,
    targetType: "provider",
    targetId: saved?.id,
    after: { kind: config.kind, baseUrl: config.baseUrl, draft: !!draft, ok: result.ok, message: result.message },
  });
  if (recorded) teamConfigChanged(input.teamId, "providers");
  return result;
}

async function checkHealth(config: ConfiguredProvider): Promise<ProviderTestResultDto> {
  const limitMs = Math.min(config.timeoutMs, TEST_TIMEOUT_MS);
  const started = performance.now();
  const signal = AbortSignal.timeout(limitMs);
  const timedOut = new Promise<ProviderHealth>((resolve) =>
    signal.addEventListener("abort", () => resolve({ ok: false, latencyMs: limitMs, message: `No answer within ${limitMs / 1000} s.` }), { once: true }),
  );
  try {
    const client = createProviderClient({ ...config, timeoutMs: limitMs });
    const health = await Promise.race([client.health(signal), timedOut]);
    return {
      ok: health.ok,
      latencyMs: health.latencyMs,
      message: health.ok ? null : health.message || "The provider did not answer.",
      models: health.models ?? [],
    };
  } catch (error) {
    // health() reports failures itself; this catches a client that cannot even be built.
    return { ok: false, latencyMs: Math.round(performance.now() - started), message: error instanceof Error ? error.message : String(error), models: [] };
  }
}

// ---------------------------------------------------------------------------------
// What the gateway reads

const NANO_PER_USD_PER_MILLION = 1000;
const usdPerMillion = (nanoPerToken: number) => nanoPerToken / NANO_PER_USD_PER_MILLION;
const nanoPerToken = (usdPerMillionTokens: number) => Math.round(usdPerMillionTokens * NANO_PER_USD_PER_MILLION);

function toCatalogEntry(row: ModelPrice): CatalogEntry {
  return {
    id: row.modelId,
    provider: asKind(row.provider),
    contextWindow: row.contextWindow,
    maxOutputTokens: row.maxOutputTokens,
    price: {
      input: usdPerMillion(row.inputNanoPerToken),
      cachedInput: usdPerMillion(row.cachedInputNanoPerToken),
      output: usdPerMillion(row.outputNanoPerToken),
    },
    capabilities: row.capabilities.filter((c): c is Capability => (CAPABILITIES as readonly string[]).includes(c)),
  };
}

function toSettingsDto(row: GatewaySettings | null): GatewaySettingsDto {
  if (!row) return { ...GATEWAY_DEFAULTS, fallback: [...GATEWAY_DEFAULTS.fallback], updatedAt: null };
  return {
    strategy: (STRATEGIES as readonly string[]).includes(row.strategy) ? (row.strategy as Strategy) : GATEWAY_DEFAULTS.strategy,
    defaultModel: row.defaultModel,
    fallback: row.fallback,
    cacheEnabled: row.cacheEnabled,
    cacheTtlSeconds: row.cacheTtlSeconds,
    updatedAt: row.updatedAt.toISOString(),
  };
}

/**
 * Everything the gateway needs for one team: enabled providers (preferred first, keys
 * decrypted), the team's catalog edits, routing policy and cache settings. A provider
 * whose key cannot be decrypted is skipped with a warning, so one bad row does not stop
 * every call.
 */
export async function loadTeamGatewayConfig(db: Db, teamId: string): Promise<TeamGatewayConfig> {
  const [rows, prices, settingsRow] = await Promise.all([
    db.llmProvider.findMany({ where: { teamId, enabled: true }, orderBy: [{ priority: "asc" }, { name: "asc" }] }),
    db.modelPrice.findMany({ where: { teamId }, orderBy: { modelId: "asc" } }),
    db.gatewaySettings.findUnique({ where: { teamId } }),
  ]);
  const providers: ConfiguredProvider[] = [];
  for (const row of rows) {
    let apiKey: string | null = null;
    if (row.apiKeyCipher) {
      try {
        apiKey = secretBox().decrypt(row.apiKeyCipher);
      } catch (error) {
        if (!(error instanceof DecryptionError)) throw error;
        logger.warn("providers.key_undecryptable", { teamId, providerId: row.id, provider: row.name, error: error.message });
        continue;
      }
    }
    providers.push({
      id: row.id,
      name: row.name,
      kind: asKind(row.kind),
      baseUrl: row.baseUrl,
      apiKey,
      models: row.models,
      priority: row.priority,
      timeoutMs: row.timeoutMs,
      version: String(row.updatedAt.getTime()),
    });
  }
  const settings = toSettingsDto(settingsRow);
  return {
    providers,
    catalogOverrides: prices.map(toCatalogEntry),
    policy: { strategy: settings.strategy, defaultModel: settings.defaultModel, fallback: settings.fallback },
    cache: { enabled: settings.cacheEnabled, ttlMs: settings.cacheTtlSeconds * 1000 },
  };
}

// ---------------------------------------------------------------------------------
// Models and prices

/** The team's effective catalog: shipped entries with its overrides applied, then its own models. */
export async function listModels(db: Db, teamId: string): Promise<CatalogModelDto[]> {
  const [prices, providers] = await Promise.all([
    db.modelPrice.findMany({ where: { teamId } }),
    db.llmProvider.findMany({ where: { teamId, enabled: true }, select: { name: true, models: true }, orderBy: [{ priority: "asc" }, { name: "asc" }] }),
  ]);
  const overrides = new Map(prices.map((row) => [row.modelId, row]));
  const catalog = new ModelCatalog().withOverrides(prices.map(toCatalogEntry));

  // A provider "enables" the catalog entry its model ids resolve to (dated snapshots included).
  const enabledOn = new Map<string, string[]>();
  for (const provider of providers) {
    for (const model of provider.models) {
      const entry = catalog.find(model);
      if (!entry) continue;
      const names = enabledOn.get(entry.id) ?? [];
      if (!names.includes(provider.name)) names.push(provider.name);
      enabledOn.set(entry.id, names);
    }
  }

  const shippedIds = new Set(SHIPPED_CATALOG.map((e) => e.id));
  const dto = (entry: CatalogEntry): CatalogModelDto => {
    const override = overrides.get(entry.id);
    const shipped = SHIPPED_CATALOG.find((e) => e.id === entry.id);
    return {
      id: entry.id,
      provider: entry.provider,
      contextWindow: entry.contextWindow,
      maxOutputTokens: entry.maxOutputTokens,
      price: { ...entry.price },
      capabilities: [...entry.capabilities],
      source: !override ? "shipped" : shipped ? "override" : "custom",
      shippedPrice: override && shipped ? { ...shipped.price } : null,
      enabledOn: enabledOn.get(entry.id) ?? [],
      updatedAt: override?.updatedAt.toISOString() ?? null,
    };
  };
  const custom = catalog
    .list()
    .filter((e) => !shippedIds.has(e.id))
    .sort((a, b) => a.id.localeCompare(b.id));
  return [...SHIPPED_CATALOG.map((e) => dto(catalog.find(e.id)!)), ...custom.map(dto)];
}

async function modelDto(db: Db, teamId: string, modelId: string): Promise<CatalogModelDto | null> {
  return (await listModels(db, teamId)).find((m) => m.id === modelId) ?? null;
}

/** Sets the team's price (and, optionally, limits and capabilities) for a shipped model, or adds a model of its own. */
export async function upsertModel(db: Db, actor: AuditActor, input: ModelUpsertInput): Promise<CatalogModelDto> {
  const existing = await db.modelPrice.findUnique({ where: { teamId_modelId: { teamId: input.teamId, modelId: input.modelId } } });
  const base: CatalogEntry | undefined = existing ? toCatalogEntry(existing) : SHIPPED_CATALOG.find((e) => e.id === input.modelId);
  const provider = input.provider ?? base?.provider;
  const contextWindow = input.contextWindow ?? base?.contextWindow;
  const maxOutputTokens = input.maxOutputTokens ?? base?.maxOutputTokens;
  const capabilities = input.capabilities ?? base?.capabilities;
  if (!provider || !contextWindow || !maxOutputTokens || !capabilities) {
    throw new ValidationError(
      `"${input.modelId}" is not in the shipped catalog, so give its provider kind, context window, maximum output tokens and capabilities.`,
    );
  }
  if (maxOutputTokens > contextWindow) {
    throw new ValidationError(`Maximum output tokens (${maxOutputTokens}) cannot exceed the context window (${contextWindow}).`, { field: "maxOutputTokens" });
  }
  const data = {
    provider,
    contextWindow,
    maxOutputTokens,
    inputNanoPerToken: nanoPerToken(input.price.input),
    cachedInputNanoPerToken: nanoPerToken(input.price.cachedInput),
    outputNanoPerToken: nanoPerToken(input.price.output),
    capabilities,
  };
  const row = await db.modelPrice.upsert({
    where: { teamId_modelId: { teamId: input.teamId, modelId: input.modelId } },
    create: { teamId: input.teamId, modelId: input.modelId, ...data },
    update: data,
  });
  await recordAudit(db, actor, {
    action: "model.upsert",
    teamId: input.teamId,
    targetType: "model",
    targetId: input.modelId,
    before: existing ? toCatalogEntry(existing) : null,
    after: toCatalogEntry(row),
  });
  teamConfigChanged(input.teamId, "catalog");
  return (await modelDto(db, input.teamId, input.modelId))!;
}

/** Drops the team's override: a shipped model returns to its shipped entry (returned), a custom one disappears (null). */
export async function resetModel(db: Db, actor: AuditActor, input: ModelTargetInput): Promise<CatalogModelDto | null> {
  const existing = await db.modelPrice.findUnique({ where: { teamId_modelId: { teamId: input.teamId, modelId: input.modelId } } });
  if (!existing) throw new NotFoundError(`A price override for "${input.modelId}"`);
  await db.modelPrice.delete({ where: { id: existing.id } });
  await recordAudit(db, actor, { action: "model.reset", teamId: input.teamId, targetType: "model", targetId: input.modelId, before: toCatalogEntry(existing) });
  teamConfigChanged(input.teamId, "catalog");
  return modelDto(db, input.teamId, input.modelId);
}

// ---------------------------------------------------------------------------------
// Gateway settings

export async function getGatewaySettings(db: Db, teamId: string): Promise<GatewaySettingsDto> {
  return toSettingsDto(await db.gatewaySettings.findUnique({ where: { teamId } }));
}

/** Changes the fields given; the others keep their current (or default) values. */
export async function updateGatewaySettings(db: Db, actor: AuditActor, input: GatewaySettingsInput): Promise<GatewaySettingsDto> {
  const before = await getGatewaySettings(db, input.teamId);
  const data = {
    strategy: input.strategy ?? before.strategy,
    defaultModel: input.defaultModel === undefined ? before.defaultModel : input.defaultModel || null,
    fallback: input.fallback ?? before.fallback,
    cacheEnabled: input.cacheEnabled ?? before.cacheEnabled,
    cacheTtlSeconds: input.cacheTtlSeconds ?? before.cacheTtlSeconds,
  };
  const row = await db.gatewaySettings.upsert({ where: { teamId: input.teamId }, create: { teamId: input.teamId, ...data }, update: data });
  const after = toSettingsDto(row);
  const { updatedAt: _b, ...beforeFields } = before;
  const { updatedAt: _a, ...afterFields } = after;
  await recordAudit(db, actor, { action: "gateway.settings.update", teamId: input.teamId, targetType: "team", targetId: input.teamId, before: beforeFields, after: afterFields });
  teamConfigChanged(input.teamId, "settings");
  return after;
}
