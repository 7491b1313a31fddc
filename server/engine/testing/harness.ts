// What engine tests share: a team to run workflows in, saving a definition as a
// workflow version, and a local HTTP service whose endpoints behave like the far side
// of an `http` step (slow, flaky, failing, counting concurrency, applying effects once
// per Idempotency-Key the way a payment API does).
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Db } from "../../db/client.ts";
import { validateDefinition } from "../definition/index.ts";
import type { WorkflowDefinitionInput } from "../../shared/workflow-definition.ts";

let counter = 0;

export async function createTeam(db: Db, slug = `team-${Date.now()}-${++counter}`) {
  const team = await db.team.create({ data: { slug, name: slug } });
  const user = await db.user.create({ data: { email: `${slug}@example.test`, memberships: { create: { teamId: team.id, role: "admin" } } } });
  return { teamId: team.id, userId: user.id };
}

/** Validates and saves a definition as version 1 of a new workflow. */
export async function saveWorkflow(db: Db, teamId: string, raw: WorkflowDefinitionInput) {
  const { definition, issues } = validateDefinition(raw);
  if (!definition) throw new Error(`Invalid test workflow: ${issues.map((i) => i.message).join("; ")}`);
  const workflow = await db.workflow.create({
    data: { teamId, slug: `wf-${++counter}`, name: definition.name, versions: { create: { version: 1, definition: definition as object } } },
    include: { versions: true },
  });
  const version = workflow.versions[0]!;
  return { id: workflow.id, versionId: version.id, version: 1, definition };
}

export interface EffectsServer {
  url: string;
  /** Effects applied, by Idempotency-Key (a key seen again is answered without applying). */
  applied: Map<string, { name: string; body: unknown }>;
  /** Every request's Idempotency-Key, in arrival order (duplicates included). */
  keys: string[];
  hits: Map<string, number>;
  maxConcurrent: number;
  aborted: number;
  reset(): void;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}

export async function startEffectsServer(): Promise<EffectsServer> {
  let concurrent = 0;
  const state = {
    applied: new Map<string, { name: string; body: unknown }>(),
    keys: [] as string[],
    hits: new Map<string, number>(),
    maxConcurrent: 0,
    aborted: 0,
  };
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const key = String(req.headers["idempotency-key"] ?? "");
    state.keys.push(key);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      if (res.destroyed) return;
      res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
    };
    concurrent += 1;
    state.maxConcurrent = Math.max(state.maxConcurrent, concurrent);
    let closed = false;
    res.on("close", () => {
      concurrent -= 1;
      if (!res.writableFinished) state.aborted += 1;
      closed = true;
    });
    const wait = (ms: number) => new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      res.on("close", () => { clearTimeout(timer); resolve(); });
    });
    const body = await readBody(req);
    switch (url.pathname) {
      case "/echo":
        return send(200, { method: req.method, query: Object.fromEntries(url.searchParams), body });
      case "/slow":
        await wait(Number(url.searchParams.get("ms") ?? 1000));
        return closed ? undefined : send(200, { waited: Number(url.searchParams.get("ms")) });
      case "/concurrency":
        await wait(Number(url.searchParams.get("ms") ?? 50));
        return send(200, { value: url.searchParams.get("v") });
      case "/flaky": {
        const id = url.searchParams.get("id") ?? "";
        const n = (state.hits.get(id) ?? 0) + 1;
        state.hits.set(id, n);
        return n <= Number(url.searchParams.get("fail") ?? 1) ? send(500, { error: `failure ${n}` }) : send(200, { ok: true, calls: n });
      }
      case "/effect": {
        const name = url.searchParams.get("name") ?? "effect";
        await wait(Number(url.searchParams.get("ms") ?? 0));
        if (closed) return;
        const first = !state.applied.has(key);
        if (first) state.applied.set(key, { name, body });
        return send(200, { applied: first, ref: `${name}-${key.slice(-8)}`, name });
      }
      default: {
        const status = Number(url.pathname.match(/^\/status\/(\d{3})$/)?.[1] ?? 404);
        return send(status, { error: `status ${status}` });
      }
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    reset() {
      state.applied.clear();
      state.keys.length = 0;
      state.hits.clear();
      state.maxConcurrent = 0;
      state.aborted = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** Polls until the check passes (state reached through other processes or timers). */
export async function eventually<T>(check: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 10_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
