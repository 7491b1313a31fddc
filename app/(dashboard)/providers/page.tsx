import type { Metadata } from "next";
import { HydrateClient, prefetch, serverTrpc } from "@/server/api/rsc";
import { ProvidersPanel } from "@/components/llm-providers/providers-panel";
import { requireScope } from "../_lib/session";

export const metadata: Metadata = { title: "Providers" };

export default async function ProvidersPage() {
  const { team } = await requireScope("providers:read");
  const teamInput = { teamId: team.id };
  await Promise.all([
    prefetch(serverTrpc.providers.list.queryOptions(teamInput)),
    prefetch(serverTrpc.providers.settings.queryOptions(teamInput)),
    prefetch(serverTrpc.gateway.models.queryOptions(teamInput)),
    prefetch(serverTrpc.gateway.cacheStats.queryOptions(teamInput)),
  ]);
  return (
    <HydrateClient>
      <ProvidersPanel />
    </HydrateClient>
  );
}
