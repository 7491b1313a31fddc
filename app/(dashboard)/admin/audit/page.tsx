import type { Metadata } from "next";
import { ADMIN_SCOPE } from "@/components/shell/nav-items";
import { AuditLog } from "@/components/admin/audit/audit-log";
import { requireScope } from "../../_lib/session";

export const metadata: Metadata = { title: "Audit log · Admin" };

export default async function AdminAuditPage() {
  await requireScope(ADMIN_SCOPE);
  // Not prefetched: the filters' dates depend on the browser's time zone.
  return <AuditLog />;
}
