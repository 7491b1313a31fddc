import { authedProcedure, router, scopedProcedure } from "../../api/trpc.ts";
import { can } from "../../shared/rbac.ts";
import {
  usageRangeInput,
  usageRecordsInput,
  usageReportInput,
  usageSummaryInput,
  usageTeamRangeInput,
  usageTimeseriesInput,
} from "../../shared/usage.ts";
import { budgetStatuses } from "../budgets/index.ts";
import { usageByTeam, usageCsv, usageRecords, usageSummary, usageTimeseries, usageTotals } from "./service.ts";
import { usageReport } from "./report.ts";

const read = scopedProcedure("usage:read");

export const usageRouter = router({
  summary: read.input(usageSummaryInput).query(({ ctx, input }) => usageSummary(ctx.db, input.teamId, input)),
  timeseries: read.input(usageTimeseriesInput).query(({ ctx, input }) => usageTimeseries(ctx.db, input.teamId, input)),
  totals: read.input(usageTeamRangeInput).query(({ ctx, input }) => usageTotals(ctx.db, input.teamId, input)),
  records: read.input(usageRecordsInput).query(({ ctx, input }) => usageRecords(ctx.db, input.teamId, input)),
  exportCsv: read.input(usageTeamRangeInput).query(({ ctx, input }) => usageCsv(ctx.db, input.teamId, input)),
  report: read.input(usageReportInput).query(async ({ ctx, input }) =>
    usageReport(ctx.db, input.teamId, { period: input.period, at: input.at, budgets: await budgetStatuses(ctx.db, input.teamId, input.at) }),
  ),
  /** Cost per team across the caller's teams where they may read usage (an API key: its own team only). */
  byTeam: authedProcedure.input(usageRangeInput).query(({ ctx, input }) => {
    const teamIds = ctx.principal.memberships.filter((m) => can(m.scopes, "usage:read")).map((m) => m.teamId);
    return usageByTeam(ctx.db, teamIds, input);
  }),
});
