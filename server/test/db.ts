// A fresh, migrated database per test file: in-memory PGlite by default, or a
// throwaway database on the PostgreSQL server named by DATABASE_URL.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { env } from "../env.ts";
import { openDatabase, installDatabase, type Database } from "../db/client.ts";
import { applyMigrations } from "../db/migrate.ts";

export interface TestDatabase extends Database {
  /** Closes connections and drops the throwaway database. */
  destroy(): Promise<void>;
}

async function adminQuery(serverUrl: string, sql: string) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = env().DATABASE_URL;
  if (!serverUrl) {
    const database = await openDatabase({ kind: "pglite" });
    await applyMigrations(database.migrationTarget);
    installDatabase(database);
    return { ...database, destroy: async () => { installDatabase(undefined); await database.close(); } };
  }
  const name = `maestro_test_${randomBytes(6).toString("hex")}`;
  await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ kind: "postgresql", url: url.toString() });
  await applyMigrations(database.migrationTarget);
  installDatabase(database);
  return {
    ...database,
    destroy: async () => {
      installDatabase(undefined);
      await database.close();
      await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
