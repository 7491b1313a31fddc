// The tool layer a step or agent calls through: built-in tools and the team's MCP tools,
// arguments checked against each tool's schema, and every call recorded (a ToolCall row
// and a "tool.call" run event) with its arguments, result and latency.
import type { Db } from "../../db/client.ts";
import { Prisma } from "../../db/generated/client.ts";
import { VALUE_TYPES, type ValueType } from "../../shared/workflow-definition.ts";
import { recordRunEvent } from "../events.ts";
import type { RunRef } from "../memory.ts";
import { describeType, valueFits } from "../runners/type-check.ts";
import { StepError, isStepError, type RunMemory, type ToolDescriptor, type ToolInvoker, type ToolResult } from "../types.ts";
import type { Allowlist } from "./allowlist.ts";
import { BUILTIN_SERVER, BUILTIN_TOOLS, describeBuiltin, findBuiltinTool } from "./builtin.ts";

/** The team's MCP tools, named "server.tool" (the MCP manager implements this). */
export interface McpToolSource {
  list(teamId: string): Promise<ToolDescriptor[]>;
  call(teamId: string, qualifiedName: string, args: Record<string, unknown>, signal: AbortSignal): Promise<ToolResult>;
}

export interface ToolInvokerOptions {
  db: Db;
  run: RunRef;
  stepKey: string | null;
  memory: RunMemory;
  allowlist: Allowlist;
  /** Who memory writes are attributed to: the agent's slug, or the step's key. */
  actor: string;
  mcp?: McpToolSource;
}

/** Tools listed in an unknown-tool error; a model needs the names, not an endless list. */
const MAX_NAMES_LISTED = 50;

/** Is the tool named by an allowed entry: the exact name, or `server.*` for all of a server's tools? */
export function isToolAllowed(name: string, allowed: readonly string[]): boolean {
  return allowed.some((entry) => entry === name || (entry.endsWith(".*") && name.startsWith(entry.slice(0, -1))));
}

/** "server.tool" → the server and the tool's own name; built-ins have no dot. */
export function splitToolName(name: string): { server: string; tool: string } {
  const dot = name.indexOf(".");
  return dot > 0 ? { server: name.slice(0, dot), tool: name.slice(dot + 1) } : { server: BUILTIN_SERVER, tool: name };
}

type SchemaProperty = { type?: unknown; enum?: unknown };

const VALUE_TYPE_NAMES: ReadonlySet<string> = new Set(VALUE_TYPES);
const isValueType = (type: string): type is ValueType => VALUE_TYPE_NAMES.has(type);

/** A JSON Schema type: the definition's value types plus "null"; a type we do not know lets anything through. */
function hasJsonType(value: unknown, type: string): boolean {
  if (type === "null") return value === null;
  return isValueType(type) ? valueFits(value, type) : true;
}

/** What is wrong with the arguments: missing required properties, wrong top-level types or enum values. */
export function checkToolArguments(schema: Record<string, unknown>, args: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const required = Array.isArray(schema.required) ? (schema.required as unknown[]) : [];
  for (const key of required) if (typeof key === "string" && args[key] === undefined) problems.push(`${key}: missing (required)`);
  const properties = (typeof schema.properties === "object" && schema.properties !== null ? schema.properties : {}) as Record<string, SchemaProperty>;
  for (const [key, property] of Object.entries(properties)) {
    const value = args[key];
    if (value === undefined || typeof property !== "object" || property === null) continue;
    const types = typeof property.type === "string" ? [property.type] : Array.isArray(property.type) ? (property.type as string[]) : [];
    if (types.length && !types.some((type) => hasJsonType(value, type))) {
      problems.push(`${key}: expected ${types.join(" or ")}, got ${describeType(value)}`);
    } else if (Array.isArray(property.enum) && !property.enum.includes(value)) {
      problems.push(`${key}: expected one of ${property.enum.map((option) => JSON.stringify(option)).join(", ")}`);
    }
  }
  return problems;
}

