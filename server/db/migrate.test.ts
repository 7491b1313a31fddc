// The migration runner against both backends: always in-memory PGlite; PostgreSQL too
// when DATABASE_URL names a server (each test gets a throwaway database there).
import { describe, it, expect, beforeEach, afterEach } from "vitest";
import { randomBytes } from "node:crypto";
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { REPO_ROOT } from "../paths.ts";
import { env } from "../env.ts";
import { applyMigrations, createMigration, migrationStatus, type MigrationTarget } from "./migrate.ts";

const MIGRATIONS_DIR = path.join(REPO_ROOT, "prisma", "migrations");
const SCHEMA_PATH = path.join(REPO_ROOT, "prisma", "schema.prisma");
/** A PostgreSQL server to test against too, when the shell sets DATABASE_URL. */
const SERVER_URL = env().DATABASE_URL;

interface TestDatabase {
  target: MigrationTarget;
  rows<T>(sql: string): Promise<T[]>;
  destroy(): Promise<void>;
}

async function openPglite(): Promise<TestDatabase> {
  const client = new PGlite();
  return {
    target: { kind: "pglite", client },
    rows: async <T>(sql: string) => (await client.query<T>(sql)).rows,
    destroy: () => client.close(),
  };
}

async function onServer<T>(sql: string): Promise<T[]> {
  const admin = new pg.Client({ connectionString: SERVER_URL });
  await admin.connect();
  try {
    return (await admin.query(sql)).rows as T[];
  } finally {
    await admin.end();
  }
}

