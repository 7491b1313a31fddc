export { listAgents, getAgent, createAgent, updateAgent, removeAgent } from "./service.ts";
export { agentsRouter } from "./router.ts";
