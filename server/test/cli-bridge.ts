// A running-server stand-in for CLI tests: the loopback bridge on a real HTTP port,
// announced in a throwaway data dir the way `maestro start` announces itself.
import { createServer, type Server } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { env, resetEnvCache } from "../env.ts";
import { handleCliBridge, publishServerInfo, withdrawServerInfo } from "../cli/bridge.ts";

export function withBridgeServer(name: string): void {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `maestro-${name}-`));
  let server: Server;
  beforeAll(async () => {
    process.env.MAESTRO_DATA_DIR = dataDir;
    server = createServer((req, res) => void handleCliBridge(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    process.env.PORT = String((server.address() as AddressInfo).port);
    resetEnvCache();
    publishServerInfo(env(), process.pid);
  });
  afterAll(async () => {
    withdrawServerInfo(env());
    await new Promise((resolve) => server.close(resolve));
    rmSync(dataDir, { recursive: true, force: true });
    delete process.env.MAESTRO_DATA_DIR;
    delete process.env.PORT;
    resetEnvCache();
  });
}
