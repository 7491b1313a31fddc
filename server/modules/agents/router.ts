import { router, scopedProcedure } from "../../api/trpc.ts";
import { auditActor } from "../../api/actor.ts";
import { agentCreateInput, agentTargetInput, agentUpdateInput } from "../../shared/agents.ts";
import { teamInput } from "../../shared/schemas.ts";
import { createAgent, getAgent, listAgents, removeAgent, updateAgent } from "./service.ts";

const read = scopedProcedure("agents:read");
const write = scopedProcedure("agents:write");

export const agentsRouter = router({
  list: read.input(teamInput).query(({ ctx, input }) => listAgents(ctx.db, input.teamId)),
  get: read.input(agentTargetInput).query(({ ctx, input }) => getAgent(ctx.db, input)),
  create: write.input(agentCreateInput).mutation(({ ctx, input }) => createAgent(ctx.db, auditActor(ctx), input)),
  update: write.input(agentUpdateInput).mutation(({ ctx, input }) => updateAgent(ctx.db, auditActor(ctx), input)),
  remove: write.input(agentTargetInput).mutation(({ ctx, input }) => removeAgent(ctx.db, auditActor(ctx), input)),
});
