// Runs before every test file: configuration comes from vitest.config.ts `env` and,
// for the PostgreSQL/Redis passes, from DATABASE_URL / REDIS_URL in the shell.
import { resetEnvCache } from "../env.ts";

resetEnvCache();
