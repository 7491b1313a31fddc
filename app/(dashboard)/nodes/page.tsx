import type { Metadata } from "next";
import { HydrateClient, prefetch, serverTrpc } from "@/server/api/rsc";
import { can } from "@/server/shared/rbac";
import { NodesPanel } from "@/components/nodes/nodes-panel";
import { requireScope } from "../_lib/session";

export const metadata: Metadata = { title: "Nodes" };

export default async function NodesPage() {
  const { team } = await requireScope("nodes:read");
  await Promise.all([
    prefetch(serverTrpc.nodes.list.queryOptions({ teamId: team.id, includeOld: false })),
    can(team.scopes, "runs:read") ? prefetch(serverTrpc.runs.deadLetters.queryOptions({ teamId: team.id })) : null,
  ]);
  return (
    <HydrateClient>
      <NodesPanel />
    </HydrateClient>
  );
}
