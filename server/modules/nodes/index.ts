export { listNodes, drainNode, localEngine, toWorkerNodeDto } from "./service.ts";
export { nodesRouter } from "./router.ts";
