import type { Metadata } from "next";
import { HydrateClient, prefetch, serverTrpc } from "@/server/api/rsc";
import { RunDetail } from "@/components/runs/run-detail";
import { EVENTS_LIMIT } from "@/components/runs/constants";
import { requireScope } from "../../_lib/session";

export const metadata: Metadata = { title: "Run" };

export default async function RunPage({ params }: { params: Promise<{ runId: string }> }) {
  const { runId } = await params;
  const { team } = await requireScope("runs:read");
  await Promise.all([
    prefetch(serverTrpc.runs.get.queryOptions({ teamId: team.id, runId })),
    prefetch(serverTrpc.runs.events.queryOptions({ teamId: team.id, runId, limit: EVENTS_LIMIT })),
  ]);
  return (
    <HydrateClient>
      <RunDetail runId={runId} />
    </HydrateClient>
  );
}
