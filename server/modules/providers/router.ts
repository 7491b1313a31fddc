import { router, scopedProcedure } from "../../api/trpc.ts";
import { auditActor } from "../../api/actor.ts";
import { teamInput } from "../../shared/schemas.ts";
import {
  gatewaySettingsInput,
  modelTargetInput,
  modelUpsertInput,
  providerCreateInput,
  providerTargetInput,
  providerTestInput,
  providerUpdateInput,
} from "../../shared/providers.ts";
import {
  createProvider,
  getGatewaySettings,
  listModels,
  listProviders,
  removeProvider,
  resetModel,
  testProvider,
  updateGatewaySettings,
  updateProvider,
  upsertModel,
} from "./service.ts";

export const providersRouter = router({
  list: scopedProcedure("providers:read").input(teamInput).query(({ ctx, input }) => listProviders(ctx.db, input.teamId)),
  create: scopedProcedure("providers:write").input(providerCreateInput).mutation(({ ctx, input }) => createProvider(ctx.db, auditActor(ctx), input)),
  update: scopedProcedure("providers:write").input(providerUpdateInput).mutation(({ ctx, input }) => updateProvider(ctx.db, auditActor(ctx), input)),
  remove: scopedProcedure("providers:write").input(providerTargetInput).mutation(({ ctx, input }) => removeProvider(ctx.db, auditActor(ctx), input)),
  test: scopedProcedure("providers:write").input(providerTestInput).mutation(({ ctx, input }) => testProvider(ctx.db, auditActor(ctx), input)),
  settings: scopedProcedure("providers:read").input(teamInput).query(({ ctx, input }) => getGatewaySettings(ctx.db, input.teamId)),
  updateSettings: scopedProcedure("providers:write")
    .input(gatewaySettingsInput)
    .mutation(({ ctx, input }) => updateGatewaySettings(ctx.db, auditActor(ctx), input)),
});

export const modelsRouter = router({
  list: scopedProcedure("providers:read").input(teamInput).query(({ ctx, input }) => listModels(ctx.db, input.teamId)),
  upsert: scopedProcedure("models:write").input(modelUpsertInput).mutation(({ ctx, input }) => upsertModel(ctx.db, auditActor(ctx), input)),
  reset: scopedProcedure("models:write").input(modelTargetInput).mutation(({ ctx, input }) => resetModel(ctx.db, auditActor(ctx), input)),
});
