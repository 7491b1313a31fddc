// The OpenAI-compatible API: POST /v1/chat/completions (JSON and SSE) and GET /v1/models,
// served straight from the Node HTTP server (no Next, no tRPC) because it is the hot
// path outside apps hammer. Authenticated with Maestro API keys; every call goes through
// the same gateway (routing, cache, budgets, accounting) as the rest of Maestro.
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";
import { cachedPrincipalFromApiKey } from "../../auth/api-key-cache.ts";
import type { Principal } from "../../auth/principal.ts";
import { db } from "../../db/client.ts";
import { env } from "../../env.ts";
import { logger } from "../../logger.ts";
import { can, type Scope } from "../../shared/rbac.ts";
import { ForbiddenError, PayloadTooLargeError } from "../../errors.ts";
import {
  SSE_DONE,
  WireError,
  createChunkEncoder,
  encodeStreamError,
  errorBody,
  parseChatCompletionRequest,
  toChatCompletion,
  toModelList,
} from "../../llm/openai-wire.ts";
import type { CallContext } from "../../llm/gateway-types.ts";
import { gatewayServices } from "./runtime.ts";

export const V1_PREFIX = "/v1/";

const JSON_HEADERS = { "content-type": "application/json" } as const;

function sendJson(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, { ...JSON_HEADERS, "content-length": Buffer.byteLength(body), ...headers });
  res.end(body);
}

function sendError(res: ServerResponse, error: unknown): void {
  const { status, body, headers } = errorBody(error);
  if (status >= 500) logger.error("v1.error", { error });
  if (res.headersSent) {
    res.end();
    return;
  }
  sendJson(res, status, body, headers);
}

/** Reads the body up to the configured limit; a larger body is refused before it is all read. */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limit) return reject(new PayloadTooLargeError(limit));
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners("data");
        req.resume();
        reject(new PayloadTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

async function authenticate(req: IncomingMessage, scope: Scope): Promise<Principal> {
  const header = req.headers.authorization;
  const token = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (!token) {
    throw new WireError("You didn't provide an API key. Send a Maestro API key as 'Authorization: Bearer mk_...'; create one under Account.", {
      status: 401,
      code: "missing_api_key",
    });
  }
  const principal = await cachedPrincipalFromApiKey(await db(), token);
  if (!principal?.apiKey) throw new WireError("Incorrect API key provided. Keys are created under Account in Maestro.", { status: 401, code: "invalid_api_key" });
  if (!can(principal.apiKey.scopes, scope)) throw new ForbiddenError(`This API key lacks the "${scope}" permission.`);
  return principal;
}

function completionId(): string {
  return `chatcmpl-${randomBytes(12).toString("base64url")}`;
}

async function models(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const principal = await authenticate(req, "team:read");
  const { targets } = await gatewayServices().gateway.routable(principal.apiKey!.teamId);
  const seen = new Set<string>();
  const list: { id: string; ownedBy: string }[] = [];
  for (const t of targets) {
    // Both the plain model id (routed by the team's strategy) and the pinned provider/model.
    for (const id of [t.model, `${t.providerName}/${t.model}`]) {
      if (!seen.has(id)) {
        seen.add(id);
        list.push({ id, ownedBy: t.providerName });
      }
    }
  }
  sendJson(res, 200, toModelList(list));
}

async function chatCompletions(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const principal = await authenticate(req, "gateway:call");
  const raw = await readBody(req, env().MAESTRO_MAX_REQUEST_BYTES);
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new WireError("We could not parse the JSON body of your request. It must be a JSON object.", { code: "invalid_json" });
  }
  const { request, stream, includeUsage } = parseChatCompletionRequest(body);
  const abort = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) abort.abort();
  });
  const ctx: CallContext = {
    teamId: principal.apiKey!.teamId,
    userId: principal.userId,
    apiKeyId: principal.apiKey!.id,
    operation: "v1.chat.completions",
    signal: abort.signal,
  };
  const created = Math.floor(Date.now() / 1000);
  const gateway = gatewayServices().gateway;
  if (!stream) {
    const result = await gateway.chat(ctx, request);
    sendJson(res, 200, toChatCompletion(result, created), {
      "x-maestro-provider": result.meta.providerName,
      "x-maestro-cache": result.meta.cacheHit ? "hit" : "miss",
    });
    return;
  }
  const encoder = createChunkEncoder({ id: completionId(), created, model: request.model ?? "auto", includeUsage });
  const events = gateway.stream(ctx, request);
  // Headers wait for the first event, so a failure before any output is a proper HTTP error.
  const first = await events.next();
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive", "x-accel-buffering": "no" });
  try {
    if (!first.done) {
      const text = encoder.encode(first.value);
      if (text) res.write(text);
      for await (const event of events) {
        const chunk = encoder.encode(event);
        if (chunk) res.write(chunk);
      }
    }
    res.end(SSE_DONE);
  } catch (error) {
    if (!abort.signal.aborted) {
      logger.warn("v1.stream_failed", { error });
      res.end(encodeStreamError(error));
    }
  }
}

/** Handles a request under /v1/; answers every failure with an OpenAI-shaped error body. */
export async function handleV1(req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const path = req.url!.split("?", 1)[0]!;
    if (path === "/v1/chat/completions") {
      if (req.method !== "POST") throw new WireError("Use POST for /v1/chat/completions.", { status: 405, code: "method_not_allowed" });
      return await chatCompletions(req, res);
    }
    if (path === "/v1/models") {
      if (req.method !== "GET") throw new WireError("Use GET for /v1/models.", { status: 405, code: "method_not_allowed" });
      return await models(req, res);
    }
    throw new WireError(`Unknown endpoint ${req.method} ${path}. Maestro serves POST /v1/chat/completions and GET /v1/models.`, { status: 404, code: "unknown_url" });
  } catch (error) {
    sendError(res, error);
  }
}
