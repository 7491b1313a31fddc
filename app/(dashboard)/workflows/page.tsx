import type { Metadata } from "next";
import { HydrateClient, prefetch, serverTrpc } from "@/server/api/rsc";
import { WorkflowsPanel } from "@/components/workflows/workflows-panel";
import { requireScope } from "../_lib/session";

export const metadata: Metadata = { title: "Workflows" };

export default async function WorkflowsPage() {
  const { team } = await requireScope("workflows:read");
  await prefetch(serverTrpc.workflows.list.queryOptions({ teamId: team.id }));
  return (
    <HydrateClient>
      <WorkflowsPanel />
    </HydrateClient>
  );
}
