// The tools every run has without any MCP server: reaching allowed URLs and the run's
// shared memory. Descriptions and schemas are written for a model to read.
import { decodeHttpBody, sendHttpRequest, type HttpResponseData } from "../runners/http.ts";
import type { RunMemory, ToolDescriptor } from "../types.ts";
import type { Allowlist } from "./allowlist.ts";

/** What built-in tools record as their server in ToolCall rows. */
export const BUILTIN_SERVER = "builtin";
/** A model reads the body: more than this costs tokens without helping it. */
export const HTTP_FETCH_MAX_BODY_BYTES = 100 * 1024;

export interface BuiltinToolContext {
  memory: RunMemory;
  /** Who memory writes are attributed to: the agent, or the step. */
  actor: string;
  allowlist: Allowlist;
  signal: AbortSignal;
  idempotencyKey: string;
}

export interface BuiltinTool extends ToolDescriptor {
  /** Throws when the tool fails; the invoker turns that into an error result. */
  run(args: Record<string, unknown>, context: BuiltinToolContext): Promise<unknown>;
}

const bodyText = (response: HttpResponseData) => {
  const decoded = decodeHttpBody(response);
  return typeof decoded === "string" ? decoded : JSON.stringify(decoded);
};

const httpFetch: BuiltinTool = {
  name: "http_fetch",
  description:
    "Sends an HTTP request and returns the response status and body as text (at most 100 kB; longer bodies are cut and marked truncated). " +
    "Only hosts on the workspace's allow-list can be reached. An error status (4xx, 5xx) is returned like any other status.",
  inputSchema: {
    type: "object",
    properties: {
      url: { type: "string", description: "The absolute http:// or https:// URL to request." },
      method: { type: "string", enum: ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"], description: "The HTTP method; GET when omitted." },
      headers: { type: "object", additionalProperties: { type: "string" }, description: "Request headers, name to value." },
      body: { description: "The request body: a string is sent as it is, any other value as JSON. Not allowed with GET or HEAD." },
    },
    required: ["url"],
    additionalProperties: false,
  },
  async run(args, context) {
    const response = await sendHttpRequest(
      {
        method: typeof args.method === "string" ? args.method : "GET",
        url: String(args.url),
        headers: args.headers as Record<string, string> | undefined,
        body: args.body,
      },
      { allowlist: context.allowlist, signal: context.signal, idempotencyKey: context.idempotencyKey, maxBodyBytes: HTTP_FETCH_MAX_BODY_BYTES, overflow: "truncate" },
    );
    return { status: response.status, body: bodyText(response), ...(response.truncated ? { truncated: true } : {}) };
  },
};

const memoryGet: BuiltinTool = {
  name: "memory_get",
  description: "Reads a value from the run's shared memory, which every step and agent of this run can read and write. Returns found: false when nothing is stored under the key.",
  inputSchema: {
    type: "object",
    properties: { key: { type: "string", description: "The key to read (1 to 200 characters)." } },
    required: ["key"],
    additionalProperties: false,
  },
  async run(args, context) {
    const key = String(args.key);
    const value = await context.memory.get(key);
    return { key, found: value !== undefined, value: value ?? null };
  },
};

const memorySet: BuiltinTool = {
  name: "memory_set",
  description:
    "Stores a JSON value in the run's shared memory under a key, replacing any value there, so later steps and other agents can read it. Values are limited to 256 kB.",
  inputSchema: {
    type: "object",
    properties: {
      key: { type: "string", description: "The key to write (1 to 200 characters)." },
      value: { description: "Any JSON value: text, number, boolean, list or object." },
    },
    required: ["key", "value"],
    additionalProperties: false,
  },
  async run(args, context) {
    const key = String(args.key);
    await context.memory.set(key, args.value, context.actor);
    return { key, stored: true };
  },
};

const memoryList: BuiltinTool = {
  name: "memory_list",
  description: "Lists the keys in the run's shared memory and who wrote each one; read a value with memory_get.",
  inputSchema: { type: "object", properties: {}, additionalProperties: false },
  async run(_args, context) {
    const entries = await context.memory.entries();
    return { entries: entries.map(({ key, writtenBy }) => ({ key, writtenBy })) };
  },
};

export const BUILTIN_TOOLS: readonly BuiltinTool[] = [httpFetch, memoryGet, memorySet, memoryList];

export const findBuiltinTool = (name: string) => BUILTIN_TOOLS.find((tool) => tool.name === name);

/** The model-facing part of a built-in tool. */
export const describeBuiltin = ({ name, description, inputSchema }: BuiltinTool): ToolDescriptor => ({ name, description, inputSchema });
