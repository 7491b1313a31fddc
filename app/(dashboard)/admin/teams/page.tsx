import type { Metadata } from "next";
import { HydrateClient, prefetch, serverTrpc } from "@/server/api/rsc";
import { ADMIN_SCOPE } from "@/components/shell/nav-items";
import { TeamsPanel } from "@/components/admin/teams/teams-panel";
import { requireScope } from "../../_lib/session";

export const metadata: Metadata = { title: "Teams · Admin" };

export default async function AdminTeamsPage() {
  await requireScope(ADMIN_SCOPE);
  await prefetch(serverTrpc.teams.list.queryOptions());
  return (
    <HydrateClient>
      <TeamsPanel />
    </HydrateClient>
  );
}
