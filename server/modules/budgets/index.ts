export { budgetStatuses, createBudget, updateBudget, removeBudget, listBudgetEvents, toBudgetEventDto, BUDGET_EVENTS_LIMIT } from "./service.ts";
export { DbBudgetGuard, budgetWatches, usageSpentNano, DEFAULT_BUDGET_CACHE_TTL_MS } from "./ledger.ts";
export type { BudgetGuardOptions, DbSource, LedgerBudget } from "./ledger.ts";
export { periodBounds } from "../../shared/budgets.ts";
export { budgetsRouter } from "./router.ts";
