import type { Metadata } from "next";
import { ForbiddenNotice } from "@/components/shell/forbidden-notice";

export const metadata: Metadata = { title: "No access" };

export default function DashboardForbidden() {
  return <ForbiddenNotice />;
}
