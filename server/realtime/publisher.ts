// Workers have no browsers connected, but what they do must reach the browsers of the
// web servers: a socket.io server without an HTTP listener, on the Redis adapter,
// publishes every emit to the web servers' rooms.
import { Server } from "socket.io";
import { createAdapter } from "@socket.io/redis-adapter";
import { connectRedis } from "../redis.ts";
import { setProcessSingleton } from "../singleton.ts";
import { REALTIME_KEY, type RealtimeServer } from "./emit.ts";

export function startRealtimePublisher(redisUrl: string): { close(): Promise<void> } {
  const pub = connectRedis(redisUrl, "realtime-pub");
  const sub = connectRedis(redisUrl, "realtime-sub");
  const io: RealtimeServer = new Server({ serveClient: false });
  io.adapter(createAdapter(pub, sub));
  setProcessSingleton(REALTIME_KEY, io);
  return {
    async close() {
      setProcessSingleton(REALTIME_KEY, undefined);
      // io.close() expects an HTTP server to close; this one has none, so only its Redis links go.
      pub.disconnect();
      sub.disconnect();
    },
  };
}
