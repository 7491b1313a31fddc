// The gateway wired for real: providers configured through tRPC (key encrypted in the
// database), calls through tRPC and through /v1 with the official openai client, usage
// written to the ledger, budgets held in the database. Only the vendor is a local fake.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import OpenAI from "openai";
import { type TRPCError } from "@trpc/server";
import { withFixtures } from "../../test/fixtures.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../../llm/testing/fake-openai.ts";
import { handleV1 } from "./v1.ts";
import { gatewayServices, stopGatewayServices } from "./runtime.ts";
import { flushUsage } from "../usage/index.ts";
import { estimateInputTokens } from "../../llm/tokens.ts";
import { ModelCatalog, costNanoUsd } from "../../llm/catalog.ts";

const f = withFixtures();
let fake: FakeOpenAI;
let server: Server;
let v1Url: string;
let adminKey: string;
let viewerKey: string;
const VENDOR_KEY = "not-a-real-vendor-key-0042";

beforeAll(async () => {
  fake = await startFakeOpenAI({ apiKey: VENDOR_KEY });
  server = createServer((req, res) => void handleV1(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  v1Url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  const admin = await f.caller("admin");
  await admin.providers.create({ teamId: f.team.id, name: "openai", kind: "openai", baseUrl: fake.url, apiKey: VENDOR_KEY, models: ["gpt-4o-mini", "gpt-4o"], priority: 10 });
  adminKey = (await admin.apiKeys.create({ teamId: f.team.id, name: "sdk", scopes: ["team:read", "gateway:call"] })).key;
  viewerKey = (await (await f.caller("viewer")).apiKeys.create({ teamId: f.team.id, name: "ro", scopes: ["team:read"] })).key;
});

afterAll(async () => {
  await stopGatewayServices();
  await new Promise((resolve) => server?.close(resolve));
  await fake?.close();
});

function sdk(apiKey = adminKey) {
  return new OpenAI({ baseURL: v1Url, apiKey, maxRetries: 0 });
}

async function domainCodeOf(promise: Promise<unknown>): Promise<string | null> {
  try {
    await promise;
    return null;
  } catch (error) {
    const cause = (error as TRPCError).cause as { code?: string } | undefined;
    return cause?.code ?? (error as TRPCError).code;
  }
}

describe("gateway through tRPC", () => {
  it("answers with the configured provider, never sending Maestro's key anywhere but the vendor", async () => {
    const admin = await f.caller("admin");
    const result = await admin.gateway.chat({ teamId: f.team.id, model: "gpt-4o-mini", messages: [{ role: "user", content: "Hello there" }], cache: false });
    expect(result.content.length).toBeGreaterThan(0);
    expect(result.meta.provider).toBe("openai");
    expect(result.meta.costUsd).toBeGreaterThan(0);
    expect(fake.requests.at(-1)!.headers.authorization).toBe(`Bearer ${VENDOR_KEY}`);
  });

  it("streams chunks and ends with the call's tokens and cost", async () => {
    const operator = await f.caller("operator");
    const chunks = [];
    for await (const chunk of await operator.gateway.chatStream({ teamId: f.team.id, model: "gpt-4o-mini", messages: [{ role: "user", content: "Stream this please" }], cache: false })) {
      chunks.push(chunk);
    }
    const text = chunks.flatMap((c) => (c.type === "text" ? [c.text] : [])).join("");
    expect(text.length).toBeGreaterThan(0);
    const meta = chunks.at(-1);
    expect(meta?.type).toBe("meta");
    if (meta?.type === "meta") {
      expect(meta.meta.outputTokens).toBeGreaterThan(0);
      expect(meta.meta.firstChunkMs).not.toBeNull();
    }
  });

  it("writes a usage record per call that the usage queries see", async () => {
    const admin = await f.caller("admin");
    await admin.gateway.chat({ teamId: f.team.id, model: "gpt-4o", messages: [{ role: "user", content: "Count me" }], cache: false, operation: "count-test" });
    await flushUsage();
    const rows = await f.db.usageRecord.findMany({ where: { teamId: f.team.id, operation: "count-test" } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ providerName: "openai", model: "gpt-4o", outcome: "ok", userId: f.users.admin.id, cacheHit: false });
    expect(rows[0]!.costNano).toBeGreaterThan(0n);
  });

  it("a viewer cannot spend money", async () => {
    const viewer = await f.caller("viewer");
    expect(await domainCodeOf(viewer.gateway.chat({ teamId: f.team.id, messages: [{ role: "user", content: "hi" }] }))).toBe("FORBIDDEN");
  });

  it("a vendor's 400 reaches the caller as a bad request with the vendor's message", async () => {
    fake.enqueue({ kind: "error", status: 400, message: "Invalid 'messages[0].content': too spicy." });
    const admin = await f.caller("admin");
    await expect(admin.gateway.chat({ teamId: f.team.id, model: "gpt-4o-mini", messages: [{ role: "user", content: "x" }], cache: false })).rejects.toThrow(/too spicy/);
  });

  it("lists routable models with prices", async () => {
    const models = await (await f.caller("viewer")).gateway.models({ teamId: f.team.id });
    expect(models.map((m) => m.ref)).toEqual(["openai/gpt-4o-mini", "openai/gpt-4o"]);
    expect(models[0]!.price?.input).toBeGreaterThan(0);
  });

  it("serves a repeated deterministic call from the cache at no cost, and invalidates by model", async () => {
    const admin = await f.caller("admin");
    const input = { teamId: f.team.id, model: "gpt-4o-mini", messages: [{ role: "user" as const, content: "Cache me" }] };
    const first = await admin.gateway.chat(input);
    const before = fake.requests.length;
    const second = await admin.gateway.chat(input);
    expect(first.meta.cacheHit).toBe(false);
    expect(second.meta.cacheHit).toBe(true);
    expect(second.meta.costUsd).toBe(0);
    expect(second.content).toBe(first.content);
    expect(fake.requests.length).toBe(before);
    const { removed } = await admin.gateway.cacheInvalidate({ teamId: f.team.id, model: "gpt-4o-mini" });
    expect(removed).toBeGreaterThanOrEqual(1);
    expect((await admin.gateway.chat(input)).meta.cacheHit).toBe(false);
  });
});

describe("budgets through the gateway", () => {
  it("fifty concurrent calls against a budget with room for ten admit at most ten; the rest get BUDGET_EXCEEDED naming it", async () => {
    // A team of its own so other tests' spend does not count.
    const team = await f.db.team.create({ data: { slug: "budget-team", name: "Budget team", memberships: { create: { userId: f.users.admin.id, role: "admin" } } } });
    const admin = await f.caller("admin");
    const caller = admin;
    // Every call waits upstream long enough for all fifty to ask for room before any settles.
    const prompt = "[offline:delay=1500] Tell me something";
    // The worst case of one call on the built-in offline model: estimated input + 20 output tokens.
    const price = new ModelCatalog().find("maestro-offline")!.price;
    const worstNano = costNanoUsd({ inputTokens: estimateInputTokens({ messages: [{ role: "user", content: prompt }] }), outputTokens: 20, cachedInputTokens: 0 }, price);
    await admin.budgets.create({ teamId: team.id, name: "Room for ten", scope: "team", period: "monthly", limitUsd: (worstNano * 10) / 1e9, thresholds: [50, 80, 100] });
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => caller.gateway.chat({ teamId: team.id, messages: [{ role: "user", content: prompt }], maxTokens: 20, cache: false })),
    );
    const admitted = results.filter((r) => r.status === "fulfilled").length;
    const refused = results.filter((r) => r.status === "rejected");
    expect(admitted).toBeLessThanOrEqual(10);
    expect(admitted).toBeGreaterThanOrEqual(1);
    expect(refused.length).toBe(50 - admitted);
    for (const r of refused) {
      const error = (r as PromiseRejectedResult).reason as TRPCError;
      expect((error.cause as { code?: string }).code).toBe("BUDGET_EXCEEDED");
      expect(error.message).toContain("Room for ten");
    }
    const [budget] = await admin.budgets.list({ teamId: team.id });
    expect(budget!.spentUsd).toBeLessThanOrEqual(budget!.limitUsd);
    expect(budget!.reservedUsd).toBe(0);
  });
});

