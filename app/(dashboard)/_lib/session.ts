// The signed-in person and selected team for a dashboard request. Layouts and pages
// render in parallel, so each calls this (deduplicated per request by cache()).
import "server-only";
import { cache } from "react";
import { cookies, headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { currentPrincipal } from "@/server/api/rsc";
import { can, type Scope } from "@/server/shared/rbac";
import { REQUEST_PATH_HEADER } from "@/server/shared/http-headers";
import { TEAM_COOKIE } from "@/components/shell/preferences";
import type { SelectedTeam } from "@/components/shell/shell-context";

export const requireSession = cache(async () => {
  const principal = await currentPrincipal();
  if (!principal) {
    const wanted = (await headers()).get(REQUEST_PATH_HEADER);
    redirect(wanted && wanted !== "/" ? `/login?callbackUrl=${encodeURIComponent(wanted)}` : "/login");
  }
  const wanted = (await cookies()).get(TEAM_COOKIE)?.value;
  // The cookie is only a preference: a team the person no longer belongs to falls back to the first.
  const membership = principal.memberships.find((m) => m.teamId === wanted) ?? principal.memberships[0] ?? null;
  const team: SelectedTeam | null = membership
    ? { id: membership.teamId, slug: membership.teamSlug, name: membership.teamName, role: membership.role, scopes: membership.scopes }
    : null;
  return { principal, team };
});

/** The session with a selected team; pages only render inside a team. */
export async function requireTeam() {
  const { principal, team } = await requireSession();
  // The layout shows its "no team" screen instead of the page; this only sets the status.
  if (!team) forbidden();
  return { principal, team };
}

/** Renders the 403 page (HTTP 403) unless the selected team's role grants the scope. */
export async function requireScope(scope: Scope) {
  const session = await requireTeam();
  if (!can(session.team.scopes, scope)) forbidden();
  return session;
}
