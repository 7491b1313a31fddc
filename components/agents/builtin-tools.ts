// The tools every agent may be given without any MCP server (the engine's built-ins).
export const BUILTIN_TOOLS: readonly { name: string; description: string }[] = [
  { name: "http_fetch", description: "Requests a URL allowed by the installation's HTTP allowlist." },
  { name: "memory_get", description: "Reads a value from the run's shared memory." },
  { name: "memory_set", description: "Writes a value to the run's shared memory." },
  { name: "memory_list", description: "Lists the keys in the run's shared memory." },
];

export const isBuiltinTool = (name: string) => BUILTIN_TOOLS.some((tool) => tool.name === name);
