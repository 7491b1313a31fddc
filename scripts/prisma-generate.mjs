#!/usr/bin/env node
// Generates the Prisma client without network access. The Prisma CLI wants a native
// schema engine at start-up, but `generate` never calls it: pointing the variable at any
// existing file keeps the CLI from trying to download one. (Never do this for `migrate`;
// migrations go through our WASM-based runner in server/db/migrate.ts.)
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const prismaCli = path.join(root, "node_modules", "prisma", "build", "index.js");
const result = spawnSync(process.execPath, [prismaCli, "generate"], {
  cwd: root,
  stdio: ["ignore", "inherit", "inherit"],
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
    CHECKPOINT_DISABLE: "1",
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
  },
});
process.exit(result.status ?? 1);
