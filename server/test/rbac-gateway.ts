// The provider gateway's procedures, gathered from one file per area.
import type { Case, RuleRefusals } from "./rbac.ts";
import { PROVIDERS_CASES } from "./rbac-cases/providers.ts";
import { BUDGETS_CASES } from "./rbac-cases/budgets.ts";
import { USAGE_CASES } from "./rbac-cases/usage.ts";
import { GATEWAY_CASES } from "./rbac-cases/gateway.ts";

export const GATEWAY_RBAC_CASES: Record<string, Case> = { ...PROVIDERS_CASES, ...BUDGETS_CASES, ...USAGE_CASES, ...GATEWAY_CASES };
export const GATEWAY_RULE_REFUSALS: RuleRefusals = {};
