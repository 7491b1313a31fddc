import type { Metadata } from "next";
import { HydrateClient, prefetch, serverTrpc } from "@/server/api/rsc";
import { CostsPanel } from "@/components/costs/costs-panel";
import { presetRange } from "@/components/costs/period";
import { requireScope } from "../_lib/session";

export const metadata: Metadata = { title: "Costs" };

export default async function CostsPage() {
  const { team } = await requireScope("usage:read");
  // The range is fixed here, so the server render, the prefetched queries and the browser agree.
  const range = presetRange("30d");
  const input = { teamId: team.id, from: range.from, to: range.to };
  await Promise.all([
    prefetch(serverTrpc.usage.totals.queryOptions(input)),
    prefetch(serverTrpc.usage.timeseries.queryOptions({ ...input, bucket: range.bucket, splitBy: "provider" })),
    prefetch(serverTrpc.usage.summary.queryOptions({ ...input, groupBy: "model" })),
  ]);
  return (
    <HydrateClient>
      <CostsPanel initialRange={range} />
    </HydrateClient>
  );
}
