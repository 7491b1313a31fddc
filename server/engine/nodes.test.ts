// The node registry against a real database (PGlite by default, PostgreSQL with DATABASE_URL).
import os from "node:os";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/db.ts";
import { appVersion } from "../version.ts";
import { NodeRegistry, newNodeId } from "./nodes.ts";

let database: TestDatabase;
const registries: NodeRegistry[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  for (const registry of registries) await registry.stop().catch(() => undefined);
  await database.destroy();
});

function registry(options: Partial<ConstructorParameters<typeof NodeRegistry>[0]> = {}): NodeRegistry {
  const created = new NodeRegistry({ db: database.prisma, ...options });
  registries.push(created);
  return created;
}

const row = (id: string) => database.prisma.workerNode.findUniqueOrThrow({ where: { id } });

/** Makes a node look silent since `msAgo`. */
const silence = (id: string, msAgo: number) => database.prisma.workerNode.update({ where: { id }, data: { lastBeatAt: new Date(Date.now() - msAgo) } });

describe("node registry", () => {
  it("names nodes by host, role and pid, with a random suffix", () => {
    const id = newNodeId("worker");
    expect(id).toMatch(new RegExp(`^${os.hostname().replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-worker-${process.pid}-[A-Za-z0-9_-]{4}$`));
    expect(newNodeId("worker")).not.toBe(id);
    expect(newNodeId("web")).toContain(`-web-${process.pid}-`);
  });

  it("registers an ACTIVE row describing this process, and revives a stopped one", async () => {
    const nodes = registry();
    const id = newNodeId("worker");
    await nodes.register({ id, role: "worker", capacity: 8 });
    expect(nodes.nodeId).toBe(id);
    expect(await row(id)).toMatchObject({ id, role: "worker", capacity: 8, status: "ACTIVE", host: os.hostname(), pid: process.pid, version: appVersion(), stoppedAt: null });
    await nodes.stop();
    expect(await row(id)).toMatchObject({ status: "STOPPED", running: 0 });
    expect((await row(id)).stoppedAt).toBeInstanceOf(Date);
    await nodes.register({ id, role: "worker", capacity: 4 });
    expect(await row(id)).toMatchObject({ status: "ACTIVE", capacity: 4, stoppedAt: null });
  });

  it("writes load figures on every heartbeat", async () => {
    let running = 3;
    const nodes = registry({ activeCount: () => running });
    const id = newNodeId("worker");
    await nodes.register({ id, role: "worker", capacity: 4 });
    await silence(id, 60_000);
    nodes.jobStarted();
    nodes.jobFinished(true);
    nodes.jobStarted();
    nodes.jobFinished(false);
    nodes.jobStarted();
    nodes.jobFinished(true);
    await nodes.beat();
    const beaten = await row(id);
    expect(beaten).toMatchObject({ running: 3, processed: 2, failed: 1, status: "ACTIVE" });
    expect(Date.now() - beaten.lastBeatAt.getTime()).toBeLessThan(30_000);
    expect(beaten.memoryBytes).toBeGreaterThan(0n);
    expect(beaten.cpu).toBeGreaterThanOrEqual(0);
    running = 0;
    await nodes.beat();
    expect((await row(id)).running).toBe(0);
  });

  it("counts running jobs itself when no backend count is given", async () => {
    const nodes = registry();
    const id = newNodeId("worker");
    await nodes.register({ id, role: "worker", capacity: 4 });
    nodes.jobStarted();
    nodes.jobStarted();
    nodes.jobFinished(true);
    await nodes.beat();
    expect(await row(id)).toMatchObject({ running: 1, processed: 1, failed: 0 });
  });

  it("marks nodes silent for too long as LOST, once, and leaves live and stopped ones alone", async () => {
    const nodes = registry({ heartbeatMs: 1000 });
    const [live, silent, draining, stopped] = ["live", "silent", "draining", "stopped"].map((name) => `${name}-${newNodeId("worker")}`);
    for (const id of [live, silent, draining, stopped]) await registry().register({ id, role: "worker", capacity: 2 });
    await nodes.drain(draining);
    await database.prisma.workerNode.update({ where: { id: stopped }, data: { status: "STOPPED" } });
    for (const id of [silent, draining, stopped]) await silence(id, 10_000);
    const mine = (ids: string[]) => ids.filter((id) => [live, silent, draining, stopped].includes(id)).sort();
    expect(mine(await nodes.sweepLost())).toEqual([draining, silent].sort());
    expect((await row(silent)).status).toBe("LOST");
    expect((await row(draining)).status).toBe("LOST");
    expect((await row(stopped)).status).toBe("STOPPED");
    expect((await row(live)).status).toBe("ACTIVE");
    expect(mine(await nodes.sweepLost())).toEqual([]);
    // The default window is three heartbeats: 4 s of silence with 1 s beats is lost, within a 5 s window it is not.
    await silence(live, 4000);
    expect(mine(await nodes.sweepLost(5000))).toEqual([]);
    expect(mine(await nodes.sweepLost())).toEqual([live]);
  });

  it("brings a node that beats again after being swept back to ACTIVE", async () => {
    const nodes = registry();
    const id = newNodeId("worker");
    await nodes.register({ id, role: "worker", capacity: 2 });
    await silence(id, 60_000);
    expect(await nodes.sweepLost(1000)).toContain(id);
    await nodes.beat();
    expect((await row(id)).status).toBe("ACTIVE");
  });

  it("calls onDrain once when the node finds itself DRAINING on a heartbeat, and may stop from there", async () => {
    let drains = 0;
    // As a worker does: the drain callback stops the registry (which waits for the beat in progress).
    const nodes: NodeRegistry = registry({
      heartbeatMs: 20,
      onDrain: async () => {
        drains += 1;
        await nodes.stop();
      },
    });
    const admin = registry();
    const id = newNodeId("worker");
    await nodes.register({ id, role: "worker", capacity: 2 });
    await nodes.beat();
    expect(drains).toBe(0);
    nodes.start();
    expect(await admin.drain(id)).toBe(true);
    expect(await admin.drain(id)).toBe(false);
    await vi.waitFor(async () => expect((await row(id)).status).toBe("STOPPED"), { timeout: 10_000, interval: 10 });
    expect(drains).toBe(1);
    await nodes.beat();
    expect(drains).toBe(1);
  });

  it("lists every node and offers only ACTIVE ones as candidates", async () => {
    const nodes = registry();
    const active = `list-a-${newNodeId("worker")}`;
    const drained = `list-b-${newNodeId("worker")}`;
    await registry({ activeCount: () => 2 }).register({ id: active, role: "worker", capacity: 6 });
    await registry().register({ id: drained, role: "worker", capacity: 6 });
    await nodes.drain(drained);
    const listed = await nodes.list();
    expect(listed.map((node) => node.id)).toEqual(expect.arrayContaining([active, drained]));
    const statuses = listed.map((node) => node.status);
    expect(statuses.indexOf("ACTIVE")).toBeLessThan(statuses.lastIndexOf("DRAINING"));
    const candidates = await nodes.activeNodes();
    expect(candidates.map((node) => node.id)).toContain(active);
    expect(candidates.map((node) => node.id)).not.toContain(drained);
    expect(candidates.find((node) => node.id === active)).toMatchObject({ capacity: 6, load: 0 });
  });
});
