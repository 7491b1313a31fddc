import { router, scopedProcedure } from "../../api/trpc.ts";
import { auditActor } from "../../api/actor.ts";
import { apiKeyCreateInput, apiKeyTargetInput, teamInput } from "../../shared/schemas.ts";
import type { Scope } from "../../shared/rbac.ts";
import type { Principal } from "../../auth/principal.ts";
import { createApiKey, listApiKeys, revokeApiKey } from "./service.ts";

function keyActor(ctx: { principal: Principal; ip: string | null; scopes: readonly Scope[] }) {
  return { ...auditActor(ctx), scopes: ctx.scopes, apiKeyId: ctx.principal.apiKey?.id ?? null };
}

export const apiKeysRouter = router({
  list: scopedProcedure("apikeys:read").input(teamInput).query(({ ctx, input }) => listApiKeys(ctx.db, keyActor(ctx), input.teamId)),
  create: scopedProcedure("apikeys:write").input(apiKeyCreateInput).mutation(({ ctx, input }) => createApiKey(ctx.db, keyActor(ctx), input)),
  revoke: scopedProcedure("apikeys:write").input(apiKeyTargetInput).mutation(({ ctx, input }) => revokeApiKey(ctx.db, keyActor(ctx), input)),
});
