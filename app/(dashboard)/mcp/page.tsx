import type { Metadata } from "next";
import { HydrateClient, prefetch, serverTrpc } from "@/server/api/rsc";
import { McpPanel } from "@/components/mcp/mcp-panel";
import { requireScope } from "../_lib/session";

export const metadata: Metadata = { title: "MCP servers" };

export default async function McpPage() {
  const { team } = await requireScope("tools:read");
  await prefetch(serverTrpc.mcp.list.queryOptions({ teamId: team.id }));
  return (
    <HydrateClient>
      <McpPanel />
    </HydrateClient>
  );
}