async function openPostgres(): Promise<TestDatabase> {
  const name = `maestro_mig_${randomBytes(6).toString("hex")}`;
  await onServer(`CREATE DATABASE ${name}`);
  const url = new URL(SERVER_URL!);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  return {
    target: { kind: "postgres", url: url.toString() },
    rows: async <T>(sql: string) => (await client.query(sql)).rows as T[],
    destroy: async () => {
      await client.end();
      await onServer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

async function committedMigrations(): Promise<string[]> {
  const entries = await readdir(MIGRATIONS_DIR, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

/** A scratch copy of the committed migrations, plus extra migrations given as name → SQL. */
async function migrationsCopy(extra: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "maestro-migrations-"));
  await cp(MIGRATIONS_DIR, dir, { recursive: true });
  for (const [name, sql] of Object.entries(extra)) {
    await mkdir(path.join(dir, name));
    await writeFile(path.join(dir, name, "migration.sql"), sql);
  }
  return dir;
}

async function tableNames(db: TestDatabase): Promise<string[]> {
  const rows = await db.rows<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
  return rows.map((r) => r.table_name);
}

// createMigration on PGlite boots a second, in-memory PGlite as its shadow database: a few
// seconds, more on a busy 2-core machine.
const CREATE_TIMEOUT = { timeout: 60_000 };
const EXTRA = "29990101000000_add_widget";
const BROKEN = "29990101000000_broken";

const backends = [
  { name: "PGlite", available: true, open: openPglite },
  { name: "PostgreSQL", available: Boolean(SERVER_URL), open: openPostgres },
];

for (const backend of backends) {
  describe.runIf(backend.available)(`migrations on ${backend.name}`, () => {
    let db: TestDatabase;
    const scratch: string[] = [];
    const scratchCopy = async (extra?: Record<string, string>) => {
      const dir = await migrationsCopy(extra);
      scratch.push(dir);
      return dir;
    };

    beforeEach(async () => {
      db = await backend.open();
    });
    afterEach(async () => {
      await db?.destroy();
      await Promise.all(scratch.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
    });

    it("applies the committed migrations to a fresh database and records them", async () => {
      const expected = await committedMigrations();
      expect(expected.length).toBeGreaterThan(0);

      const { applied } = await applyMigrations(db.target);

      expect(applied).toEqual(expected);
      expect(await tableNames(db)).toEqual(expect.arrayContaining(["User", "Team", "Membership", "Session", "_prisma_migrations"]));
      const recorded = await db.rows<{ migration_name: string; finished_at: Date | null; rolled_back_at: Date | null; checksum: string }>(
        "SELECT migration_name, finished_at, rolled_back_at, checksum FROM _prisma_migrations ORDER BY started_at",
      );
      expect(recorded.map((r) => r.migration_name)).toEqual(expected);
      for (const row of recorded) {
        expect(row.finished_at).not.toBeNull();
        expect(row.rolled_back_at).toBeNull();
        expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      }
    });

    it("applies nothing the second time", async () => {
      await applyMigrations(db.target);
      const before = await db.rows<{ n: number }>("SELECT count(*)::int AS n FROM _prisma_migrations");

      expect(await applyMigrations(db.target)).toEqual({ applied: [] });
      expect(await db.rows<{ n: number }>("SELECT count(*)::int AS n FROM _prisma_migrations")).toEqual(before);
    });

    it("applies each migration once when two runs start at once", async () => {
      const results = await Promise.all([applyMigrations(db.target), applyMigrations(db.target)]);

      expect(results.flatMap((r) => r.applied).sort()).toEqual(await committedMigrations());
    });

    it("reports applied and pending migrations", async () => {
      const committed = await committedMigrations();
      const dir = await scratchCopy({ [EXTRA]: `CREATE TABLE "Widget" ("id" TEXT PRIMARY KEY);\n` });

      expect(await migrationStatus(db.target, { migrationsDir: dir })).toEqual({
        applied: [],
        pending: [...committed, EXTRA],
        failed: [],
        driftDetected: null,
      });

      await applyMigrations(db.target); // The committed ones only.
      expect(await migrationStatus(db.target, { migrationsDir: dir })).toMatchObject({ applied: committed, pending: [EXTRA], failed: [] });

      expect(await applyMigrations(db.target, { migrationsDir: dir })).toEqual({ applied: [EXTRA] });
      expect(await migrationStatus(db.target, { migrationsDir: dir })).toMatchObject({ applied: [...committed, EXTRA], pending: [] });
      // Back on the committed directory, the extra migration is known only to the database.
      expect((await migrationStatus(db.target)).driftDetected).toContain(EXTRA);
    });

    it("fails a broken migration with an error naming it, and applies none of it", async () => {
      const dir = await scratchCopy({ [BROKEN]: `CREATE TABLE "HalfDone" ("id" INT);\nSELECT nope FROM nowhere;\n` });

      const failure = applyMigrations(db.target, { migrationsDir: dir });
      await expect(failure).rejects.toThrow(new RegExp(`^migration ${BROKEN} failed: relation "nowhere" does not exist \\[SQLSTATE 42P01\\] \\(line 2 of migration.sql\\)$`));
      await expect(failure).rejects.toMatchObject({ name: "MigrationError", code: "P3018" });

      expect(await tableNames(db)).not.toContain("HalfDone");
      expect(await migrationStatus(db.target, { migrationsDir: dir })).toMatchObject({ pending: [], failed: [BROKEN] });
      // Until someone resolves it, nothing more applies, and the error says why.
      const blocked = applyMigrations(db.target, { migrationsDir: dir });
      await expect(blocked).rejects.toThrow(new RegExp(`failed migrations.*\\n.*${BROKEN}`));
      await expect(blocked).rejects.toMatchObject({ code: "P3009" });
    });

    it("creates no migration when the schema matches the migrations", CREATE_TIMEOUT, async () => {
      const dir = await scratchCopy();

      expect(await createMigration(db.target, "nothing", { migrationsDir: dir })).toEqual({ directory: null, sql: null });
      expect(await readdir(dir)).toEqual(await readdir(MIGRATIONS_DIR));
    });

    it("writes a migration for a schema change without applying it", CREATE_TIMEOUT, async () => {
      const dir = await scratchCopy();
      await rm(path.join(dir, "migration_lock.toml"));
      const schemaPath = path.join(dir, "schema.prisma");
      const widget = `\nmodel Widget {\n  id   String @id\n  size Int    @default(1)\n}\n`;
      await writeFile(schemaPath, (await readFile(SCHEMA_PATH, "utf8")) + widget);
      const shadowsBefore = await shadowDatabases();

      const created = await createMigration(db.target, "add_widget", { migrationsDir: dir, schemaPath });

      expect(created.directory).toMatch(/[/\\]\d{14}_add_widget$/);
      expect(created.sql).toContain(`CREATE TABLE "Widget"`);
      expect(await readFile(path.join(created.directory!, "migration.sql"), "utf8")).toBe(created.sql);
      expect(await readFile(path.join(dir, "migration_lock.toml"), "utf8")).toBe(await readFile(path.join(MIGRATIONS_DIR, "migration_lock.toml"), "utf8"));
      // The target got the committed migrations, not the new one (nor any shadow leftovers).
      expect(await tableNames(db)).not.toContain("Widget");
      expect(await migrationStatus(db.target, { migrationsDir: dir })).toMatchObject({ pending: [path.basename(created.directory!)] });
      expect((await shadowDatabases()).filter((name) => !shadowsBefore.includes(name))).toEqual([]);
    });
  });
}

/** Shadow databases on the server (none without one): createMigration must drop its own. */
async function shadowDatabases(): Promise<string[]> {
  if (!SERVER_URL) return [];
  const rows = await onServer<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow_db_%'");
  return rows.map((r) => r.datname);
}

describe("the committed migrations folder", () => {
  it("has the lockfile the Prisma CLI writes", async () => {
    expect(await readFile(path.join(MIGRATIONS_DIR, "migration_lock.toml"), "utf8")).toBe(
      '# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "postgresql"\n',
    );
  });
});
