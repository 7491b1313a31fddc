// What the gateway adds on top of calling the same local upstream directly with the
// same SDK: p50/p99 for the in-process path and for /v1, on a cache miss and a cache
// hit, time to a stream's first chunk, and requests per second with 50 concurrent
// clients. The upstream (a lean OpenAI-compatible server) and the load generator run
// in worker threads; the gateway, its database (PGlite) and its usage writer run here.
// Prints JSON; run with `npm run bench:gateway`.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import OpenAI from "openai";
import { openDatabase, installDatabase } from "../server/db/client.ts";
import { applyMigrations } from "../server/db/migrate.ts";
import { seedFixtures, principalFor } from "../server/test/fixtures.ts";
import { createApiKey } from "../server/modules/apikeys/index.ts";
import { createCaller } from "../server/api/root.ts";
import { createContextForPrincipal } from "../server/api/context.ts";
import { testPolicy } from "../server/test/fixtures.ts";
import { gatewayServices, stopGatewayServices } from "../server/modules/gateway/index.ts";
import { handleV1 } from "../server/modules/gateway/v1.ts";
import type { CallContext, GatewayRequest } from "../server/llm/gateway-types.ts";
import { sdkFetch } from "../server/llm/transport.ts";

const MODEL = "gpt-4o-mini";
const CONCURRENCY = 50;
const LOAD_SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

// ---------------------------------------------------------------------------------------
// The upstream: answers every chat completion with the same small reply, as JSON or SSE.
const UPSTREAM_SOURCE = `
const { createServer } = require("node:http");
const { parentPort } = require("node:worker_threads");
const usage = { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 };
const json = Buffer.from(JSON.stringify({ id: "chatcmpl-bench", object: "chat.completion", created: 1, model: "${MODEL}",
  choices: [{ index: 0, message: { role: "assistant", content: "The quick brown fox jumps over the lazy dog." }, finish_reason: "stop", logprobs: null }], usage }));
const chunk = (delta, finish, extra) => "data: " + JSON.stringify({ id: "chatcmpl-bench", object: "chat.completion.chunk", created: 1, model: "${MODEL}",
  choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }], ...extra }) + "\\n\\n";
const words = "The quick brown fox jumps over the lazy dog.".split(/(?<= )/);
const sse = Buffer.from(chunk({ role: "assistant", content: "" }, null) + words.map((w) => chunk({ content: w }, null)).join("")
  + chunk({}, "stop") + "data: " + JSON.stringify({ id: "chatcmpl-bench", object: "chat.completion.chunk", created: 1, model: "${MODEL}", choices: [], usage }) + "\\n\\ndata: [DONE]\\n\\n");
const server = createServer((req, res) => {
  let body = "";
  req.setEncoding("utf8");
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    if (body.includes('"stream":true')) { res.writeHead(200, { "content-type": "text/event-stream" }); res.end(sse); }
    else { res.writeHead(200, { "content-type": "application/json", "content-length": json.length }); res.end(json); }
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, "127.0.0.1", () => parentPort.postMessage(server.address().port));
`;

// ---------------------------------------------------------------------------------------
// The load generator: N keep-alive connections firing POSTs back to back for a while.
const LOAD_SOURCE = `
const http = require("node:http");
const { parentPort, workerData } = require("node:worker_threads");
const { port, path, body, headers, concurrency, seconds, stream } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
let done = 0, failed = 0, firstStatus = null;
const until = Date.now() + seconds * 1000;
function one(resolve) {
  if (Date.now() >= until) return resolve();
  const req = http.request({ host: "127.0.0.1", port, path, method: "POST", agent, headers: { ...headers, "content-length": Buffer.byteLength(body) } }, (res) => {
    res.resume();
    res.on("end", () => { if (res.statusCode === 200) done++; else { failed++; firstStatus ??= res.statusCode; } one(resolve); });
  });
  req.on("error", () => { failed++; one(resolve); });
  req.end(body);
}
const started = Date.now();
Promise.all(Array.from({ length: concurrency }, () => new Promise(one))).then(() => {
  const elapsed = (Date.now() - started) / 1000;
  parentPort.postMessage({ requestsPerSecond: Math.round(done / elapsed), completed: done, failed, firstFailedStatus: firstStatus, seconds: elapsed });
});
`;

