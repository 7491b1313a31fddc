// MCP server shapes shared by the mcp module and the forms that edit servers, so the
// browser shows the messages the server enforces. Secrets are write-only: inputs carry
// { NAME: value }, DTOs only ever carry the names.
import { z } from "zod";
import { idSchema, teamInput } from "./schemas.ts";

export const MCP_TRANSPORTS = ["stdio", "http"] as const;
export type McpTransport = (typeof MCP_TRANSPORTS)[number];

export const MCP_TRANSPORT_LABELS: Record<McpTransport, string> = {
  stdio: "Local command (stdio)",
  http: "Remote server (streamable HTTP)",
};

/** How this process's connection to a server stands; "disabled" servers are never connected. */
export const MCP_CONNECTION_STATES = ["connected", "disconnected", "error", "disabled"] as const;
export type McpConnectionState = (typeof MCP_CONNECTION_STATES)[number];

export const MAX_MCP_SECRETS = 50;
const MAX_SECRET_NAME = 100;

export const mcpServerNameSchema = z
  .string()
  .trim()
  .min(1, "is required")
  .max(40, "must be at most 40 characters")
  .regex(
    /^[a-z0-9][a-z0-9_-]*$/,
    'may use lower-case letters, digits, "_" and "-", starting with a letter or digit: tools are addressed as "name.tool", so no ".", spaces or capitals',
  );

// The command is spawned without a shell, so there is nothing to escape; a space in a
// relative command almost always means arguments were typed into the wrong field.
const mcpCommandSchema = z
  .string()
  .trim()
  .min(1, "is required")
  .max(500, "must be at most 500 characters")
  .refine((command) => !/[\0\r\n]/.test(command), "must be a single line")
  .refine(
    (command) => command.startsWith("/") || !/\s/.test(command),
    'give the program alone (e.g. "npx" or "/usr/local/bin/server"); put its arguments in args, one per entry',
  );

const mcpArgsSchema = z
  .array(z.string().max(2000, "each argument must be at most 2000 characters").refine((arg) => !arg.includes("\0"), "arguments cannot contain NUL characters"))
  .max(100, "at most 100 arguments");

