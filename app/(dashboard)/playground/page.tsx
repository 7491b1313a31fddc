import type { Metadata } from "next";
import { HydrateClient, prefetch, serverTrpc } from "@/server/api/rsc";
import { PlaygroundPanel } from "@/components/playground/playground-panel";
import { requireScope } from "../_lib/session";

export const metadata: Metadata = { title: "Playground" };

export default async function PlaygroundPage() {
  // Viewers may open it read-only; sending is checked (gateway:call) by the server and hidden here.
  const { team } = await requireScope("providers:read");
  await prefetch(serverTrpc.gateway.models.queryOptions({ teamId: team.id }));
  return (
    <HydrateClient>
      <PlaygroundPanel />
    </HydrateClient>
  );
}
