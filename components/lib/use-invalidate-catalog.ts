"use client";
// What a change to the team's providers or model catalog makes stale, in one place, so the
// Providers, Models and Playground pages (and the routing form) agree after any of them saves.
import { useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/providers/trpc";
import { useTeam } from "@/components/shell/shell-context";

/**
 * Returns a function that refetches the price catalog and the models the gateway can route
 * to, and with `providers` the providers list too; it resolves once they are refetched.
 */
export function useInvalidateCatalog({ providers = false }: { providers?: boolean } = {}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const team = useTeam();
  return () =>
    Promise.all([
      ...(providers ? [queryClient.invalidateQueries({ queryKey: trpc.providers.pathKey() })] : []),
      queryClient.invalidateQueries({ queryKey: trpc.models.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.gateway.models.queryKey({ teamId: team.id }) }),
    ]);
}
