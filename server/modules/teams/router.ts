import { TRPCError } from "@trpc/server";
import { authedProcedure, router, scopedProcedure } from "../../api/trpc.ts";
import { auditActor } from "../../api/actor.ts";
import { teamCreateInput, teamRenameInput } from "../../shared/schemas.ts";
import { can } from "../../shared/rbac.ts";
import { createTeam, listTeams, renameTeam } from "./service.ts";

/** Teams are above any one team, so this rung asks for teams:admin in at least one of the caller's teams. */
const anyTeamAdmin = authedProcedure.meta({ scope: "teams:admin" }).use(({ ctx, next }) => {
  const administered = ctx.principal.memberships.filter((m) => can(m.scopes, "teams:admin")).map((m) => m.teamId);
  if (!administered.length) throw new TRPCError({ code: "FORBIDDEN", message: 'This needs the "teams:admin" permission.' });
  return next({ ctx: { administered } });
});

export const teamsRouter = router({
  list: anyTeamAdmin.query(({ ctx }) => listTeams(ctx.db, ctx.administered)),
  create: anyTeamAdmin.input(teamCreateInput).mutation(({ ctx, input }) => createTeam(ctx.db, auditActor(ctx), input)),
  rename: scopedProcedure("teams:admin").input(teamRenameInput).mutation(({ ctx, input }) => renameTeam(ctx.db, auditActor(ctx), input)),
});
