// socket.io on a real HTTP server: authentication by API key or session cookie, team
// rooms, audit events reaching only the right team, and (with REDIS_URL) events
// crossing between two server processes' adapters.
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { io as connect, type Socket } from "socket.io-client";
import { env } from "../env.ts";
import { principalFor, testPolicy, withFixtures } from "../test/fixtures.ts";
import { principalFromHeaders } from "../auth/principal.ts";
import { createApiKey } from "../modules/apikeys/index.ts";
import { recordAudit } from "../modules/audit/index.ts";
import { startRealtime, REALTIME_PATH } from "./server.ts";
import type { ClientToServerEvents, ServerToClientEvents } from "../shared/realtime-events.ts";
import type { AuditEntryDto } from "../shared/dto.ts";

const SECRET = "realtime-test-secret-long-enough-0123456789";
type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const f = withFixtures();
const closers: (() => Promise<unknown>)[] = [];

async function startNode(redisUrl?: string) {
  const http: HttpServer = createServer();
  const realtime = await startRealtime(http, {
    redisUrl,
    authenticate: (headers) => principalFromHeaders(f.db, testPolicy, SECRET, headers),
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  closers.push(() => realtime.close());
  return { realtime, url: `http://127.0.0.1:${(http.address() as AddressInfo).port}` };
}

async function keyFor(persona: "admin" | "outsider") {
  const principal = await principalFor(f.db, f.users[persona].id);
  const m = principal.memberships[0]!;
  const { key } = await createApiKey(f.db, { userId: principal.userId, label: principal.email, scopes: m.scopes, apiKeyId: null }, { teamId: m.teamId, name: "rt", scopes: ["team:read"] });
  return key;
}

function connectClient(url: string, apiKey?: string): Client {
  const socket: Client = connect(url, { path: REALTIME_PATH, auth: apiKey ? { apiKey } : {}, transports: ["websocket"], reconnection: false });
  closers.push(async () => socket.close());
  return socket;
}

const ready = (socket: Client) =>
  new Promise<{ teamIds: string[] }>((resolve, reject) => {
    socket.once("session:ready", resolve);
    socket.once("connect_error", reject);
  });

const nextAudit = (socket: Client, ms = 3000) =>
  new Promise<AuditEntryDto | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), ms);
    socket.once("audit:created", (entry) => {
      clearTimeout(timer);
      resolve(entry);
    });
  });

afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
});

describe("realtime", () => {
  it("refuses a connection without credentials", async () => {
    const { url } = await startNode();
    const socket = connectClient(url);
    await expect(ready(socket)).rejects.toThrow(/unauthorized/);
  });

  it("delivers a team's audit events to its members only", async () => {
    const { url } = await startNode();
    const member = connectClient(url, await keyFor("admin"));
    const outsider = connectClient(url, await keyFor("outsider"));
    expect((await ready(member)).teamIds).toEqual([f.team.id]);
    expect((await ready(outsider)).teamIds).toEqual([f.otherTeam.id]);

    const toMember = nextAudit(member);
    const toOutsider = nextAudit(outsider, 500);
    await recordAudit(f.db, { label: "test" }, { action: "test.event", teamId: f.team.id });
    expect(await toMember).toMatchObject({ action: "test.event", teamId: f.team.id });
    expect(await toOutsider).toBeNull();
  });

  const redisUrl = env().REDIS_URL;
  it.runIf(Boolean(redisUrl))("shares events between server processes through the Redis adapter", async () => {
    const a = await startNode(redisUrl);
    const b = await startNode(redisUrl);
    const onB = connectClient(b.url, await keyFor("admin"));
    await ready(onB);
    const received = nextAudit(onB);
    const entry = { id: "x", createdAt: new Date().toISOString(), action: "cross.node", teamId: f.team.id } as AuditEntryDto;
    a.realtime.io.to(`team:${f.team.id}`).emit("audit:created", entry);
    expect(await received).toMatchObject({ action: "cross.node" });
  });
});
