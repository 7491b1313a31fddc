import { router, scopedProcedure } from "../../api/trpc.ts";
import { teamInput } from "../../shared/schemas.ts";
import { cacheInvalidateInput, cacheWarmInput, chatInput } from "../../shared/gateway.ts";
import type { Principal } from "../../auth/principal.ts";
import { auditActor } from "../../api/actor.ts";
import { cacheStats, chat, chatStream, invalidateCache, routableModels, warmCache, type Caller } from "./service.ts";

function caller(ctx: { principal: Principal }, teamId: string): Caller {
  return { teamId, userId: ctx.principal.userId, apiKeyId: ctx.principal.apiKey?.id ?? null };
}

export const gatewayRouter = router({
  chat: scopedProcedure("gateway:call")
    .input(chatInput)
    .mutation(({ ctx, input, signal }) => chat(caller(ctx, input.teamId), input, signal)),
  /** Streams chunks (JSON lines over httpBatchStreamLink); the last chunk carries tokens, cost and latency. */
  chatStream: scopedProcedure("gateway:call")
    .input(chatInput)
    .mutation(({ ctx, input, signal }) => chatStream(caller(ctx, input.teamId), input, signal)),
  models: scopedProcedure("providers:read")
    .input(teamInput)
    .query(({ input }) => routableModels(input.teamId)),
  cacheStats: scopedProcedure("providers:read")
    .input(teamInput)
    .query(() => cacheStats()),
  cacheInvalidate: scopedProcedure("providers:write")
    .input(cacheInvalidateInput)
    .mutation(({ ctx, input }) => invalidateCache(ctx.db, auditActor(ctx), input)),
  cacheWarm: scopedProcedure("providers:write")
    .input(cacheWarmInput)
    .mutation(({ ctx, input }) => warmCache(caller(ctx, input.teamId), input.requests)),
});