describe("/v1 with the official openai client", () => {
  it("chat completions, JSON", async () => {
    const completion = await sdk().chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Say hi" }] });
    expect(completion.object).toBe("chat.completion");
    expect(completion.choices[0]!.message.content!.length).toBeGreaterThan(0);
    expect(completion.usage!.total_tokens).toBeGreaterThan(0);
    expect(completion.model).toBe("gpt-4o-mini");
  });

  it("chat completions, streaming with usage", async () => {
    const stream = await sdk().chat.completions.create({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "Stream to me" }],
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.5,
    });
    let text = "";
    let usage;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      usage ??= chunk.usage ?? undefined;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("tool calls come back in OpenAI's shape", async () => {
    fake.enqueue({ kind: "tool_call", name: "get_weather", arguments: '{"city":"Oslo"}' });
    const completion = await sdk().chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "Weather in Oslo?" }],
      tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }],
    });
    const call = completion.choices[0]!.message.tool_calls![0]!;
    expect(completion.choices[0]!.finish_reason).toBe("tool_calls");
    expect(call.type === "function" && call.function.name).toBe("get_weather");
    expect(call.type === "function" && JSON.parse(call.function.arguments)).toEqual({ city: "Oslo" });
  });

  it("lists models", async () => {
    const ids = [];
    for await (const model of sdk().models.list()) ids.push(model.id);
    expect(ids).toEqual(expect.arrayContaining(["gpt-4o-mini", "openai/gpt-4o-mini", "gpt-4o"]));
  });

  it("an unknown model is a 404 model_not_found naming what is enabled", async () => {
    const error = await sdk().chat.completions.create({ model: "gpt-9-ultra", messages: [{ role: "user", content: "x" }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.NotFoundError>).code).toBe("model_not_found");
    expect((error as Error).message).toContain("gpt-4o-mini");
  });

  it("a missing or wrong key is a 401, a key without gateway:call a 403", async () => {
    const missing = await fetch(`${v1Url}/chat/completions`, { method: "POST", body: "{}" });
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("missing_api_key");
    const wrong = await sdk("mk_wrongwrongwrongwrongwrongwrongwrong").chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "x" }] }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(OpenAI.AuthenticationError);
    const viewer = await sdk(viewerKey).chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "x" }] }).catch((e: unknown) => e);
    expect(viewer).toBeInstanceOf(OpenAI.PermissionDeniedError);
  });

  it("malformed JSON and invalid fields are 400s in OpenAI's error shape, naming the field", async () => {
    const post = (body: string) => fetch(`${v1Url}/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" }, body });
    const malformed = await post("{not json");
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { type: string } }).error.type).toBe("invalid_request_error");
    const badRole = await post(JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "wizard", content: "x" }] }));
    expect(badRole.status).toBe(400);
    expect(((await badRole.json()) as { error: { param: string } }).error.param).toContain("messages[0]");
    const unknownPath = await fetch(`${v1Url}/embeddings`, { method: "POST", headers: { authorization: `Bearer ${adminKey}` }, body: "{}" });
    expect(unknownPath.status).toBe(404);
  });

  it("an oversized body is a 413 and nothing is recorded", async () => {
    await flushUsage();
    const before = await f.db.usageRecord.count();
    const huge = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "x".repeat(2 * 1024 * 1024) }] });
    const response = await fetch(`${v1Url}/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" }, body: huge });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/larger than the limit/);
    await flushUsage();
    expect(await f.db.usageRecord.count()).toBe(before);
  });

  it("a budget refusal is a 429 insufficient_quota that the SDK does not retry", async () => {
    const admin = await f.caller("admin");
    await admin.budgets.create({ teamId: f.team.id, name: "Tiny gpt-4o budget", scope: "model", scopeRef: "gpt-4o", period: "daily", limitUsd: 0.000001, thresholds: [100] });
    gatewayServices().configs.forget(f.team.id);
    const before = fake.requests.length;
    const error = await new OpenAI({ baseURL: v1Url, apiKey: adminKey, maxRetries: 2 })
      .chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "Expensive question" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).code).toBe("budget_exceeded");
    expect((error as Error).message).toContain("Tiny gpt-4o budget");
    expect(fake.requests.length).toBe(before);
  });
});