const mcpUrlSchema = z
  .string()
  .trim()
  .max(2000, "must be at most 2000 characters")
  .pipe(z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL, e.g. https://mcp.example.com/mcp" }));

const secretValueSchema = z
  .string()
  .min(1, "is empty: give a value, or null to remove the secret")
  .max(4000, "must be at most 4000 characters")
  .refine((value) => !/[\0\r\n]/.test(value), "must be a single line");

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/** What is wrong with a secret's name for the transport, or null. */
export function mcpSecretNameProblem(transport: McpTransport, name: string): string | null {
  if (name.length > MAX_SECRET_NAME) return `names must be at most ${MAX_SECRET_NAME} characters`;
  if (transport === "stdio" && !ENV_NAME.test(name)) {
    return `"${name}" is not an environment variable name: use letters, digits and "_", not starting with a digit`;
  }
  if (transport === "http" && !HEADER_NAME.test(name)) return `"${name}" is not an HTTP header name: no spaces, ":" or quotes`;
  return null;
}

/** The rules that involve more than one field; null when the configuration is complete. */
export function mcpConfigProblem(config: { transport: McpTransport; command?: string | null; url?: string | null }): { field: "command" | "url"; message: string } | null {
  if (config.transport === "stdio" && !config.command) {
    return { field: "command", message: 'A stdio server needs a command to start it, e.g. "npx" with args ["-y", "@modelcontextprotocol/server-filesystem", "/data"].' };
  }
  if (config.transport === "http" && !config.url) return { field: "url", message: "An HTTP server needs its URL, e.g. https://mcp.example.com/mcp." };
  return null;
}

type SecretEntries = Record<string, string | null>;

function checkSecrets(transport: McpTransport | undefined, secrets: SecretEntries | undefined, ctx: z.RefinementCtx) {
  if (!secrets) return;
  const names = Object.keys(secrets);
  if (names.length > MAX_MCP_SECRETS) ctx.addIssue({ code: "custom", path: ["secrets"], message: `at most ${MAX_MCP_SECRETS} secrets` });
  for (const name of names) {
    const problem = mcpSecretNameProblem(transport ?? "http", name);
    if (problem) ctx.addIssue({ code: "custom", path: ["secrets", name], message: problem });
  }
}

function checkComplete(input: { transport: McpTransport; command?: string | null; url?: string | null }, ctx: z.RefinementCtx) {
  const problem = mcpConfigProblem(input);
  if (problem) ctx.addIssue({ code: "custom", path: [problem.field], message: problem.message });
}

export const mcpServerCreateInput = teamInput
  .extend({
    name: mcpServerNameSchema,
    transport: z.enum(MCP_TRANSPORTS),
    /** stdio: the program to run (no shell). */
    command: mcpCommandSchema.optional(),
    args: mcpArgsSchema.default([]),
    /** http: the streamable-HTTP endpoint. */
    url: mcpUrlSchema.optional(),
    /** Environment variables (stdio) or HTTP headers (http). Write-only. */
    secrets: z.record(z.string(), secretValueSchema).default({}),
    enabled: z.boolean().default(true),
  })
  .superRefine((input, ctx) => {
    checkComplete(input, ctx);
    checkSecrets(input.transport, input.secrets, ctx);
  });
export type McpServerCreateInput = z.infer<typeof mcpServerCreateInput>;

export const mcpServerUpdateInput = teamInput
  .extend({
    serverId: idSchema,
    name: mcpServerNameSchema.optional(),
    transport: z.enum(MCP_TRANSPORTS).optional(),
    /** undefined keeps it; null removes it. */
    command: mcpCommandSchema.nullish(),
    args: mcpArgsSchema.optional(),
    url: mcpUrlSchema.nullish(),
    /** Omitted names keep their stored value; a value replaces it; null removes it. */
    secrets: z.record(z.string(), secretValueSchema.nullable()).optional(),
    enabled: z.boolean().optional(),
  })
  // Name checks need the transport; without it the service checks them against the saved one.
  .superRefine((input, ctx) => checkSecrets(input.transport, input.transport ? input.secrets : undefined, ctx));
export type McpServerUpdateInput = z.infer<typeof mcpServerUpdateInput>;

export const mcpServerTargetInput = teamInput.extend({ serverId: idSchema });
export type McpServerTargetInput = z.infer<typeof mcpServerTargetInput>;

/** An unsaved configuration, so the Add and Edit forms can test before saving. */
export const mcpServerDraftSchema = z
  .object({
    transport: z.enum(MCP_TRANSPORTS),
    command: mcpCommandSchema.nullish(),
    args: mcpArgsSchema.optional(),
    url: mcpUrlSchema.nullish(),
    /** With a serverId, omitted names use the saved values and null drops one for this test. */
    secrets: z.record(z.string(), secretValueSchema.nullable()).optional(),
  })
  .superRefine((draft, ctx) => checkSecrets(draft.transport, draft.secrets, ctx));
export type McpServerDraft = z.infer<typeof mcpServerDraftSchema>;

export const mcpServerTestInput = teamInput
  .extend({
    /** A saved server; with a draft too, the draft's fields replace the saved ones for this test only. */
    serverId: idSchema.optional(),
    draft: mcpServerDraftSchema.optional(),
  })
  .refine((input) => input.serverId !== undefined || input.draft !== undefined, {
    message: "Name a saved server or give a draft configuration to test.",
    path: ["serverId"],
  });
export type McpServerTestInput = z.infer<typeof mcpServerTestInput>;

export interface McpServerDto {
  id: string;
  name: string;
  transport: McpTransport;
  command: string | null;
  args: string[];
  url: string | null;
  /** The names of the stored secrets (env vars or headers). Never their values. */
  secretNames: string[];
  enabled: boolean;
  status: McpConnectionState;
  toolCount: number;
  lastError: string | null;
  lastConnectedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface McpToolDto {
  /** The tool's own name on its server. */
  name: string;
  /** How workflows and agents address it: "server.tool". */
  qualifiedName: string;
  description: string;
  /** JSON Schema of the arguments. */
  inputSchema: Record<string, unknown>;
}

export interface McpServerToolsDto {
  serverId: string;
  server: string;
  /** live: from this process's open connection; cached: what the server listed last time it connected. */
  source: "live" | "cached";
  tools: McpToolDto[];
  lastConnectedAt: string | null;
}

export interface McpTestResultDto {
  ok: boolean;
  tools: McpToolDto[];
  latencyMs: number;
  /** Why it failed, when not ok. */
  error: string | null;
}
