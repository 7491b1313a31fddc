// A fresh, migrated database per test file: in-memory PGlite by default, or a
// throwaway database on the PostgreSQL server named by DATABASE_URL.
import { randomBytes } from "node:crypto";
import { env } from "../env.ts";
import { openDatabase, installDatabase, type Database } from "../db/client.ts";
import { adminQuery, applyMigrations, withDatabase } from "../db/migrate.ts";

export interface TestDatabase extends Database {
  /** Closes connections and drops the throwaway database. */
  destroy(): Promise<void>;
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
  const database = await openDatabase({ kind: "postgresql", url: withDatabase(serverUrl, name) });
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
