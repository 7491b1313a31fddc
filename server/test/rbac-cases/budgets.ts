// Budgets: every member sees them and their events; operators and admins change them
// (budgets:write).
import type { Fixtures } from "../fixtures.ts";
import { operatorsUp, teamMembers, unique, type Case } from "../rbac.ts";

/** A budget of acme's own for each persona to change or remove. */
async function newBudget(f: Fixtures) {
  const row = await f.db.budget.create({
    data: { teamId: f.team.id, name: unique("rbac-budget-"), scope: "team", period: "monthly", limitNano: 5_000_000_000n, thresholds: [50, 80, 100] },
  });
  return row.id;
}

export const BUDGETS_CASES: Record<string, Case> = {
  "budgets.list": { expect: teamMembers, input: (f) => ({ teamId: f.team.id }) },
  "budgets.events": { expect: teamMembers, input: (f) => ({ teamId: f.team.id }) },
  "budgets.create": {
    expect: operatorsUp,
    input: (f) => ({ teamId: f.team.id, name: unique("rbac-new-budget-"), scope: "model", scopeRef: "gpt-4o", period: "daily", limitUsd: 2.5 }),
  },
  "budgets.update": { expect: operatorsUp, input: async (f) => ({ teamId: f.team.id, budgetId: await newBudget(f), limitUsd: 7 }) },
  "budgets.remove": { expect: operatorsUp, input: async (f) => ({ teamId: f.team.id, budgetId: await newBudget(f) }) },
};
