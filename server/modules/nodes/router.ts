import { router, scopedProcedure } from "../../api/trpc.ts";
import { auditActor } from "../../api/actor.ts";
import { nodeDrainInput, nodeListInput } from "../../shared/nodes.ts";
import { drainNode, listNodes, localEngine } from "./service.ts";

// Nodes are installation-wide; teamId only places the caller on the procedure ladder.
const read = scopedProcedure("nodes:read");
const admin = scopedProcedure("nodes:admin");

export const nodesRouter = router({
  list: read.input(nodeListInput).query(({ ctx, input }) => {
    const local = localEngine();
    return listNodes(ctx.db, { includeOld: input.includeOld, currentNodeId: local.nodeId, backend: local.backend });
  }),
  drain: admin.input(nodeDrainInput).mutation(({ ctx, input }) => drainNode(ctx.db, auditActor(ctx), input, localEngine().nodeId)),
});
