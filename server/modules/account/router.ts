import { authedProcedure, router } from "../../api/trpc.ts";
import { auditActor } from "../../api/actor.ts";
import { changePasswordInput } from "../../shared/schemas.ts";
import { changePassword, describePrincipal, signOutEverywhere } from "./service.ts";

export const accountRouter = router({
  me: authedProcedure.query(({ ctx }) => describePrincipal(ctx.principal)),
  changePassword: authedProcedure
    .input(changePasswordInput)
    .mutation(({ ctx, input }) => changePassword(ctx.db, ctx.policy, ctx.principal, auditActor(ctx), input)),
  signOutEverywhere: authedProcedure.mutation(({ ctx }) => signOutEverywhere(ctx.db, ctx.principal, auditActor(ctx))),
});
