import type { ReactNode } from "react";
import { ShellProvider } from "@/components/shell/shell-context";
import { AppShell } from "@/components/shell/app-shell";
import { NoTeamNotice } from "@/components/shell/no-team-notice";
import { RealtimeProvider } from "@/components/realtime/realtime-provider";
import { LiveSync } from "@/components/realtime/live-sync";
import { requireSession } from "./_lib/session";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const { principal, team } = await requireSession();
  if (!team) return <NoTeamNotice email={principal.email} />;

  const viewer = { id: principal.userId, email: principal.email, name: principal.name, mustChangePassword: principal.mustChangePassword };
  const teams = principal.memberships.map((m) => ({ id: m.teamId, name: m.teamName, role: m.role }));
  return (
    <ShellProvider value={{ viewer, team, teams }}>
      <RealtimeProvider>
        <LiveSync />
        <AppShell>{children}</AppShell>
      </RealtimeProvider>
    </ShellProvider>
  );
}
