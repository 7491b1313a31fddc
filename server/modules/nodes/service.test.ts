import { describe, expect, it } from "vitest";
import { apiOutcome } from "../../test/api-outcome.ts";
import { withFixtures } from "../../test/fixtures.ts";
import { unique } from "../../test/rbac.ts";
import { NodeRegistry, newNodeId } from "../../engine/nodes.ts";
import type { NodeStatus } from "../../shared/nodes.ts";
import { listNodes } from "./index.ts";

const f = withFixtures();
const HOUR = 3_600_000;

/** A node row as a process would have left it, silent for `silentMs`. */
async function seedNode(status: NodeStatus, silentMs: number, extra: { role?: string; memoryBytes?: bigint; startedMsAgo?: number } = {}) {
  const now = Date.now();
  return f.db.workerNode.create({
    data: {
      id: unique(`box-1.example.com-${extra.role ?? "worker"}-42-`),
      host: "box-1.example.com",
      pid: 42,
      role: extra.role ?? "worker",
      status,
      capacity: 8,
      running: status === "ACTIVE" ? 3 : 0,
      cpu: 0.42,
      memoryBytes: extra.memoryBytes ?? 123_456_789n,
      processed: 120,
      failed: 4,
      version: "1.2.3",
      startedAt: new Date(now - (extra.startedMsAgo ?? 2 * HOUR)),
      lastBeatAt: new Date(now - silentMs),
      stoppedAt: status === "STOPPED" ? new Date(now - silentMs) : null,
    },
  });
}

