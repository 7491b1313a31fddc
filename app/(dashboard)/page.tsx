import type { Metadata } from "next";
import Link from "next/link";
import { can } from "@/server/shared/rbac";
import { HydrateClient, prefetch, serverCaller, serverTrpc } from "@/server/api/rsc";
import { PageHeader } from "@/components/ui/page-header";
import { RoleBadge } from "@/components/ui/role-badge";
import { LiveActivity } from "@/components/dashboard/live-activity";
import { AccessCard } from "@/components/dashboard/access-card";
import { RoadmapCard } from "@/components/dashboard/roadmap-card";
import { Stat } from "@/components/dashboard/stat";
import { LIVE_ACTIVITY_HISTORY } from "@/components/dashboard/constants";
import { requireTeam } from "./_lib/session";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const { principal, team } = await requireTeam();
  const caller = await serverCaller();
  const isAdmin = can(team.scopes, "users:admin");

  const [members, keys] = await Promise.all([
    isAdmin ? caller.users.list({ teamId: team.id, limit: 1 }) : null,
    caller.apiKeys.list({ teamId: team.id }),
    can(team.scopes, "audit:read") ? prefetch(serverTrpc.audit.list.queryOptions({ teamId: team.id, limit: LIVE_ACTIVITY_HISTORY })) : null,
  ]);
  const now = Date.now();
  const myActiveKeys = keys.filter(
    (k) => k.owner.id === principal.userId && !k.revokedAt && (!k.expiresAt || new Date(k.expiresAt).getTime() > now),
  ).length;

  return (
    <>
      <PageHeader title={team.name} description={`Team overview · ${team.slug}`} />
      <div className="stack-lg">
        <div className="stat-grid">
          <Stat label="Your role" value={<RoleBadge role={team.role} />} note={`${team.scopes.length} permissions`} />
          {members && <Stat label="Members" value={members.total} note={<Link href="/admin/users">Manage members</Link>} />}
          <Stat label="Your API keys" value={myActiveKeys} note={<Link href="/account#api-keys">Manage your keys</Link>} />
          <Stat label="Teams you are in" value={principal.memberships.length} note={principal.memberships.length > 1 ? "Switch team at the top" : "Just this one"} />
        </div>
        <div className="dashboard-grid">
          <HydrateClient>
            <LiveActivity key={team.id} />
          </HydrateClient>
          <div className="stack-lg">
            <AccessCard role={team.role} scopes={team.scopes} />
            <RoadmapCard />
          </div>
        </div>
      </div>
    </>
  );
}
