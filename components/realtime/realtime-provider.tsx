"use client";
// One socket.io connection per signed-in page, shared by every component that listens.
// The session cookie authenticates it; the server puts it in the rooms of the person's teams.
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "@/server/shared/realtime-events";

export type MaestroSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type RealtimeStatus = "connecting" | "live" | "offline";

interface RealtimeValue {
  socket: MaestroSocket | null;
  status: RealtimeStatus;
}

const RealtimeContext = createContext<RealtimeValue>({ socket: null, status: "connecting" });

export function RealtimeProvider({ children }: { children: ReactNode }) {
  const [value, setValue] = useState<RealtimeValue>({ socket: null, status: "connecting" });

  useEffect(() => {
    const socket: MaestroSocket = io({ path: "/socket.io", withCredentials: true });
    const set = (status: RealtimeStatus) => setValue({ socket, status });
    set(socket.connected ? "live" : "connecting");
    socket.on("connect", () => set("live"));
    socket.on("disconnect", () => set("offline"));
    socket.on("connect_error", () => set("offline"));
    socket.io.on("reconnect_attempt", () => set("connecting"));
    return () => {
      socket.removeAllListeners();
      socket.io.removeAllListeners();
      socket.disconnect();
    };
  }, []);

  return <RealtimeContext.Provider value={value}>{children}</RealtimeContext.Provider>;
}

export function useRealtime() {
  return useContext(RealtimeContext);
}
