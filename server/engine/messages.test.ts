// The agent message router on a real database: persistence, inboxes in order, usage,
// the "agent.message" run events with their previews, and the team floor.
import { describe, expect, it } from "vitest";
import type { Db } from "../db/client.ts";
import { withTestDatabase } from "../test/with-database.ts";
import { createMessageRouter, MESSAGE_PREVIEW_CHARS } from "./messages.ts";
import { seedRunRows } from "./testing/run-rows.ts";
import { stepFailure } from "./testing/step-context.ts";

let db: Db;
withTestDatabase((database) => (db = database.prisma));

describe("message router", () => {
  it("delivers typed messages to inboxes, oldest first, with their usage", async () => {
    const run = await seedRunRows(db, "msg-basic");
    const router = createMessageRouter(db, run, "pipeline");
    await router.send({ from: "analyst", to: "executor", kind: "plan", content: { steps: ["a", "b"] }, usage: { inputTokens: 10, outputTokens: 20, costNano: 3_000 } });
    await router.send({ from: "executor", to: "verifier", kind: "result", content: "done" });
    await router.send({ from: "verifier", to: "executor", kind: "revision", content: { fix: "b" } });

    const executorInbox = await router.inbox("executor");
    expect(executorInbox.map(({ at: _at, ...m }) => m)).toEqual([
      { from: "analyst", to: "executor", kind: "plan", content: { steps: ["a", "b"] }, usage: { inputTokens: 10, outputTokens: 20, costNano: 3_000 } },
      { from: "verifier", to: "executor", kind: "revision", content: { fix: "b" } },
    ]);
    expect(executorInbox[0]!.at).toBeInstanceOf(Date);
    expect((await router.inbox()).map((m) => m.kind)).toEqual(["plan", "result", "revision"]);
    expect(await router.inbox("nobody")).toEqual([]);

    const rows = await db.agentMessage.findMany({ where: { runId: run.id } });
    expect(rows.every((row) => row.stepKey === "pipeline")).toBe(true);
  });

  it("records an agent.message event with a preview of the content as text", async () => {
    const run = await seedRunRows(db, "msg-events");
    const router = createMessageRouter(db, run, null);
    const long = "word ".repeat(100);
    await router.send({ from: "analyst", to: "gatekeeper", kind: "task", content: long });
    await router.send({ from: "gatekeeper", to: "analyst", kind: "verdict", content: { approved: true } });

    const idOf = async (kind: string) => (await db.agentMessage.findFirstOrThrow({ where: { runId: run.id, kind } })).id;
    const events = await db.runEvent.findMany({ where: { runId: run.id }, orderBy: { id: "asc" } });
    expect(events.map((e) => ({ type: e.type, stepKey: e.stepKey, payload: e.payload }))).toEqual([
      { type: "agent.message", stepKey: null, payload: { id: await idOf("task"), from: "analyst", to: "gatekeeper", kind: "task", preview: long.slice(0, MESSAGE_PREVIEW_CHARS) } },
      { type: "agent.message", stepKey: null, payload: { id: await idOf("verdict"), from: "gatekeeper", to: "analyst", kind: "verdict", preview: '{"approved":true}' } },
    ]);
  });

  it("stores a message without content as JSON null", async () => {
    const run = await seedRunRows(db, "msg-null");
    const router = createMessageRouter(db, run, null);
    await router.send({ from: "executor", to: "verifier", kind: "note", content: null });
    expect((await router.inbox("verifier"))[0]!.content).toBeNull();
  });

  it("neither reads nor writes another team's run", async () => {
    const mine = await seedRunRows(db, "msg-mine");
    const theirs = await seedRunRows(db, "msg-theirs");
    await createMessageRouter(db, mine, null).send({ from: "a", to: "b", kind: "note", content: "private" });
    const forged = createMessageRouter(db, { id: mine.id, teamId: theirs.teamId }, null);
    expect(await forged.inbox()).toEqual([]);
    expect((await stepFailure(forged.send({ from: "x", to: "b", kind: "note", content: "injected" }))).code).toBe("RUN_NOT_FOUND");
    expect(await db.agentMessage.count({ where: { runId: mine.id } })).toBe(1);
  });
});
