import path from "node:path";
import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client.ts";
import type { MigrationTarget } from "./migrate.ts";
import { env } from "../env.ts";
import { processSingleton, setProcessSingleton, peekProcessSingleton } from "../singleton.ts";

export type Db = InstanceType<typeof PrismaClient>;
export type DatabaseKind = "pglite" | "postgresql";

export interface Database {
  prisma: Db;
  kind: DatabaseKind;
  /** What the migration runner needs to reach the same database. */
  migrationTarget: MigrationTarget;
  close(): Promise<void>;
}

export type DatabaseLocation =
  | { kind: "postgresql"; url: string }
  /** `dataDir` undefined means in memory (tests); `snapshot` starts it from a dumped data dir. */
  | { kind: "pglite"; dataDir?: string; snapshot?: Blob };

export function locationFromEnv(e = env()): DatabaseLocation {
  return e.DATABASE_URL
    ? { kind: "postgresql", url: e.DATABASE_URL }
    : { kind: "pglite", dataDir: path.resolve(e.MAESTRO_DATA_DIR, "pglite") };
}

/**
 * Transactions wait their turn rather than fail under bursts: PGlite runs one at a time,
 * and a pool of ten connections queues the rest. Ours are short; the wait is the load.
 */
const TRANSACTION_OPTIONS = { maxWait: 20_000, timeout: 30_000 };

export async function openDatabase(location: DatabaseLocation): Promise<Database> {
  if (location.kind === "postgresql") {
    const adapter = new PrismaPg({ connectionString: location.url, max: 10 });
    const prisma = new PrismaClient({ adapter, transactionOptions: TRANSACTION_OPTIONS });
    return {
      prisma,
      kind: "postgresql",
      migrationTarget: { kind: "postgres", url: location.url },
      close: () => prisma.$disconnect(),
    };
  }
  if (location.dataDir) mkdirSync(location.dataDir, { recursive: true });
  const client = location.dataDir ? new PGlite(location.dataDir) : new PGlite(location.snapshot ? { loadDataDir: location.snapshot } : {});
  await client.waitReady;
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(client), transactionOptions: TRANSACTION_OPTIONS });
  return {
    prisma,
    kind: "pglite",
    migrationTarget: { kind: "pglite", client },
    close: async () => {
      await prisma.$disconnect();
      await client.close();
    },
  };
}

const KEY = "database";

/** The process-wide database, opened from the environment on first use. */
export function getDatabase(): Promise<Database> {
  return processSingleton(KEY, () => openDatabase(locationFromEnv()));
}

export async function db(): Promise<Db> {
  return (await getDatabase()).prisma;
}

/** Tests and the server entry install an already-open database. */
export function installDatabase(database: Database | undefined): void {
  setProcessSingleton(KEY, database ? Promise.resolve(database) : undefined);
}

export async function closeDatabase(): Promise<void> {
  const current = peekProcessSingleton<Promise<Database>>(KEY);
  setProcessSingleton(KEY, undefined);
  if (current) await (await current).close();
}
