"use client";
// The templates the New workflow gallery offers: the server's templates first (created by
// their slug, so the workflow remembers which one it came from), then the starters bundled
// with the page (created from their definition).
import { useQuery } from "@tanstack/react-query";
import type { TemplateDto } from "@/server/shared/runs";
import { useTRPC } from "@/components/providers/trpc";
import { useTeam } from "@/components/shell/shell-context";
import { STARTERS } from "./starters";

export interface GalleryTemplate extends TemplateDto {
  /** True for the server's templates: the create call names them by slug. */
  builtIn: boolean;
}

export function useWorkflowTemplates(): { templates: readonly GalleryTemplate[]; isPending: boolean; error: unknown } {
  const trpc = useTRPC();
  const team = useTeam();
  const server = useQuery({ ...trpc.workflows.templates.queryOptions({ teamId: team.id }), staleTime: Number.POSITIVE_INFINITY });
  const known = new Set((server.data ?? []).map((t) => t.slug));
  return {
    templates: [...(server.data ?? []).map((t) => ({ ...t, builtIn: true })), ...STARTERS.filter((s) => !known.has(s.slug)).map((s) => ({ ...s, builtIn: false }))],
    isPending: server.isPending,
    error: server.error,
  };
}
