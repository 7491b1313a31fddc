export { listMcpServers, createMcpServer, updateMcpServer, removeMcpServer, testMcpServer, getMcpServerTools, TEST_TIMEOUT_MS, type McpConnections } from "./service.ts";
export { mcpRouter } from "./router.ts";
