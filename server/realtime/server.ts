// socket.io on the same HTTP server and port as the app. A socket authenticates with
// the session cookie (browsers) or an API key (auth.apiKey or a Bearer header), and
// joins one room per team it belongs to; nothing lets it join another team's room.
import type { Server as HttpServer } from "node:http";
import { Server } from "socket.io";
import { createAdapter } from "@socket.io/redis-adapter";
import type { Principal } from "../auth/principal.ts";
import { teamRoom } from "../shared/realtime-events.ts";
import { connectRedis } from "../redis.ts";
import { logger } from "../logger.ts";
import { setProcessSingleton } from "../singleton.ts";
import { REALTIME_KEY, type RealtimeServer } from "./emit.ts";

export const REALTIME_PATH = "/socket.io";

export interface RealtimeOptions {
  /** Resolves the caller from the handshake's headers (cookie or Authorization). */
  authenticate: (headers: { cookie?: string | null; authorization?: string | null }) => Promise<Principal | null>;
  redisUrl?: string;
  /** Browser origins allowed to connect; same-origin always works. */
  corsOrigin?: string | string[];
}

interface SocketData {
  principal: Principal;
}

export async function startRealtime(httpServer: HttpServer, options: RealtimeOptions) {
  const io: RealtimeServer = new Server(httpServer, {
    path: REALTIME_PATH,
    serveClient: false,
    cors: options.corsOrigin ? { origin: options.corsOrigin, credentials: true } : undefined,
  });
  const redisClients = options.redisUrl
    ? [connectRedis(options.redisUrl, "realtime-pub"), connectRedis(options.redisUrl, "realtime-sub")]
    : [];
  if (redisClients.length === 2) io.adapter(createAdapter(redisClients[0]!, redisClients[1]!));

  io.use(async (socket, next) => {
    try {
      const apiKey = typeof socket.handshake.auth?.apiKey === "string" ? socket.handshake.auth.apiKey : null;
      const principal = await options.authenticate({
        cookie: socket.handshake.headers.cookie,
        authorization: apiKey ? `Bearer ${apiKey}` : socket.handshake.headers.authorization,
      });
      if (!principal) return next(new Error("unauthorized: sign in or pass an API key"));
      (socket.data as SocketData).principal = principal;
      next();
    } catch (error) {
      logger.error("realtime.auth.failed", { error });
      next(new Error("authentication failed"));
    }
  });

  io.on("connection", async (socket) => {
    const { principal } = socket.data as SocketData;
    const teamIds = principal.memberships.map((m) => m.teamId);
    await socket.join(teamIds.map(teamRoom));
    socket.emit("session:ready", { teamIds });
    socket.on("ping", (reply) => {
      if (typeof reply === "function") reply({ at: new Date().toISOString() });
    });
  });

  setProcessSingleton(REALTIME_KEY, io);
  return {
    io,
    async close() {
      setProcessSingleton(REALTIME_KEY, undefined);
      await io.close();
      await Promise.all(redisClients.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}
