// What every entry (web server, worker, CLI) does first: validate configuration, settle
// the auth secret, open the database and bring its schema up to date.
import { env, exportAuthEnvironment, publicUrl } from "./env.ts";
import { resolveAuthSecret } from "./auth/secret.ts";
import { getDatabase, type Database } from "./db/client.ts";
import { applyMigrations } from "./db/migrate.ts";
import { logger } from "./logger.ts";

export async function prepareEnvironment() {
  const e = env();
  const { secret, source } = resolveAuthSecret(e);
  if (source === "file" && e.DATABASE_URL) {
    logger.warn("config.secret.local", {
      hint: "MAESTRO_SECRET is unset, so this process signs sessions with a key from its data dir. Set the same MAESTRO_SECRET on every machine when scaling out.",
    });
  }
  exportAuthEnvironment({ secret, url: publicUrl(e) });
  return env();
}

/** Opens the configured database and applies pending migrations; returns what was applied. */
export async function openAndMigrate(): Promise<{ database: Database; applied: string[] }> {
  const database = await getDatabase();
  const { applied } = await applyMigrations(database.migrationTarget, { log: (line) => logger.debug("db.migrate", { line }) });
  return { database, applied };
}
