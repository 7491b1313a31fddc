import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "./client.ts";
import { applyMigrations } from "./migrate.ts";

const dataDir = mkdtempSync(path.join(os.tmpdir(), "maestro-pglite-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe("embedded database", () => {
  it("keeps its data on disk across restarts", async () => {
    const first = await openDatabase({ kind: "pglite", dataDir });
    await applyMigrations(first.migrationTarget);
    await first.prisma.team.create({ data: { slug: "persisted", name: "Persisted" } });
    await first.close();

    const second = await openDatabase({ kind: "pglite", dataDir });
    expect((await applyMigrations(second.migrationTarget)).applied).toEqual([]);
    expect(await second.prisma.team.findUnique({ where: { slug: "persisted" } })).toMatchObject({ name: "Persisted" });
    await second.close();
  });
});
