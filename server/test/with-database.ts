// The database of one test file, as vitest hooks: created before its tests, destroyed after.
import { afterAll, beforeAll } from "vitest";
import { createTestDatabase, type TestDatabase } from "./db.ts";

/**
 * Hands the file's fresh database to `ready`, e.g. `withTestDatabase((database) => (db = database.prisma))`;
 * a promise `ready` returns (rows being seeded) is awaited before the tests start.
 */
export function withTestDatabase(ready: (database: TestDatabase) => unknown): void {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    await ready(database);
  });
  afterAll(async () => {
    await database?.destroy();
  });
}
