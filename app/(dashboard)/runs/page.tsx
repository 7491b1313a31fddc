import type { Metadata } from "next";
import { HydrateClient, prefetch, serverTrpc } from "@/server/api/rsc";
import { can } from "@/server/shared/rbac";
import { RUN_STATUSES, type RunStatus } from "@/server/shared/workflow-definition";
import { RunsPanel } from "@/components/runs/runs-panel";
import { RUNS_PAGE_SIZE } from "@/components/runs/constants";
import { requireScope } from "../_lib/session";

export const metadata: Metadata = { title: "Runs" };

export default async function RunsPage({ searchParams }: { searchParams: Promise<{ status?: string; workflow?: string }> }) {
  const { team } = await requireScope("runs:read");
  const { status, workflow } = await searchParams;
  const statuses = RUN_STATUSES.includes(status as RunStatus) ? [status as RunStatus] : undefined;
  await Promise.all([
    prefetch(
      serverTrpc.runs.list.queryOptions({
        teamId: team.id,
        limit: RUNS_PAGE_SIZE,
        ...(statuses ? { status: statuses } : {}),
        ...(workflow ? { workflowId: workflow } : {}),
      }),
    ),
    can(team.scopes, "workflows:read") ? prefetch(serverTrpc.workflows.list.queryOptions({ teamId: team.id })) : null,
  ]);
  return (
    <HydrateClient>
      <RunsPanel />
    </HydrateClient>
  );
}