/** JSON for a nullable column. */
function nullableJson(value: unknown): Prisma.InputJsonValue | typeof Prisma.JsonNull | typeof Prisma.DbNull {
  if (value === undefined) return Prisma.DbNull;
  if (value === null) return Prisma.JsonNull;
  return JSON.parse(JSON.stringify(value)) as Prisma.InputJsonValue;
}

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function createToolInvoker(options: ToolInvokerOptions): ToolInvoker {
  const { db, run, stepKey } = options;
  const mcpTools = async () => (options.mcp ? options.mcp.list(run.teamId) : []);
  const allTools = async () => [...BUILTIN_TOOLS.map(describeBuiltin), ...(await mcpTools())];

  async function record(name: string, args: Record<string, unknown>, result: ToolResult, started: number) {
    const { server, tool } = splitToolName(name);
    const latencyMs = Math.round(performance.now() - started);
    const row = await db.toolCall.create({
      data: { teamId: run.teamId, runId: run.id, stepKey, server, tool, arguments: nullableJson(args) as Prisma.InputJsonValue, result: nullableJson(result.content), isError: result.isError, latencyMs },
      select: { id: true },
    });
    await recordRunEvent(db, { runId: run.id, teamId: run.teamId, type: "tool.call", stepKey, payload: { id: row.id, server, tool, isError: result.isError, latencyMs } });
  }

  /** Records a call refused before it ran, then throws the refusal. */
  async function refuse(name: string, args: Record<string, unknown>, started: number, error: StepError): Promise<never> {
    await record(name, args, { content: error.message, isError: true }, started);
    throw error;
  }

  async function execute(name: string, args: Record<string, unknown>, signal: AbortSignal, idempotencyKey: string): Promise<ToolResult> {
    const builtin = findBuiltinTool(name);
    if (builtin) {
      const content = await builtin.run(args, { memory: options.memory, actor: options.actor, allowlist: options.allowlist, signal, idempotencyKey });
      return { content, isError: false };
    }
    return options.mcp!.call(run.teamId, name, args, signal);
  }

  return {
    async list(allowed) {
      const tools = await allTools();
      return allowed ? tools.filter((tool) => isToolAllowed(tool.name, allowed)) : tools;
    },

    async call(name, args, { signal, idempotencyKey }) {
      const started = performance.now();
      const builtin = findBuiltinTool(name);
      const descriptor = builtin ? describeBuiltin(builtin) : name.includes(".") ? (await mcpTools()).find((tool) => tool.name === name) : undefined;
      if (!descriptor) {
        const names = (await allTools()).map((tool) => tool.name);
        const listed = names.slice(0, MAX_NAMES_LISTED).join(", ") + (names.length > MAX_NAMES_LISTED ? `, and ${names.length - MAX_NAMES_LISTED} more` : "");
        return refuse(name, args, started, new StepError(`Unknown tool "${name}". Available tools: ${listed}.`, { code: "UNKNOWN_TOOL" }));
      }
      const problems = checkToolArguments(descriptor.inputSchema, args);
      if (problems.length) {
        return refuse(name, args, started, new StepError(`Invalid arguments for the tool ${name}: ${problems.join("; ")}.`, { code: "BAD_TOOL_ARGUMENTS" }));
      }
      let result: ToolResult;
      try {
        result = await execute(name, args, signal, idempotencyKey);
      } catch (error) {
        if (signal.aborted) throw new StepError(`The tool ${name} was cancelled.`, { code: "CANCELLED", cause: error });
        result = { content: errorMessage(error), isError: true };
        // A tool server that is down (or died mid-call) is worth another attempt of the step;
        // any other failure is an answer the caller can act on (an agent may try otherwise).
        if (isStepError(error) && error.retryable) {
          await record(name, args, result, started);
          throw error;
        }
      }
      await record(name, args, result, started);
      return result;
    },
  };
}
