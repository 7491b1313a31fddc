export { listApiKeys, createApiKey, revokeApiKey } from "./service.ts";
export type { KeyActor } from "./service.ts";
export { apiKeysRouter } from "./router.ts";
