// The run's shared memory on a real database: upserts, JSON values, limits, the
// "memory" run events, and the team floor.
import { describe, expect, it } from "vitest";
import type { Db } from "../db/client.ts";
import { withTestDatabase } from "../test/with-database.ts";
import { createRunMemory, MEMORY_MAX_VALUE_BYTES } from "./memory.ts";
import { seedRunRows } from "./testing/run-rows.ts";
import { stepFailure } from "./testing/step-context.ts";

let db: Db;
withTestDatabase((database) => (db = database.prisma));

describe("run memory", () => {
  it("stores JSON values, overwrites them, and lists who wrote each", async () => {
    const run = await seedRunRows(db, "mem-basic");
    const memory = createRunMemory(db, run);
    expect(await memory.get("plan")).toBeUndefined();

    await memory.set("plan", { steps: ["a", "b"], done: false }, "analyst");
    await memory.set("count", 3, "counter");
    await memory.set("nothing", null, "executor");
    await memory.set("plan", ["revised"], "verifier");

    expect(await memory.get("plan")).toEqual(["revised"]);
    expect(await memory.get("count")).toBe(3);
    expect(await memory.get("nothing")).toBeNull();
    expect(await memory.entries()).toEqual([
      { key: "count", value: 3, writtenBy: "counter" },
      { key: "nothing", value: null, writtenBy: "executor" },
      { key: "plan", value: ["revised"], writtenBy: "verifier" },
    ]);
  });

  it("records a memory event for every write", async () => {
    const run = await seedRunRows(db, "mem-events");
    const memory = createRunMemory(db, run);
    await memory.set("a", 1, "analyst");
    await memory.set("a", 2, "executor");
    const events = await db.runEvent.findMany({ where: { runId: run.id }, orderBy: { id: "asc" } });
    expect(events.map((e) => ({ type: e.type, teamId: e.teamId, payload: e.payload }))).toEqual([
      { type: "memory", teamId: run.teamId, payload: { key: "a", writtenBy: "analyst" } },
      { type: "memory", teamId: run.teamId, payload: { key: "a", writtenBy: "executor" } },
    ]);
  });

  it("refuses values over 256 kB and keys outside 1..200 characters", async () => {
    const run = await seedRunRows(db, "mem-limits");
    const memory = createRunMemory(db, run);
    const big = "x".repeat(MEMORY_MAX_VALUE_BYTES);
    expect(await stepFailure(memory.set("big", big, "analyst"))).toMatchObject({ code: "MEMORY_VALUE_TOO_LARGE", retryable: false });
    expect(await memory.get("big")).toBeUndefined();
    await memory.set("fits", "x".repeat(MEMORY_MAX_VALUE_BYTES - 2), "analyst");
    expect(await stepFailure(memory.set("", 1, "analyst"))).toMatchObject({ code: "MEMORY_KEY_INVALID" });
    expect(await stepFailure(memory.set("k".repeat(201), 1, "analyst"))).toMatchObject({ code: "MEMORY_KEY_INVALID" });
    await memory.set("k".repeat(200), 1, "analyst");
    expect(await memory.get("k".repeat(200))).toBe(1);
  });

  it("keeps runs apart and never writes to another team's run", async () => {
    const mine = await seedRunRows(db, "mem-mine");
    const theirs = await seedRunRows(db, "mem-theirs");
    await createRunMemory(db, mine).set("secret", "mine", "analyst");
    expect(await createRunMemory(db, theirs).get("secret")).toBeUndefined();

    const forged = createRunMemory(db, { id: mine.id, teamId: theirs.teamId });
    expect(await forged.get("secret")).toBeUndefined();
    expect(await forged.entries()).toEqual([]);
    expect(await stepFailure(forged.set("secret", "overwritten", "intruder"))).toMatchObject({ code: "RUN_NOT_FOUND" });
    expect(await createRunMemory(db, mine).get("secret")).toBe("mine");
  });
});
