"use client";
// Who is signed in and which team is selected, for every client component in the
// dashboard. The server layout decides both (the team from the `maestro-team` cookie,
// checked against the person's memberships) and hands them down here.
import { createContext, useContext, type ReactNode } from "react";
import { can, type Role, type Scope } from "@/server/shared/rbac";

export interface SelectedTeam {
  id: string;
  slug: string;
  name: string;
  role: Role;
  scopes: Scope[];
}

export interface Viewer {
  id: string;
  email: string;
  name: string | null;
  mustChangePassword: boolean;
}

export interface TeamChoice {
  id: string;
  name: string;
  role: Role;
}

interface ShellValue {
  viewer: Viewer;
  team: SelectedTeam;
  teams: TeamChoice[];
}

const ShellContext = createContext<ShellValue | null>(null);

export function ShellProvider({ value, children }: { value: ShellValue; children: ReactNode }) {
  return <ShellContext.Provider value={value}>{children}</ShellContext.Provider>;
}

function useShell(): ShellValue {
  const value = useContext(ShellContext);
  if (!value) throw new Error("useTeam/useViewer must be used inside the dashboard layout.");
  return value;
}

/** The selected team, or null outside the dashboard (e.g. on the root 403 page). */
export function useOptionalTeam(): SelectedTeam | null {
  return useContext(ShellContext)?.team ?? null;
}

export const useTeam = () => useShell().team;
export const useViewer = () => useShell().viewer;
export const useTeamChoices = () => useShell().teams;

/** Does the selected team's role grant this scope? The same check the server makes. */
export function useCan(scope: Scope): boolean {
  return can(useShell().team.scopes, scope);
}