function startWorker<T>(source: string, workerData?: unknown): Promise<{ first: T; worker: Worker }> {
  const worker = new Worker(source, { eval: true, workerData });
  return new Promise((resolve, reject) => {
    worker.once("message", (first: T) => resolve({ first, worker }));
    worker.once("error", reject);
  });
}

function summarise(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { runs: samples.length, p50Ms: round(at(0.5)), p99Ms: round(at(0.99)) };
}

const round = (n: number) => Number(n.toFixed(3));

/** Interleaves the two measurements so drift (GC, JIT, other load) hits both alike. */
async function paired(runs: number, baseline: () => Promise<unknown>, subject: () => Promise<unknown>) {
  for (let i = 0; i < 200; i++) {
    await baseline();
    await subject();
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    await baseline();
    a.push(performance.now() - t);
    t = performance.now();
    await subject();
    b.push(performance.now() - t);
  }
  const base = summarise(a);
  const sub = summarise(b);
  return { direct: base, gateway: sub, addedP50Ms: round(sub.p50Ms - base.p50Ms), addedP99Ms: round(sub.p99Ms - base.p99Ms) };
}

async function timeToFirstChunk(open: () => Promise<AsyncIterable<unknown>>): Promise<number> {
  const started = performance.now();
  let first = 0;
  for await (const _ of await open()) {
    first ||= performance.now() - started;
  }
  return first;
}

// ---------------------------------------------------------------------------------------
const { first: upstreamPort, worker: upstream } = await startWorker<number>(UPSTREAM_SOURCE);
const upstreamUrl = `http://127.0.0.1:${upstreamPort}/v1`;

const database = await openDatabase({ kind: "pglite" });
await applyMigrations(database.migrationTarget);
installDatabase(database);
const f = await seedFixtures(database.prisma);
const admin = await principalFor(f.db, f.users.admin.id);
const caller = createCaller(createContextForPrincipal(f.db, testPolicy, admin));
await caller.providers.create({ teamId: f.team.id, name: "local", kind: "openai-compatible", baseUrl: upstreamUrl, apiKey: "sk-bench", models: [MODEL] });
const { key } = await createApiKey(f.db, { userId: admin.userId, label: admin.email, scopes: admin.memberships[0]!.scopes, apiKeyId: null }, {
  teamId: f.team.id,
  name: "bench",
  scopes: ["team:read", "gateway:call"],
});

const v1: Server = createServer((req, res) => void handleV1(req, res));
v1.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => v1.listen(0, "127.0.0.1", resolve));
const v1Port = (v1.address() as AddressInfo).port;

// The baseline uses the same SDK with the same transport the gateway's adapters use, so
// the difference is the gateway alone.
const direct = new OpenAI({ baseURL: upstreamUrl, apiKey: "sk-bench", maxRetries: 0, fetch: sdkFetch });
const viaV1 = new OpenAI({ baseURL: `http://127.0.0.1:${v1Port}/v1`, apiKey: key, maxRetries: 0, fetch: sdkFetch });
const gateway = gatewayServices().gateway;
const ctx: CallContext = { teamId: f.team.id, userId: admin.userId, operation: "bench" };
const messages = [{ role: "user" as const, content: "Say something about foxes." }];
const miss: GatewayRequest = { model: MODEL, messages, cache: false };
const hit: GatewayRequest = { model: MODEL, messages };
const rssBefore = process.memoryUsage().rss;
const RUNS = Number(process.env.BENCH_RUNS ?? 2000);
if (process.env.BENCH_PROFILE) {
  // Profiles the main thread under the cache-miss load (BENCH_PROFILE=file.cpuprofile).
  const { Session } = await import("node:inspector/promises");
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  process.stdout.write(JSON.stringify(await load({ model: MODEL, messages, temperature: 0.5 })) + "\n");
  const { profile } = await session.post("Profiler.stop");
  (await import("node:fs")).writeFileSync(process.env.BENCH_PROFILE, JSON.stringify(profile));
  process.exit(0);
}

