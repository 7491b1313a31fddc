import type { Metadata } from "next";
import { HydrateClient, prefetch, serverTrpc } from "@/server/api/rsc";
import { BudgetsPanel } from "@/components/budgets/budgets-panel";
import { requireScope } from "../_lib/session";

export const metadata: Metadata = { title: "Budgets" };

export default async function BudgetsPage() {
  const { team } = await requireScope("budgets:read");
  await Promise.all([
    prefetch(serverTrpc.budgets.list.queryOptions({ teamId: team.id })),
    prefetch(serverTrpc.budgets.events.queryOptions({ teamId: team.id })),
  ]);
  return (
    <HydrateClient>
      <BudgetsPanel />
    </HydrateClient>
  );
}
