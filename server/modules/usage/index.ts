export {
  usageSummary,
  usageTimeseries,
  usageTotals,
  usageByTeam,
  usageRecords,
  usageCsv,
  usageByProviderModel,
  usageForCli,
  parseSince,
  formatNanoUsd,
  csvField,
} from "./service.ts";
export type { UsageRecordsQuery, CliUsageResult } from "./service.ts";
export { usageReport, reportRange } from "./report.ts";
export type { UsageReportOptions } from "./report.ts";
export { BatchedUsageSink, registerUsageSink, registeredUsageSink, flushUsage } from "./recorder.ts";
export type { BatchedUsageSinkOptions } from "./recorder.ts";
export { usageRouter } from "./router.ts";
