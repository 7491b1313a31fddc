// Once per test run: a migrated database that every test file starts from, instead of
// each file creating and migrating its own (initdb alone costs PGlite seconds per file).
// PGlite: a dump of a migrated data dir; PostgreSQL: a template database.
import { randomBytes } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { openDatabase } from "../db/client.ts";
import { adminQuery, applyMigrations, withDatabase } from "../db/migrate.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** A dumped, migrated PGlite data dir (embedded runs). */
    pgliteSnapshot: string | null;
    /** A migrated database to copy with CREATE DATABASE … TEMPLATE (PostgreSQL runs). */
    postgresTemplate: string | null;
  }
}

export default async function setup(project: TestProject) {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    const name = `maestro_template_${randomBytes(6).toString("hex")}`;
    await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
    const database = await openDatabase({ kind: "postgresql", url: withDatabase(serverUrl, name) });
    await applyMigrations(database.migrationTarget);
    await database.close();
    project.provide("postgresTemplate", name);
    project.provide("pgliteSnapshot", null);
    return async () => {
      await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    };
  }
  const database = await openDatabase({ kind: "pglite" });
  await applyMigrations(database.migrationTarget);
  const client = (database.migrationTarget as { client: { dumpDataDir(compression: "none"): Promise<Blob> } }).client;
  const file = path.join(tmpdir(), `maestro-test-${randomBytes(6).toString("hex")}.tar`);
  await writeFile(file, Buffer.from(await (await client.dumpDataDir("none")).arrayBuffer()));
  await database.close();
  project.provide("pgliteSnapshot", file);
  project.provide("postgresTemplate", null);
  return async () => {
    await rm(file, { force: true });
  };
}
