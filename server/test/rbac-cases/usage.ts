// Usage reads: every member of the team may read its usage (usage:read); byTeam is not
// bound to one team and answers for the caller's own teams.
import { everyone, teamMembers, type Case } from "../rbac.ts";

const range = { from: "2026-01-01", to: "2026-02-01" };

export const USAGE_CASES: Record<string, Case> = {
  "usage.summary": { expect: teamMembers, input: (f) => ({ teamId: f.team.id, ...range, groupBy: "model" }) },
  "usage.timeseries": { expect: teamMembers, input: (f) => ({ teamId: f.team.id, ...range, bucket: "day", splitBy: "provider" }) },
  "usage.totals": { expect: teamMembers, input: (f) => ({ teamId: f.team.id, ...range }) },
  "usage.records": { expect: teamMembers, input: (f) => ({ teamId: f.team.id, ...range, limit: 10 }) },
  "usage.exportCsv": { expect: teamMembers, input: (f) => ({ teamId: f.team.id, ...range }) },
  "usage.report": { expect: teamMembers, input: (f) => ({ teamId: f.team.id, period: "monthly", at: "2026-01-15" }) },
  "usage.byTeam": { expect: everyone, input: () => range },
};
