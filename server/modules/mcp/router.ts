import { router, scopedProcedure } from "../../api/trpc.ts";
import { auditActor } from "../../api/actor.ts";
import { mcpManager } from "../../engine/mcp/index.ts";
import { teamInput } from "../../shared/schemas.ts";
import { mcpServerCreateInput, mcpServerTargetInput, mcpServerTestInput, mcpServerUpdateInput } from "../../shared/mcp.ts";
import { createMcpServer, getMcpServerTools, listMcpServers, removeMcpServer, testMcpServer, updateMcpServer } from "./service.ts";

const read = scopedProcedure("tools:read");
const admin = scopedProcedure("tools:admin");

export const mcpRouter = router({
  list: read.input(teamInput).query(({ ctx, input }) => listMcpServers(ctx.db, mcpManager(), input.teamId)),
  tools: read.input(mcpServerTargetInput).query(({ ctx, input }) => getMcpServerTools(ctx.db, mcpManager(), input)),
  create: admin.input(mcpServerCreateInput).mutation(({ ctx, input }) => createMcpServer(ctx.db, mcpManager(), auditActor(ctx), input)),
  update: admin.input(mcpServerUpdateInput).mutation(({ ctx, input }) => updateMcpServer(ctx.db, mcpManager(), auditActor(ctx), input)),
  remove: admin.input(mcpServerTargetInput).mutation(({ ctx, input }) => removeMcpServer(ctx.db, mcpManager(), auditActor(ctx), input)),
  test: admin.input(mcpServerTestInput).mutation(({ ctx, input }) => testMcpServer(ctx.db, auditActor(ctx), input)),
});
