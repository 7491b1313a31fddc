import { router, scopedProcedure } from "../../api/trpc.ts";
import { auditActor } from "../../api/actor.ts";
import { teamInput } from "../../shared/schemas.ts";
import { budgetCreateInput, budgetTargetInput, budgetUpdateInput } from "../../shared/budgets.ts";
import { budgetStatuses, createBudget, listBudgetEvents, removeBudget, updateBudget } from "./service.ts";

const read = scopedProcedure("budgets:read");
const write = scopedProcedure("budgets:write");

export const budgetsRouter = router({
  list: read.input(teamInput).query(({ ctx, input }) => budgetStatuses(ctx.db, input.teamId)),
  events: read.input(teamInput).query(({ ctx, input }) => listBudgetEvents(ctx.db, input.teamId)),
  create: write.input(budgetCreateInput).mutation(({ ctx, input }) => createBudget(ctx.db, auditActor(ctx), input)),
  update: write.input(budgetUpdateInput).mutation(({ ctx, input }) => updateBudget(ctx.db, auditActor(ctx), input)),
  remove: write.input(budgetTargetInput).mutation(({ ctx, input }) => removeBudget(ctx.db, auditActor(ctx), input)),
});
