import { router, createCallerFactory } from "./trpc.ts";
import { accountRouter } from "../modules/account/index.ts";
import { usersRouter } from "../modules/users/index.ts";
import { teamsRouter } from "../modules/teams/index.ts";
import { apiKeysRouter } from "../modules/apikeys/index.ts";
import { auditRouter } from "../modules/audit/index.ts";
import { budgetsRouter } from "../modules/budgets/index.ts";
import { providersRouter, modelsRouter } from "../modules/providers/index.ts";
import { gatewayRouter } from "../modules/gateway/index.ts";
import { usageRouter } from "../modules/usage/index.ts";
import { mcpRouter } from "../modules/mcp/index.ts";
import { workflowsRouter } from "../modules/workflows/index.ts";
import { runsRouter } from "../modules/runs/index.ts";
import { agentsRouter } from "../modules/agents/index.ts";
import { nodesRouter } from "../modules/nodes/index.ts";

export const appRouter = router({
  account: accountRouter,
  users: usersRouter,
  teams: teamsRouter,
  apiKeys: apiKeysRouter,
  audit: auditRouter,
  budgets: budgetsRouter,
  providers: providersRouter,
  models: modelsRouter,
  gateway: gatewayRouter,
  usage: usageRouter,
  mcp: mcpRouter,
  workflows: workflowsRouter,
  runs: runsRouter,
  agents: agentsRouter,
  nodes: nodesRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
