import { z } from "zod";
import { router, scopedProcedure } from "../../api/trpc.ts";
import { auditActor } from "../../api/actor.ts";
import { userCreateInput, userListInput, userRoleInput, userTargetInput } from "../../shared/schemas.ts";
import { createMember, listMembers, removeMember, resetPassword, setActive, setRole } from "./service.ts";

const admin = scopedProcedure("users:admin");

function accountAdmin(ctx: Parameters<typeof auditActor>[0]) {
  return { ...auditActor(ctx), memberships: ctx.principal.memberships };
}

export const usersRouter = router({
  list: admin.input(userListInput).query(({ ctx, input }) => listMembers(ctx.db, input)),
  create: admin.input(userCreateInput).mutation(({ ctx, input }) => createMember(ctx.db, ctx.policy, auditActor(ctx), input)),
  setRole: admin.input(userRoleInput).mutation(({ ctx, input }) => setRole(ctx.db, auditActor(ctx), input)),
  remove: admin.input(userTargetInput).mutation(({ ctx, input }) => removeMember(ctx.db, auditActor(ctx), input)),
  setActive: admin
    .input(userTargetInput.extend({ isActive: z.boolean() }))
    .mutation(({ ctx, input }) => setActive(ctx.db, accountAdmin(ctx), input)),
  resetPassword: admin.input(userTargetInput).mutation(({ ctx, input }) => resetPassword(ctx.db, accountAdmin(ctx), input)),
});
