import type { Metadata } from "next";
import { HydrateClient, prefetch, serverTrpc } from "@/server/api/rsc";
import { ADMIN_SCOPE } from "@/components/shell/nav-items";
import { ApiKeysPanel } from "@/components/api-keys/api-keys-panel";
import { requireScope } from "../../_lib/session";

export const metadata: Metadata = { title: "API keys · Admin" };

export default async function AdminApiKeysPage() {
  const { team } = await requireScope(ADMIN_SCOPE);
  await prefetch(serverTrpc.apiKeys.list.queryOptions({ teamId: team.id }));
  return (
    <HydrateClient>
      <ApiKeysPanel />
    </HydrateClient>
  );
}
