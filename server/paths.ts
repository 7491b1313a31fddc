import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root, for entries run from source (server, CLI); not for code Next bundles. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