const inProcessMiss = await paired(RUNS, () => direct.chat.completions.create({ model: MODEL, messages }), () => gateway.chat(ctx, miss));
await gateway.chat(ctx, hit);
const inProcessHit = await paired(RUNS, () => direct.chat.completions.create({ model: MODEL, messages }), () => gateway.chat(ctx, hit));
const v1Miss = await paired(RUNS, () => direct.chat.completions.create({ model: MODEL, messages }), () =>
  viaV1.chat.completions.create({ model: MODEL, messages, temperature: 0.5 }),
);
const v1Hit = await paired(RUNS, () => direct.chat.completions.create({ model: MODEL, messages }), () => viaV1.chat.completions.create({ model: MODEL, messages }));

// Time to the first chunk of a stream (cache miss), direct vs through the gateway.
const firstDirect: number[] = [];
const firstInProcess: number[] = [];
const firstV1: number[] = [];
for (let i = 0; i < 600; i++) {
  const d = await timeToFirstChunk(() => direct.chat.completions.create({ model: MODEL, messages, stream: true }));
  const g = await timeToFirstChunk(async () => gateway.stream(ctx, miss));
  const h = await timeToFirstChunk(() => viaV1.chat.completions.create({ model: MODEL, messages, stream: true, temperature: 0.5 }));
  if (i >= 100) {
    firstDirect.push(d);
    firstInProcess.push(g);
    firstV1.push(h);
  }
}
const ttfc = { direct: summarise(firstDirect), inProcess: summarise(firstInProcess), v1: summarise(firstV1) };

async function load(body: object, stream = false) {
  const { first } = await startWorker<Record<string, number>>(LOAD_SOURCE, {
    port: v1Port,
    path: "/v1/chat/completions",
    body: JSON.stringify(body),
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    concurrency: CONCURRENCY,
    seconds: LOAD_SECONDS,
    stream,
  });
  return first;
}

const throughput = {
  v1NonStreamingCacheMiss: await load({ model: MODEL, messages, temperature: 0.5 }),
  v1NonStreamingCacheHit: await load({ model: MODEL, messages }),
  v1StreamingCacheMiss: await load({ model: MODEL, messages, stream: true, temperature: 0.5 }, true),
};

await gatewayServices().usage.flush();
const recorded = await f.db.usageRecord.count();
const rssGrowthMb = round((process.memoryUsage().rss - rssBefore) / 1048576);

const results = {
  backend: database.kind,
  concurrency: CONCURRENCY,
  inProcess: { cacheMiss: inProcessMiss, cacheHit: inProcessHit },
  v1: { cacheMiss: v1Miss, cacheHit: v1Hit },
  firstChunk: { ...ttfc, addedInProcessP50Ms: round(ttfc.inProcess.p50Ms - ttfc.direct.p50Ms), addedV1P50Ms: round(ttfc.v1.p50Ms - ttfc.direct.p50Ms) },
  throughput,
  usageRecordsWritten: recorded,
  rssGrowthMb,
  targets: {
    inProcessAddedP50Under0_2Ms: inProcessMiss.addedP50Ms < 0.2,
    v1AddedP50Under0_45Ms: v1Miss.addedP50Ms < 0.45,
    cacheHitUnder0_5Ms: inProcessHit.gateway.p50Ms < 0.5,
    v1AtLeast4000RequestsPerSecond: throughput.v1NonStreamingCacheMiss.requestsPerSecond! >= 4000,
    firstChunkAddedUnder1Ms: ttfc.inProcess.p50Ms - ttfc.direct.p50Ms < 1 && ttfc.v1.p50Ms - ttfc.direct.p50Ms < 1,
  },
};

await stopGatewayServices();
v1.close();
await upstream.terminate();
await database.close();
process.stdout.write(JSON.stringify(results, null, 2) + "\n");
process.exit(0);
