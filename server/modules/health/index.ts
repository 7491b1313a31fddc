export { checkHealth } from "./service.ts";
export type { HealthProbe } from "./service.ts";
