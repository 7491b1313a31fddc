// A fresh, migrated database per test file: in-memory PGlite by default, or a
// throwaway database on the PostgreSQL server named by DATABASE_URL.
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { env } from "../env.ts";
import { openDatabase, installDatabase, type Database } from "../db/client.ts";
import { adminQuery, applyMigrations, withDatabase } from "../db/migrate.ts";

export interface TestDatabase extends Database {
  /** Closes connections and drops the throwaway database. */
  destroy(): Promise<void>;
}

export interface PostgresTestDatabase extends TestDatabase {
  /** Reaches this database (for child processes). */
  url: string;
}

/** What the run's global setup prepared (server/test/global-setup.ts), when running under vitest. */
async function prepared(): Promise<{ pgliteSnapshot: string | null; postgresTemplate: string | null }> {
  if (!process.env.VITEST) return { pgliteSnapshot: null, postgresTemplate: null };
  const { inject } = await import("vitest");
  return { pgliteSnapshot: inject("pgliteSnapshot") ?? null, postgresTemplate: inject("postgresTemplate") ?? null };
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = env().DATABASE_URL;
  const { pgliteSnapshot, postgresTemplate } = await prepared();
  if (serverUrl) return createPostgresDatabase(serverUrl, "maestro_test", postgresTemplate);
  const snapshot = pgliteSnapshot ? new Blob([await readFile(pgliteSnapshot)]) : undefined;
  const database = await openDatabase({ kind: "pglite", ...(snapshot ? { snapshot } : {}) });
  if (!snapshot) await applyMigrations(database.migrationTarget);
  installDatabase(database);
  return { ...database, destroy: async () => { installDatabase(undefined); await database.close(); } };
}

/**
 * A new, migrated database on the PostgreSQL server at `serverUrl`, installed as this
 * process's database: a copy of `template` when given (already migrated), else migrated now.
 */
export async function createPostgresDatabase(serverUrl: string, namePrefix = "maestro_test", template: string | null = null): Promise<PostgresTestDatabase> {
  const name = `${namePrefix}_${randomBytes(6).toString("hex")}`;
  const url = withDatabase(serverUrl, name);
  await adminQuery(serverUrl, template ? `CREATE DATABASE ${name} TEMPLATE ${template}` : `CREATE DATABASE ${name}`);
  const drop = () => adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  let database: Database | undefined;
  try {
    database = await openDatabase({ kind: "postgresql", url });
    if (!template) await applyMigrations(database.migrationTarget);
  } catch (error) {
    // Nothing else would drop it: the caller never gets a handle.
    await database?.close();
    await drop();
    throw error;
  }
  installDatabase(database);
  const opened = database;
  return {
    ...opened,
    url,
    destroy: async () => {
      installDatabase(undefined);
      await opened.close();
      await drop();
    },
  };
}
