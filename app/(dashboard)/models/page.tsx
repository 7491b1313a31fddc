import type { Metadata } from "next";
import { HydrateClient, prefetch, serverTrpc } from "@/server/api/rsc";
import { ModelsPanel } from "@/components/models/models-panel";
import { requireScope } from "../_lib/session";

export const metadata: Metadata = { title: "Models & prices" };

export default async function ModelsPage() {
  const { team } = await requireScope("providers:read");
  await prefetch(serverTrpc.models.list.queryOptions({ teamId: team.id }));
  return (
    <HydrateClient>
      <ModelsPanel />
    </HydrateClient>
  );
}
