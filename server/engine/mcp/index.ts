// MCP tools: the process's manager (live connections to the teams' MCP servers) and the
// helpers the mcp module uses to store, test and describe servers.
import { db } from "../../db/client.ts";
import { peekProcessSingleton, processSingleton, setProcessSingleton } from "../../singleton.ts";
import { McpManager } from "./manager.ts";

export { McpManager, probeMcpServer, cachedTools, toToolResult, backoffDelay, type McpTool, type McpServerStatus, type McpManagerOptions } from "./manager.ts";
export {
  asTransport,
  buildConnectionConfig,
  connectionConfigFor,
  openSecrets,
  sealSecrets,
  scrubSecrets,
  secretValues,
  type McpConnectionConfig,
  type McpServerTarget,
} from "./config.ts";

const KEY = "mcpManager";

/** This process's MCP manager, on the process-wide database. */
export function mcpManager(): McpManager {
  return processSingleton(KEY, () => new McpManager({ db }));
}

/** Closes every MCP connection and stops the server processes (shutdown, tests). */
export async function stopMcpManager(): Promise<void> {
  const manager = peekProcessSingleton<McpManager>(KEY);
  setProcessSingleton(KEY, undefined);
  await manager?.close();
}
