"use client";
// Keeps what is on screen current when someone else changes it: every audit event names
// what changed, so the matching cached queries are refetched, and the server-rendered
// shell is refreshed when the change touches the viewer's own teams or role.
import { useRouter } from "next/navigation";
import { useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/providers/trpc";
import { useTeamChoices, useViewer } from "@/components/shell/shell-context";
import { useTeamEvent } from "./use-team-events";

export function LiveSync() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const viewer = useViewer();
  const teams = useTeamChoices();

  useTeamEvent("audit:created", (entry) => {
    const area = entry.action.split(".")[0];
    const keys = {
      user: [trpc.users.pathKey()],
      membership: [trpc.users.pathKey(), trpc.teams.pathKey()],
      team: [trpc.teams.pathKey()],
      apikey: [trpc.apiKeys.pathKey()],
    }[area ?? ""] ?? [];
    for (const queryKey of [...keys, trpc.audit.pathKey()]) void queryClient.invalidateQueries({ queryKey });

    const aboutMe = entry.targetType === "user" && entry.targetId === viewer.id && entry.actorUserId !== viewer.id;
    const renamedMyTeam = entry.action === "team.rename" && teams.some((t) => t.id === entry.teamId);
    if (aboutMe || renamedMyTeam) router.refresh();
  });

  return null;
}
