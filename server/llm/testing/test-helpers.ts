// Setup shared by the tests of the fake vendors and of the provider adapters built on them.
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll } from "vitest";
import { isProviderError, type ProviderError } from "../errors.ts";
import type { StreamEvent } from "../types.ts";
import type { FakeVendor } from "./fake-vendor.ts";

/**
 * Starts a fake for the whole file (`ready` gets it, to keep in the file's own variables),
 * closes it after all tests, and restores its default scenario after each one.
 */
export function withFakeServer<F extends FakeVendor<never>>(start: () => Promise<F>, ready: (fake: F) => void): void {
  let fake: F | undefined;
  beforeAll(async () => {
    fake = await start();
    ready(fake);
  });
  afterAll(async () => {
    await fake?.close();
  });
  afterEach(() => {
    fake?.setDefault(null);
  });
}

/** A port nothing listens on: bind one, then let it go. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A one-off server for wire behaviour the fakes have no scenario for (a stalled stream, an
 * error event mid-stream): `respond` gets each request once its body is in, `test` gets
 * http://127.0.0.1:PORT. The server is closed, connections and all, afterwards.
 */
export async function withRawServer(respond: (res: ServerResponse) => void, test: (url: string) => Promise<void>): Promise<void> {
  const server = createServer((req, res) => req.resume().on("end", () => respond(res)));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    await test(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** A raw server that answers every request with SSE headers and `first`, then goes silent. */
export function withStalledServer(first: string, test: (url: string) => Promise<void>): Promise<void> {
  return withRawServer((res) => {
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.write(first);
  }, test);
}

/** Reads a response body to its end, handing each decoded piece to `onText`; rejects when the stream breaks. */
export async function readBody(res: Response, onText: (text: string) => void): Promise<void> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    onText(decoder.decode(value));
  }
}

/** Every event of a provider stream. */
export async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

/** The ProviderError a promise rejects with (fails the test when it resolves or throws something else). */
export async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isProviderError(error)) throw new Error(`expected a ProviderError, got ${String(error)}`);
  return error;
}
