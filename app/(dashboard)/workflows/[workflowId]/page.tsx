import type { Metadata } from "next";
import { HydrateClient, prefetch, serverTrpc } from "@/server/api/rsc";
import { WorkflowEditor } from "@/components/workflows/editor/workflow-editor";
import { requireScope } from "../../_lib/session";

export const metadata: Metadata = { title: "Workflow editor" };

export default async function WorkflowEditorPage({ params }: { params: Promise<{ workflowId: string }> }) {
  const { workflowId } = await params;
  const { team } = await requireScope("workflows:read");
  await prefetch(serverTrpc.workflows.get.queryOptions({ teamId: team.id, workflowId }));
  return (
    <HydrateClient>
      <WorkflowEditor workflowId={workflowId} />
    </HydrateClient>
  );
}
