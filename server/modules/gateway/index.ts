export { gatewayRouter } from "./router.ts";
export { gatewayServices, stopGatewayServices } from "./runtime.ts";
export { toCallMetaDto, toDomainError } from "./service.ts";