describe("nodes.list", () => {
  it("lists every node with its load, live ones first, to every member", async () => {
    const stopped = await seedNode("STOPPED", 60_000);
    const lost = await seedNode("LOST", 30_000);
    const older = await seedNode("ACTIVE", 4_000);
    const active = await seedNode("ACTIVE", 1_000, { role: "web", memoryBytes: 6_000_000_000n });
    const draining = await seedNode("DRAINING", 2_000);

    const viewer = await f.caller("viewer");
    const { nodes } = await viewer.nodes.list({ teamId: f.team.id });
    const ids = nodes.map((n) => n.id);
    expect(ids.indexOf(active.id)).toBeLessThan(ids.indexOf(older.id));
    expect(ids.indexOf(older.id)).toBeLessThan(ids.indexOf(draining.id));
    expect(ids.indexOf(draining.id)).toBeLessThan(ids.indexOf(lost.id));
    expect(ids.indexOf(lost.id)).toBeLessThan(ids.indexOf(stopped.id));

    const web = nodes.find((n) => n.id === active.id)!;
    expect(web).toMatchObject({
      host: "box-1.example.com",
      pid: 42,
      role: "web",
      status: "ACTIVE",
      capacity: 8,
      running: 3,
      cpu: 0.42,
      memoryBytes: 6_000_000_000,
      processed: 120,
      failed: 4,
      version: "1.2.3",
      stoppedAt: null,
      current: false,
    });
    expect(web.beatAgeMs).toBeGreaterThanOrEqual(1_000);
    expect(web.beatAgeMs).toBeLessThan(HOUR);
    expect(web.uptimeMs).toBeGreaterThanOrEqual(2 * HOUR);
    // A stopped node's age ends when it stopped.
    const gone = nodes.find((n) => n.id === stopped.id)!;
    expect(gone.stoppedAt).not.toBeNull();
    expect(gone.uptimeMs).toBeLessThan(2 * HOUR);
  });

  it("hides stopped and lost nodes silent for over a day unless asked, and counts them", async () => {
    const oldStopped = await seedNode("STOPPED", 25 * HOUR, { startedMsAgo: 30 * HOUR });
    const oldLost = await seedNode("LOST", 48 * HOUR, { startedMsAgo: 50 * HOUR });
    const recentStopped = await seedNode("STOPPED", 23 * HOUR, { startedMsAgo: 24 * HOUR });
    // An active row with an old beat is about to be swept as lost, not history.
    const staleActive = await seedNode("ACTIVE", 30 * HOUR, { startedMsAgo: 31 * HOUR });

    const operator = await f.caller("operator");
    const recent = await operator.nodes.list({ teamId: f.team.id });
    const recentIds = recent.nodes.map((n) => n.id);
    expect(recentIds).toEqual(expect.arrayContaining([recentStopped.id, staleActive.id]));
    expect(recentIds).not.toContain(oldStopped.id);
    expect(recentIds).not.toContain(oldLost.id);
    const historyRows = await f.db.workerNode.count({ where: { status: { in: ["STOPPED", "LOST"] }, lastBeatAt: { lt: new Date(Date.now() - 24 * HOUR) } } });
    expect(recent.hiddenCount).toBe(historyRows);
    expect(recent.hiddenCount).toBeGreaterThanOrEqual(2);

    const all = await operator.nodes.list({ teamId: f.team.id, includeOld: true });
    expect(all.hiddenCount).toBe(0);
    expect(all.nodes.map((n) => n.id)).toEqual(expect.arrayContaining([oldStopped.id, oldLost.id, recentStopped.id]));
    expect(all.nodes.length).toBe(recent.nodes.length + recent.hiddenCount);
  });

  it("marks the node of the process that answers, and names its queue", async () => {
    const node = await seedNode("ACTIVE", 500);
    const listed = await listNodes(f.db, { includeOld: false, currentNodeId: node.id, backend: "bullmq" });
    expect(listed.nodes.filter((n) => n.current).map((n) => n.id)).toEqual([node.id]);
    expect(listed.backend).toBe("bullmq");
    // No engine runs in this test process: nothing is marked, and the queue is unknown.
    const viaApi = await (await f.caller("viewer")).nodes.list({ teamId: f.team.id });
    expect(viaApi.nodes.some((n) => n.current)).toBe(false);
    expect(viaApi.backend).toBeNull();
  });

  it("is refused to people outside the team", async () => {
    const outsider = await f.caller("outsider");
    expect(await apiOutcome(outsider.nodes.list({ teamId: f.team.id }))).toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("nodes.drain", () => {
  it("lets an admin drain an active node, audits it, and leaves a second drain unchanged", async () => {
    const node = await seedNode("ACTIVE", 1_000);
    const admin = await f.caller("admin");
    const drained = await admin.nodes.drain({ teamId: f.team.id, nodeId: node.id });
    expect(drained).toMatchObject({ id: node.id, status: "DRAINING" });
    expect((await f.db.workerNode.findUniqueOrThrow({ where: { id: node.id } })).status).toBe("DRAINING");

    const audit = await f.db.auditLog.findMany({ where: { action: "node.drain", targetId: node.id } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ teamId: f.team.id, actorUserId: f.users.admin.id, targetType: "node" });
    expect(audit[0]!.before).toMatchObject({ status: "ACTIVE", host: "box-1.example.com", pid: 42 });
    expect(audit[0]!.after).toMatchObject({ status: "DRAINING" });

    expect(await admin.nodes.drain({ teamId: f.team.id, nodeId: node.id })).toMatchObject({ status: "DRAINING" });
    expect(await f.db.auditLog.count({ where: { action: "node.drain", targetId: node.id } })).toBe(1);
  });

  it("refuses operators and viewers, and changes nothing", async () => {
    const node = await seedNode("ACTIVE", 1_000);
    for (const persona of ["operator", "viewer"] as const) {
      const caller = await f.caller(persona);
      expect(await apiOutcome(caller.nodes.drain({ teamId: f.team.id, nodeId: node.id }))).toMatchObject({ code: "FORBIDDEN" });
    }
    expect((await f.db.workerNode.findUniqueOrThrow({ where: { id: node.id } })).status).toBe("ACTIVE");
  });

  it("refuses nodes that are not running, and unknown ones", async () => {
    const admin = await f.caller("admin");
    const stopped = await seedNode("STOPPED", 1_000);
    const lost = await seedNode("LOST", 1_000);
    expect(await apiOutcome(admin.nodes.drain({ teamId: f.team.id, nodeId: stopped.id }))).toEqual({
      code: "CONFLICT",
      message: `Node ${stopped.id} is stopped: only an active node can be drained.`,
    });
    expect(await apiOutcome(admin.nodes.drain({ teamId: f.team.id, nodeId: lost.id }))).toMatchObject({ code: "CONFLICT" });
    expect((await f.db.workerNode.findUniqueOrThrow({ where: { id: stopped.id } })).status).toBe("STOPPED");
    expect(await apiOutcome(admin.nodes.drain({ teamId: f.team.id, nodeId: "no-such-node" }))).toEqual({ code: "NOT_FOUND", message: "That node was not found." });
    expect(await apiOutcome(admin.nodes.drain({ teamId: f.team.id, nodeId: "has space" }))).toMatchObject({ code: "BAD_REQUEST" });
  });

  it("is noticed by the node on its next heartbeat, which then stops", async () => {
    let noticed!: () => void;
    const drainNoticed = new Promise<void>((resolve) => (noticed = resolve));
    const registry = new NodeRegistry({ db: f.db, heartbeatMs: 60_000, onDrain: () => noticed() });
    const id = newNodeId("worker");
    await registry.register({ id, role: "worker", capacity: 2 });
    try {
      const admin = await f.caller("admin");
      await admin.nodes.drain({ teamId: f.team.id, nodeId: id });
      await registry.beat();
      await drainNoticed;
      await registry.stop();
      const { nodes } = await admin.nodes.list({ teamId: f.team.id });
      expect(nodes.find((n) => n.id === id)).toMatchObject({ status: "STOPPED" });
    } finally {
      await registry.stop();
    }
  });
});
