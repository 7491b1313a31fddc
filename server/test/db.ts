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

export interface PostgresTestDatabase extends TestDatabase {
  /** Reaches this database (for child processes). */
  url: string;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = env().DATABASE_URL;
  if (serverUrl) return createPostgresDatabase(serverUrl);
  const database = await openDatabase({ kind: "pglite" });
  await applyMigrations(database.migrationTarget);
  installDatabase(database);
  return { ...database, destroy: async () => { installDatabase(undefined); await database.close(); } };
}

/** A new, migrated database on the PostgreSQL server at `serverUrl`, installed as this process's database. */
export async function createPostgresDatabase(serverUrl: string, namePrefix = "maestro_test"): Promise<PostgresTestDatabase> {
  const name = `${namePrefix}_${randomBytes(6).toString("hex")}`;
  const url = withDatabase(serverUrl, name);
  await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
  const drop = () => adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  let database: Database | undefined;
  try {
    database = await openDatabase({ kind: "postgresql", url });
    await applyMigrations(database.migrationTarget);
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
