import type { Metadata } from "next";
import { ComingSoon } from "@/components/coming-soon/coming-soon";
import { requireTeam } from "../_lib/session";

export const metadata: Metadata = { title: "Agents" };

export default async function Page() {
  const { team } = await requireTeam();
  return <ComingSoon href="/agents" scopes={team.scopes} />;
}
