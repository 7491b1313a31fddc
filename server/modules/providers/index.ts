export {
  listProviders,
  createProvider,
  updateProvider,
  removeProvider,
  testProvider,
  loadTeamGatewayConfig,
  listModels,
  upsertModel,
  resetModel,
  getGatewaySettings,
  updateGatewaySettings,
  TEST_TIMEOUT_MS,
} from "./service.ts";
export { providersRouter, modelsRouter } from "./router.ts";
