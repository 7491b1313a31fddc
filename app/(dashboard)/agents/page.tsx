import type { Metadata } from "next";
import { HydrateClient, prefetch, serverTrpc } from "@/server/api/rsc";
import { AgentsPanel } from "@/components/agents/agents-panel";
import { requireScope } from "../_lib/session";

export const metadata: Metadata = { title: "Agents" };

export default async function AgentsPage() {
  const { team } = await requireScope("agents:read");
  await prefetch(serverTrpc.agents.list.queryOptions({ teamId: team.id }));
  return (
    <HydrateClient>
      <AgentsPanel />
    </HydrateClient>
  );
}
