// The one HTTP entry: Next.js (pages, /api/trpc, /api/auth, /api/health), socket.io,
// the CLI bridge, the OpenAI-compatible /v1 gateway and background services,
// all on one port.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { REPO_ROOT } from "./paths.ts";
import next from "next";
import { env, publicUrl } from "./env.ts";
import { prepareEnvironment, openAndMigrate } from "./boot.ts";
import { closeDatabase, db } from "./db/client.ts";
import { bootstrapAdmin } from "./modules/setup/index.ts";
import { authPolicyFromEnv } from "./auth/policy.ts";
import { principalFromHeaders } from "./auth/principal.ts";
import { authSecret } from "./auth/secret.ts";
import { CLIENT_IP_HEADER } from "./shared/http-headers.ts";
import { startRealtime } from "./realtime/server.ts";
import { CLI_BRIDGE_PATH, handleCliBridge, publishServerInfo, runningServer, withdrawServerInfo } from "./cli/bridge.ts";
import { ConfigurationError } from "./errors.ts";
import { V1_PREFIX, handleV1 } from "./modules/gateway/v1.ts";
import { gatewayServices, stopGatewayServices } from "./modules/gateway/index.ts";
import { startEngine, stopEngine } from "./engine/index.ts";
import { logger } from "./logger.ts";

/** How long a shutting-down server waits for running steps before leaving them to recovery. */
const SHUTDOWN_DRAIN_MS = 10_000;

export interface StartOptions {
  dev?: boolean;
  /** Print the first-start admin password to the console (the CLI does; tests do not). */
  announce?: (line: string) => void;
}

function clientAddress(req: IncomingMessage): string {
  return (req.socket.remoteAddress ?? "unknown").replace(/^::ffff:/, "");
}

export async function startServer(options: StartOptions = {}) {
  const announce = options.announce ?? ((line: string) => logger.info("server.announce", { line }));
  const e = await prepareEnvironment();
  // PGlite is one process's database: a second server on the same data dir would corrupt it.
  const holder = e.DATABASE_URL ? null : runningServer(e);
  if (holder) {
    throw new ConfigurationError(
      `Another Maestro server (pid ${holder.pid}, port ${holder.port}) is using the data dir ${e.MAESTRO_DATA_DIR}. Stop it first, or give this one its own MAESTRO_DATA_DIR.`,
    );
  }
  const { database, applied } = await openAndMigrate();
  for (const name of applied) announce(`Applied database migration ${name}`);
  const admin = await bootstrapAdmin(database.prisma, authPolicyFromEnv(), {
    email: e.MAESTRO_ADMIN_EMAIL,
    password: e.MAESTRO_ADMIN_PASSWORD,
  });

  const app = next({ dev: Boolean(options.dev), dir: REPO_ROOT, hostname: "localhost", port: e.PORT });
  await app.prepare();
  const handle = app.getRequestHandler();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    // Only the server may say where a request came from (login throttling keys on it).
    req.headers[CLIENT_IP_HEADER] = clientAddress(req);
    if (req.url?.startsWith(CLI_BRIDGE_PATH)) return void handleCliBridge(req, res);
    if (req.url?.startsWith(V1_PREFIX)) return void handleV1(req, res);
    handle(req, res).catch((error: unknown) => {
      logger.error("http.unhandled", { url: req.url, error });
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" }).end("Internal error");
    });
  });

  const realtime = await startRealtime(server, {
    redisUrl: e.REDIS_URL,
    authenticate: async (headers) => principalFromHeaders(await db(), authPolicyFromEnv(), authSecret(), headers),
  });
  if (options.dev) {
    // Next's dev server upgrades /_next/webpack-hmr itself; socket.io owns only its own path.
    server.on("upgrade", (req, socket, head) => {
      if (!req.url?.startsWith("/socket.io")) void app.getUpgradeHandler()(req, socket, head);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new ConfigurationError(`Port ${e.PORT} is already in use. Stop what uses it, or set PORT to a free port.`)
          : error,
      ),
    );
    server.listen(e.PORT, e.HOST, () => resolve());
  });
  publishServerInfo(e, process.pid);
  gatewayServices(); // starts the budget sweep and the usage writer now, not at the first call
  const engine = await startEngine({ role: "web" }); // continues what a previous process left running

  const url = publicUrl(e);
  announce(`Maestro is running at ${url}  (database: ${database.kind}, engine: ${engine.backend.kind}, realtime: ${e.REDIS_URL ? "redis" : "single-node"})`);
  if (admin.created) {
    announce(`First start: created the admin ${admin.email} in team "default".`);
    if (admin.generatedPassword) {
      announce(`Its password, shown this once: ${admin.generatedPassword}`);
      announce("Sign in and change it under Account, or reset it with: npx maestro user reset-password --email " + admin.email);
    }
  }

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      withdrawServerInfo(env());
      await realtime.close(); // also closes the HTTP server
      // Running steps get a moment to finish; whatever is still running then continues after a restart.
      await Promise.race([stopEngine({ drain: true }), new Promise((resolve) => setTimeout(resolve, SHUTDOWN_DRAIN_MS).unref())]);
      await stopEngine({ drain: false });
      await stopGatewayServices(); // writes the last usage records
      await app.close?.();
      await closeDatabase();
    })();
    return closing;
  };
  return { server, url, close };
}
