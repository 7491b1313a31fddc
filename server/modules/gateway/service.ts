// Gateway calls from tRPC (Playground, TypeScript apps, agents): input → gateway
// request, result → DTO, provider failures → typed domain errors with the vendor's words.
import { nanoToUsd } from "../../llm/catalog.ts";
import { isProviderError } from "../../llm/errors.ts";
import type { CallContext, CallMeta, GatewayRequest, GatewayStreamEvent } from "../../llm/gateway-types.ts";
import { OFFLINE_PROVIDER_ID } from "../../llm/providers/offline.ts";
import { isDomainError, NotFoundError, RateLimitedError, UpstreamError, ValidationError } from "../../errors.ts";
import type { CallMetaDto, ChatInput, ChatResultDto, ChatStreamChunk, RoutableModelDto } from "../../shared/gateway.ts";
import { gatewayServices } from "./runtime.ts";
import type { Db } from "../../db/client.ts";
import { recordAudit, type AuditActor } from "../audit/index.ts";

export interface Caller {
  teamId: string;
  userId: string;
  apiKeyId: string | null;
}

export function toCallMetaDto(meta: CallMeta): CallMetaDto {
  return {
    provider: meta.providerName,
    providerKind: meta.providerKind,
    model: meta.model,
    strategy: meta.strategy,
    inputTokens: meta.usage.inputTokens,
    outputTokens: meta.usage.outputTokens,
    cachedInputTokens: meta.usage.cachedInputTokens,
    costUsd: nanoToUsd(meta.costNano),
    latencyMs: Math.round(meta.latencyMs * 100) / 100,
    firstChunkMs: meta.firstChunkMs === undefined ? null : Math.round(meta.firstChunkMs * 100) / 100,
    cacheHit: meta.cacheHit,
    attempts: meta.attempts.map((a) => ({ ...a, latencyMs: Math.round(a.latencyMs) })),
  };
}

/** Provider failures as domain errors; the vendor's own message is kept, it is what the user needs. */
export function toDomainError(error: unknown): unknown {
  if (isDomainError(error) || !isProviderError(error)) return error;
  const provider = error.details.provider;
  switch (error.kind) {
    case "bad_request":
      return new ValidationError(`${provider} rejected the request: ${error.message}`);
    case "not_found":
      return new NotFoundError(`On ${provider}, the model or endpoint (${error.message})`);
    case "rate_limited":
      return new RateLimitedError(`${provider} is rate limiting: ${error.message}`, Math.ceil((error.details.retryAfterMs ?? 1000) / 1000));
    case "auth":
      return new UpstreamError(`${provider} refused the API key configured in Maestro: ${error.message}`, { provider, kind: error.kind });
    case "cancelled":
      return new ValidationError("The call was cancelled.");
    case "timeout":
      return new UpstreamError(`${provider} did not answer in time: ${error.message}`, { provider, kind: error.kind }, true);
    default:
      return new UpstreamError(`${provider} failed: ${error.message}`, { provider, kind: error.kind });
  }
}

function toRequest(input: Omit<ChatInput, "teamId" | "operation">): GatewayRequest {
  const { model, ...rest } = input;
  return { ...rest, ...(model && model !== "auto" ? { model } : {}) };
}

function callContext(caller: Caller, operation: string | undefined, signal: AbortSignal | undefined): CallContext {
  return { teamId: caller.teamId, userId: caller.userId, apiKeyId: caller.apiKeyId, operation: operation ?? "playground", ...(signal ? { signal } : {}) };
}

export async function chat(caller: Caller, input: ChatInput, signal?: AbortSignal): Promise<ChatResultDto> {
  const { teamId: _team, operation, ...request } = input;
  try {
    const { response, meta } = await gatewayServices().gateway.chat(callContext(caller, operation, signal), toRequest(request));
    return { id: response.id, content: response.content, toolCalls: response.toolCalls, finishReason: response.finishReason, meta: toCallMetaDto(meta) };
  } catch (error) {
    throw toDomainError(error);
  }
}

function toChunk(event: GatewayStreamEvent): ChatStreamChunk | null {
  switch (event.type) {
    case "text-delta":
      return { type: "text", text: event.text };
    case "tool-call-delta":
      return { type: "tool-call", index: event.index, ...(event.id ? { id: event.id } : {}), ...(event.name ? { name: event.name } : {}), argumentsDelta: event.argumentsDelta };
    case "finish":
      return { type: "finish", reason: event.reason };
    case "meta":
      return { type: "meta", meta: toCallMetaDto(event.meta) };
    default:
      return null;
  }
}

export async function* chatStream(caller: Caller, input: ChatInput, signal?: AbortSignal): AsyncGenerator<ChatStreamChunk> {
  const { teamId: _team, operation, ...request } = input;
  try {
    for await (const event of gatewayServices().gateway.stream(callContext(caller, operation, signal), toRequest(request))) {
      const chunk = toChunk(event);
      if (chunk) yield chunk;
    }
  } catch (error) {
    throw toDomainError(error);
  }
}

/** What a team can route to: every enabled provider model, priced from the catalog. */
export async function routableModels(teamId: string): Promise<RoutableModelDto[]> {
  const { targets, catalog } = await gatewayServices().gateway.routable(teamId);
  return targets.map((t) => {
    const entry = catalog.find(t.model);
    return {
      ref: `${t.providerName}/${t.model}`,
      providerId: t.providerId,
      providerName: t.providerName,
      providerKind: t.kind,
      model: t.model,
      offline: t.kind === "offline" || t.providerId === OFFLINE_PROVIDER_ID,
      contextWindow: entry?.contextWindow ?? null,
      capabilities: entry?.capabilities ?? [],
      price: entry?.price ?? null,
    };
  });
}

export async function cacheStats() {
  return gatewayServices().gateway.cache.stats();
}

export async function invalidateCache(db: Db, actor: AuditActor, input: { teamId: string; model?: string | undefined; pattern?: string | undefined }) {
  const pattern = input.model ? `${input.model}:${input.pattern ?? "*"}` : input.pattern;
  const removed = await gatewayServices().gateway.cache.invalidate(input.teamId, pattern);
  await recordAudit(db, actor, { action: "cache.invalidate", teamId: input.teamId, after: { model: input.model ?? null, pattern: input.pattern ?? null, removed } });
  return { removed };
}

export async function warmCache(caller: Caller, requests: Omit<ChatInput, "teamId">[]) {
  const ctx = callContext(caller, "cache.warm", undefined);
  return gatewayServices().gateway.warm(ctx, requests.map(toRequest));
}
