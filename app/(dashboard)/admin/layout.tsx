import type { ReactNode } from "react";
import { ADMIN_SCOPE } from "@/components/shell/nav-items";
import { PageHeader } from "@/components/ui/page-header";
import { AdminTabs } from "@/components/admin/admin-tabs";
import { requireScope } from "../_lib/session";

export default async function AdminLayout({ children }: { children: ReactNode }) {
  // forbidden() here renders (dashboard)/forbidden.tsx inside the shell, with HTTP 403.
  const { team } = await requireScope(ADMIN_SCOPE);
  return (
    <>
      <PageHeader title="Admin" description={`People, teams, API keys and the audit trail of ${team.name}.`} />
      <AdminTabs />
      {children}
    </>
  );
}
