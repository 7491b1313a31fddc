"use client";
// Keeps a gateway page current when someone else changes what it shows: every provider,
// model, routing, cache or budget change writes an audit entry, which the server pushes
// to the team's sockets; matching cached queries are refetched.
import { useQueryClient, type QueryKey } from "@tanstack/react-query";
import { useTeam } from "@/components/shell/shell-context";
import { useTeamEvent } from "@/components/realtime/use-team-events";

/** `prefixes` are audit action prefixes ("provider.", "budget."); `keys` the queries to refetch. */
export function useAuditRefresh(prefixes: readonly string[], keys: readonly QueryKey[]) {
  const queryClient = useQueryClient();
  const team = useTeam();
  useTeamEvent(
    "audit:created",
    (entry) => {
      if (!prefixes.some((p) => entry.action.startsWith(p))) return;
      for (const queryKey of keys) void queryClient.invalidateQueries({ queryKey });
    },
    { teamId: team.id },
  );
}
