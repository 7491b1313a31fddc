import type { Metadata } from "next";
import { HydrateClient, prefetch, serverTrpc } from "@/server/api/rsc";
import { ADMIN_SCOPE } from "@/components/shell/nav-items";
import { UsersPanel } from "@/components/admin/users/users-panel";
import { USERS_PAGE_SIZE } from "@/components/admin/users/constants";
import { requireScope } from "../../_lib/session";

export const metadata: Metadata = { title: "Users · Admin" };

export default async function AdminUsersPage() {
  const { team } = await requireScope(ADMIN_SCOPE);
  await prefetch(serverTrpc.users.list.queryOptions({ teamId: team.id, limit: USERS_PAGE_SIZE }));
  return (
    <HydrateClient>
      <UsersPanel />
    </HydrateClient>
  );
}
