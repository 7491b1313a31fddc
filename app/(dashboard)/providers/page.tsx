import type { Metadata } from "next";
import { ComingSoon } from "@/components/coming-soon/coming-soon";
import { requireTeam } from "../_lib/session";

export const metadata: Metadata = { title: "Providers" };

export default async function Page() {
  const { team } = await requireTeam();
  return <ComingSoon href="/providers" scopes={team.scopes} />;
}
