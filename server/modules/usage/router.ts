import { authedProcedure, router, scopedProcedure } from "../../api/trpc.ts";
import {
  usageRangeInput,
  usageRecordsInput,
  usageReportInput,
  usageSummaryInput,
  usageTeamRangeInput,
  usageTimeseriesInput,
} from "../../shared/usage.ts";
import { usageByTeamFor, usageCsv, usageRecords, usageSummary, usageTimeseries, usageTotals } from "./service.ts";
import { teamUsageReport } from "./report.ts";

const read = scopedProcedure("usage:read");

export const usageRouter = router({
  summary: read.input(usageSummaryInput).query(({ ctx, input }) => usageSummary(ctx.db, input.teamId, input)),
  timeseries: read.input(usageTimeseriesInput).query(({ ctx, input }) => usageTimeseries(ctx.db, input.teamId, input)),
  totals: read.input(usageTeamRangeInput).query(({ ctx, input }) => usageTotals(ctx.db, input.teamId, input)),
  records: read.input(usageRecordsInput).query(({ ctx, input }) => usageRecords(ctx.db, input.teamId, input)),
  exportCsv: read.input(usageTeamRangeInput).query(({ ctx, input }) => usageCsv(ctx.db, input.teamId, input)),
  report: read.input(usageReportInput).query(({ ctx, input }) => teamUsageReport(ctx.db, input.teamId, { period: input.period, at: input.at })),
  byTeam: authedProcedure.input(usageRangeInput).query(({ ctx, input }) => usageByTeamFor(ctx.db, ctx.principal.memberships, input)),
});
