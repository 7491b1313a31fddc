#!/usr/bin/env node
// The `maestro` command: runs the TypeScript CLI from source through tsx.
import { register } from "tsx/esm/api";

process.env.NEXT_TELEMETRY_DISABLED ??= "1";
register();
const { main } = await import("../server/cli.ts");
process.exitCode = await main(process.argv.slice(2));