describe("chatStream over HTTP (httpBatchStreamLink)", () => {
  it("streams chunks, and an error raised mid-stream arrives with its own message and domain code", async () => {
    const { fetchRequestHandler } = await import("@trpc/server/adapters/fetch");
    const { createTRPCClient, httpBatchStreamLink, TRPCClientError } = await import("@trpc/client");
    const superjson = (await import("superjson")).default;
    const { appRouter } = await import("../../api/root.ts");
    const { createContextForPrincipal } = await import("../../api/context.ts");
    const { testPolicy } = await import("../../test/fixtures.ts");
    type Router = typeof appRouter;
    const principal = await f.principal("admin");
    const client = createTRPCClient<Router>({
      links: [
        httpBatchStreamLink({
          url: "http://maestro.test/api/trpc",
          transformer: superjson,
          fetch: (url, init) =>
            fetchRequestHandler({ endpoint: "/api/trpc", req: new Request(url, init as RequestInit), router: appRouter, createContext: () => createContextForPrincipal(f.db, testPolicy, principal) }),
        }),
      ],
    });
    let text = "";
    for await (const chunk of await client.gateway.chatStream.mutate({ teamId: f.team.id, model: "gpt-4o-mini", messages: [{ role: "user", content: "Over HTTP" }], cache: false })) {
      if (chunk.type === "text") text += chunk.text;
    }
    expect(text.length).toBeGreaterThan(0);

    // gpt-4o has a tiny budget (created above): the refusal comes from inside the stream.
    const error = await (async () => {
      for await (const _ of await client.gateway.chatStream.mutate({ teamId: f.team.id, model: "gpt-4o", messages: [{ role: "user", content: "Refuse me" }], cache: false })) {
        // no chunk expected
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as Error).message).toContain("Tiny gpt-4o budget");
    expect((error as InstanceType<typeof TRPCClientError>).data).toMatchObject({ code: "TOO_MANY_REQUESTS", domainCode: "BUDGET_EXCEEDED" });
  });
});
