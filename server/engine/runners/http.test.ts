// The http step against a local node:http server: JSON and text bodies, the
// Idempotency-Key header, status sorting, the body cap, redirects under the allow-list
// and cancellation.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { freePort } from "../../llm/testing/test-helpers.ts";
import { stepFailure, testStepContext } from "../testing/step-context.ts";
import { createAllowlist } from "../tools/allowlist.ts";
import type { StepOutcome } from "../types.ts";
import { createHttpRunner, type HttpStep } from "./http.ts";

interface Seen {
  method: string;
  path: string;
  idempotencyKey: string | undefined;
  contentType: string | undefined;
  authorization: string | undefined;
  body: string;
}

let server: Server;
let base: string;
const seen: Seen[] = [];
const MB = 1024 * 1024;

async function readAll(req: IncomingMessage): Promise<string> {
  let text = "";
  for await (const chunk of req) text += chunk;
  return text;
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const body = await readAll(req);
    const path = (req.url ?? "/").split("?")[0]!;
    seen.push({
      method: req.method ?? "",
      path,
      idempotencyKey: req.headers["idempotency-key"] as string | undefined,
      contentType: req.headers["content-type"],
      authorization: req.headers.authorization,
      body,
    });
    const port = (server.address() as AddressInfo).port;
    switch (path) {
      case "/json":
        res.writeHead(200, { "content-type": "application/json; charset=utf-8", "x-trace": "abc" });
        return res.end(JSON.stringify({ ok: true, method: req.method, received: body }));
      case "/text":
        res.writeHead(200, { "content-type": "text/plain" });
        return res.end("plain words");
      case "/broken-json":
        res.writeHead(200, { "content-type": "application/json" });
        return res.end("{not json");
      case "/fail":
        res.writeHead(503, { "content-type": "text/plain" });
        return res.end("down for maintenance");
      case "/limited":
        res.writeHead(429, { "retry-after": "3" });
        return res.end("slow down");
      case "/missing":
        res.writeHead(404, { "content-type": "text/plain" });
        return res.end(`no such thing ${"x".repeat(1000)}`);
      case "/big": {
        res.writeHead(200, { "content-type": "text/plain" });
        const chunk = "y".repeat(64 * 1024);
        for (let sent = 0; sent <= 6 * MB && !res.destroyed; sent += chunk.length) res.write(chunk);
        return res.end();
      }
      case "/big-declared":
        res.writeHead(200, { "content-type": "text/plain", "content-length": String(6 * MB) });
        return res.end("z".repeat(6 * MB));
      case "/slow":
        return; // never answers; the client must give up
      case "/redirect-here":
        res.writeHead(302, { location: "/json" });
        return res.end();
      case "/redirect-away":
        res.writeHead(302, { location: `http://localhost:${port}/json` });
        return res.end();
      case "/see-other":
        res.writeHead(303, { location: "/json" });
        return res.end();
      default:
        res.writeHead(500);
        return res.end("unexpected path");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const runner = createHttpRunner({ allowlist: createAllowlist(["127.0.0.1"]) });

function run(
  step: Partial<HttpStep> & { url: string },
  signal: AbortSignal = new AbortController().signal,
  httpRunner = runner,
): { outcome: Promise<StepOutcome>; logs: string[] } {
  const { ctx, logs } = testStepContext<HttpStep>({ kind: "http", method: "GET", ...step }, { stepKey: "call", attempt: 2, signal });
  return { outcome: httpRunner(ctx), logs };
}

const lastSeen = () => seen.at(-1)!;

describe("http step", () => {
  it("sends a JSON body with the Idempotency-Key and parses a JSON answer", async () => {
    const { outcome, logs } = run({ method: "POST", url: `${base}/json?token=secret`, headers: { "X-Custom": "1" }, body: { order: 42 } });
    const { output } = await outcome;
    expect(output).toEqual({
      status: 200,
      headers: expect.objectContaining({ "content-type": "application/json; charset=utf-8", "x-trace": "abc" }),
      body: { ok: true, method: "POST", received: '{"order":42}' },
    });
    expect(lastSeen()).toMatchObject({ method: "POST", idempotencyKey: "run-1:call", contentType: "application/json" });
    expect(logs).toEqual([`info: POST ${base}/json → 200`]);
  });

  it("puts the same Idempotency-Key on every request of the step, and lets an explicit one win", async () => {
    await run({ url: `${base}/text` }).outcome;
    await run({ url: `${base}/text` }).outcome;
    expect(seen.slice(-2).map((s) => s.idempotencyKey)).toEqual(["run-1:call", "run-1:call"]);
    await run({ url: `${base}/text`, headers: { "Idempotency-Key": "order-42" } }).outcome;
    expect(lastSeen().idempotencyKey).toBe("order-42");
  });

  it("returns text bodies as text, and JSON that does not parse as text", async () => {
    expect((await run({ url: `${base}/text` }).outcome).output).toMatchObject({ status: 200, body: "plain words" });
    expect((await run({ url: `${base}/broken-json` }).outcome).output).toMatchObject({ body: "{not json" });
  });

  it("sends a string body as it is", async () => {
    const { output } = await run({ method: "PUT", url: `${base}/json`, body: "raw=1" }).outcome;
    expect(output).toMatchObject({ body: { method: "PUT", received: "raw=1" } });
  });

  it("refuses a body on GET", async () => {
    expect(await stepFailure(run({ url: `${base}/json`, body: { a: 1 } }).outcome)).toMatchObject({ code: "HTTP_BODY_NOT_ALLOWED", retryable: false });
  });

  it("a 5xx is retryable, with the status and body in the message", async () => {
    const error = await stepFailure(run({ url: `${base}/fail` }).outcome);
    expect(error).toMatchObject({ retryable: true, code: "HTTP_SERVER_ERROR", retryAfterMs: undefined });
    expect(error.message).toBe(`GET ${base}/fail answered 503 Service Unavailable: down for maintenance`);
  });

  it("a 429 is retryable after the server's Retry-After", async () => {
    expect(await stepFailure(run({ url: `${base}/limited` }).outcome)).toMatchObject({ retryable: true, code: "HTTP_RATE_LIMITED", retryAfterMs: 3_000 });
  });

  it("another 4xx is permanent, quoting the first 500 characters of the body", async () => {
    const error = await stepFailure(run({ url: `${base}/missing` }).outcome);
    expect(error).toMatchObject({ retryable: false, code: "HTTP_CLIENT_ERROR" });
    const quoted = error.message.slice(error.message.indexOf("no such thing"));
    expect(quoted).toHaveLength(500);
  });

  it("refuses a body over the cap, streamed or declared", async () => {
    expect(await stepFailure(run({ url: `${base}/big` }).outcome)).toMatchObject({ code: "RESPONSE_TOO_LARGE", retryable: false });
    expect(await stepFailure(run({ url: `${base}/big-declared` }).outcome)).toMatchObject({ code: "RESPONSE_TOO_LARGE", retryable: false });
  });

  it("refuses hosts outside the allow-list before sending anything", async () => {
    const before = seen.length;
    const error = await stepFailure(run({ url: `http://localhost:${(server.address() as AddressInfo).port}/json` }).outcome);
    expect(error).toMatchObject({ code: "URL_NOT_ALLOWED", retryable: false });
    expect(error.message).toContain("localhost");
    expect(error.message).toContain("MAESTRO_HTTP_ALLOWLIST");
    expect(seen.length).toBe(before);
    expect(await stepFailure(run({ url: "not a url" }).outcome)).toMatchObject({ code: "INVALID_URL" });
  });

  it("follows redirects within the allow-list and refuses one that leaves it", async () => {
    expect((await run({ url: `${base}/redirect-here` }).outcome).output).toMatchObject({ status: 200, body: { ok: true } });
    expect(lastSeen()).toMatchObject({ path: "/json", idempotencyKey: "run-1:call" });
    expect(await stepFailure(run({ url: `${base}/redirect-away` }).outcome)).toMatchObject({ code: "URL_NOT_ALLOWED" });
  });

  it("does not hand credentials to another origin on a redirect", async () => {
    const both = createHttpRunner({ allowlist: createAllowlist(["127.0.0.1", "localhost"]) });
    const before = seen.length;
    await run({ url: `${base}/redirect-away`, headers: { Authorization: "Bearer not-a-real-token" } }, undefined, both).outcome;
    expect(seen.slice(before).map((s) => s.authorization)).toEqual(["Bearer not-a-real-token", undefined]);
    expect(lastSeen().idempotencyKey).toBe("run-1:call");
  });

  it("a 303 after a POST continues as a GET without the body", async () => {
    const { output } = await run({ method: "POST", url: `${base}/see-other`, body: { a: 1 } }).outcome;
    expect(output).toMatchObject({ body: { method: "GET", received: "" } });
  });

  it("a connection that cannot be made is retryable", async () => {
    const port = await freePort();
    expect(await stepFailure(run({ url: `http://127.0.0.1:${port}/` }).outcome)).toMatchObject({ code: "NETWORK_ERROR", retryable: true });
  });

  it("cancelling aborts a request the server has not answered", async () => {
    const controller = new AbortController();
    const before = seen.length;
    const { outcome } = run({ url: `${base}/slow` }, controller.signal);
    await vi.waitFor(() => expect(seen.length).toBe(before + 1));
    controller.abort();
    expect(await stepFailure(outcome)).toMatchObject({ code: "CANCELLED", retryable: false });
  });
});
