// The /v1 wire layer against the official `openai` SDK itself: request bodies are the JSON
// the SDK really sends (captured from its fetch), and responses and SSE streams are fed back
// through the SDK's own parsing and stream accumulation. If these pass, a stock OpenAI
// client pointed at Maestro works unchanged.
import OpenAI, { APIError } from "openai";
import { describe, expect, it } from "vitest";
import { ForbiddenError, NotFoundError, PayloadTooLargeError, RateLimitedError, UnauthorizedError, ValidationError } from "../errors.ts";
import { ProviderError, type ProviderErrorKind } from "./errors.ts";
import type { CallMeta, GatewayStreamEvent } from "./gateway-types.ts";
import {
  SSE_DONE,
  WireError,
  createChunkEncoder,
  encodeStreamError,
  errorBody,
  parseChatCompletionRequest,
  retryAfterSeconds,
  toChatCompletion,
  toModelList,
  type ParsedChatCompletionRequest,
} from "./openai-wire.ts";
import type { ChatResponse } from "./types.ts";

// ---------------------------------------------------------------------------------
// Fixtures

const CREATED = 1_760_000_000;

const META: CallMeta = {
  providerId: "prov_1",
  providerName: "openai-main",
  providerKind: "openai",
  model: "gpt-4o-mini",
  usage: { inputTokens: 12, outputTokens: 5, cachedInputTokens: 4 },
  costNano: 1_500,
  latencyMs: 42,
  cacheHit: false,
  attempts: [
    { target: "anthropic/claude-haiku", outcome: "error", errorKind: "server", latencyMs: 10 },
    { target: "openai-main/gpt-4o-mini", outcome: "ok", latencyMs: 30 },
  ],
  strategy: "fallback",
};

const WEATHER_TOOL = {
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "Weather for a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};

function response(overrides: Partial<ChatResponse> = {}): ChatResponse {
  return {
    id: "chatcmpl-vendor-1",
    model: "gpt-4o-mini-2024-07-18",
    content: "Hello there.",
    toolCalls: [],
    finishReason: "stop",
    usage: { inputTokens: 12, outputTokens: 5, cachedInputTokens: 4 },
    ...overrides,
  };
}

// ---------------------------------------------------------------------------------
// The SDK on a loopback fetch

type Handler = (url: string, init: RequestInit) => Response | Promise<Response>;

function sdk(handler: Handler): OpenAI {
  return new OpenAI({
    apiKey: "mae_test_key",
    baseURL: "http://maestro.test/v1",
    organization: null,
    project: null,
    maxRetries: 0,
    logLevel: "off",
    fetch: async (url, init) => handler(String(url), init ?? {}),
  });
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

/** An SSE body delivered in awkward pieces (each chunk split in two), as a network would. */
function sseResponse(pieces: string[]): Response {
  const bytes = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const piece of pieces) {
        const cut = Math.floor(piece.length / 2);
        controller.enqueue(bytes.encode(piece.slice(0, cut)));
        controller.enqueue(bytes.encode(piece.slice(cut)));
      }
      controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { "content-type": "text/event-stream" } });
}

/** The JSON body the SDK sends for a call (the call itself gets a throwaway answer). */
async function sentBody(call: (client: OpenAI) => Promise<unknown>): Promise<unknown> {
  let body: unknown;
  await call(
    sdk((_url, init) => {
      body = JSON.parse(String(init.body));
      return json(200, toChatCompletion({ response: response(), meta: META }, CREATED));
    }),
  );
  return body;
}

/** The parsed form of what the SDK sends for a call. */
async function parsedFromSdk(call: (client: OpenAI) => Promise<unknown>): Promise<ParsedChatCompletionRequest> {
  return parseChatCompletionRequest(await sentBody(call));
}

type Script = { result: ChatResponse; meta?: CallMeta } | { events: GatewayStreamEvent[] };

/**
 * A miniature /v1/chat/completions built only from this module's functions, the way the
 * real handler uses them: parse, answer (JSON or SSE), or errorBody on failure.
 */
function gateway(script: (parsed: ParsedChatCompletionRequest) => Script, seen: ParsedChatCompletionRequest[] = []): OpenAI {
  return sdk((url, init) => {
    try {
      if (!url.endsWith("/chat/completions")) throw new Error(`unexpected ${url}`);
      const parsed = parseChatCompletionRequest(JSON.parse(String(init.body)));
      seen.push(parsed);
      const answer = script(parsed);
      if ("result" in answer) return json(200, toChatCompletion({ response: answer.result, meta: answer.meta ?? META }, CREATED));
      const encoder = createChunkEncoder({ id: "chatcmpl-maestro-1", created: CREATED, model: parsed.request.model ?? "auto", includeUsage: parsed.includeUsage });
      const pieces = answer.events.map((event) => encoder.encode(event)).filter(Boolean);
      return sseResponse([...pieces, SSE_DONE]);
    } catch (error) {
      const { status, body, headers } = errorBody(error);
      return json(status, body, headers);
    }
  });
}

/** What the SDK's create({stream:true}) hands a client, chunk by chunk. */
async function chunksOf(stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>) {
  const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

/** Parses the encoder's SSE text back into chunk objects (minus the [DONE] line). */
function decode(text: string): Record<string, unknown>[] {
  return text
    .split("\n\n")
    .filter((line) => line && line !== "data: [DONE]")
    .map((line) => {
      expect(line.startsWith("data: ")).toBe(true);
      return JSON.parse(line.slice(6)) as Record<string, unknown>;
    });
}

function wireError(fn: () => unknown): WireError {
  try {
    fn();
  } catch (error) {
    if (error instanceof WireError) return error;
    throw error;
  }
  throw new Error("expected a WireError");
}

const ASK = { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] };

// ---------------------------------------------------------------------------------
// Requests

describe("parseChatCompletionRequest: bodies as the openai SDK sends them", () => {
  it("translates a plain chat with every sampling option", async () => {
    const parsed = await parsedFromSdk((client) =>
      client.chat.completions.create({
        model: "gpt-4o-mini",
        messages: [
          { role: "system", content: "Be brief." },
          { role: "developer", content: "Answer in English." },
          { role: "user", content: "hello there", name: "ada" },
        ],
        temperature: 0.2,
        top_p: 0.9,
        max_tokens: 50,
        stop: "END",
        user: "user-123",
        seed: 7,
        n: 1,
        presence_penalty: 0.1,
        logit_bias: { "50256": -100 },
        metadata: { team: "x" },
      }),
    );
    expect(parsed).toEqual({
      stream: false,
      includeUsage: false,
      request: {
        model: "gpt-4o-mini",
        messages: [
          { role: "system", content: "Be brief." },
          { role: "system", content: "Answer in English." },
          { role: "user", content: "hello there" },
        ],
        temperature: 0.2,
        topP: 0.9,
        maxTokens: 50,
        stop: ["END"],
      },
    });
  });

  it("translates a tool conversation: tools, tool_choice, assistant tool_calls and tool results", async () => {
    const parsed = await parsedFromSdk((client) =>
      client.chat.completions.create({
        model: "auto",
        messages: [
          { role: "user", content: "Weather in Paris and Oslo?" },
          {
            role: "assistant",
            content: null,
            tool_calls: [
              { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
              { id: "call_2", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } },
            ],
          },
          { role: "tool", tool_call_id: "call_2", content: '{"temp":3}' },
          { role: "tool", tool_call_id: "call_1", content: [{ type: "text", text: '{"temp":' }, { type: "text", text: "18}" }] },
          { role: "assistant", content: "Paris 18, Oslo 3." },
          { role: "user", content: "Thanks" },
        ],
        tools: [WEATHER_TOOL, { type: "function", function: { name: "noop" } }],
        tool_choice: { type: "function", function: { name: "get_weather" } },
        parallel_tool_calls: true,
        max_completion_tokens: 200,
      }),
    );
    expect(parsed.request).toEqual({
      model: "auto",
      messages: [
        { role: "user", content: "Weather in Paris and Oslo?" },
        {
          role: "assistant",
          content: "",
          toolCalls: [
            { id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' },
            { id: "call_2", name: "get_weather", arguments: '{"city":"Oslo"}' },
          ],
        },
        { role: "tool", toolCallId: "call_2", content: '{"temp":3}' },
        { role: "tool", toolCallId: "call_1", content: '{"temp":18}' },
        { role: "assistant", content: "Paris 18, Oslo 3." },
        { role: "user", content: "Thanks" },
      ],
      tools: [
        { name: "get_weather", description: "Weather for a city", parameters: WEATHER_TOOL.function.parameters },
        { name: "noop", parameters: { type: "object", properties: {} } },
      ],
      toolChoice: { name: "get_weather" },
      maxTokens: 200,
    });
  });

  it("concatenates text parts and keeps refusals from earlier assistant turns", async () => {
    const parsed = await parsedFromSdk((client) =>
      client.chat.completions.create({
        model: "gpt-4o",
        messages: [
          { role: "system", content: [{ type: "text", text: "You are " }, { type: "text", text: "terse." }] },
          { role: "user", content: [{ type: "text", text: "Say something rude." }] },
          { role: "assistant", content: [{ type: "refusal", refusal: "I can't help with that." }] },
          { role: "assistant", content: null, refusal: "Still no." },
          { role: "user", content: "ok" },
        ],
      }),
    );
    expect(parsed.request.messages).toEqual([
      { role: "system", content: "You are terse." },
      { role: "user", content: "Say something rude." },
      { role: "assistant", content: "I can't help with that." },
      { role: "assistant", content: "Still no." },
      { role: "user", content: "ok" },
    ]);
  });

  it("reads stream and stream_options.include_usage", async () => {
    const noUsage = parseChatCompletionRequest({ ...ASK, stream: true });
    expect(noUsage).toMatchObject({ stream: true, includeUsage: false });
    const withUsage = parseChatCompletionRequest({ ...ASK, stream: true, stream_options: { include_usage: true } });
    expect(withUsage).toMatchObject({ stream: true, includeUsage: true });
    // include_usage means nothing without a stream.
    expect(parseChatCompletionRequest({ ...ASK, stream: false, stream_options: { include_usage: true } })).toMatchObject({ stream: false, includeUsage: false });

    let body: unknown;
    await sdk((_url, init) => {
      body = JSON.parse(String(init.body));
      return sseResponse([SSE_DONE]);
    }).chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], stream: true, stream_options: { include_usage: true } });
    expect(parseChatCompletionRequest(body)).toMatchObject({ stream: true, includeUsage: true });
  });

  it("maps response_format: json_object and json_schema to json, text to text", () => {
    const format = (response_format: unknown) => parseChatCompletionRequest({ ...ASK, response_format }).request.responseFormat;
    expect(format({ type: "json_object" })).toBe("json");
    expect(format({ type: "json_schema", json_schema: { name: "answer", schema: { type: "object" }, strict: true } })).toBe("json");
    expect(format({ type: "text" })).toBe("text");
    expect(format(null)).toBeUndefined();
  });

  it("prefers max_completion_tokens over max_tokens and ignores nulls and unknown fields", () => {
    const { request } = parseChatCompletionRequest({
      ...ASK,
      max_tokens: 10,
      max_completion_tokens: 20,
      temperature: null,
      top_p: null,
      stop: null,
      tools: null,
      tool_choice: null,
      stream: null,
      n: null,
      reasoning_effort: "low",
      store: false,
      something_new: { nested: true },
    });
    expect(request).toEqual({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], maxTokens: 20 });
  });

  it("drops tool_choice auto/none when there are no tools, and empty tools and stop lists", () => {
    expect(parseChatCompletionRequest({ ...ASK, tool_choice: "auto" }).request.toolChoice).toBeUndefined();
    expect(parseChatCompletionRequest({ ...ASK, tool_choice: "none", tools: [] }).request).toEqual({ model: "gpt-4o-mini", messages: ASK.messages });
    expect(parseChatCompletionRequest({ ...ASK, stop: [] }).request.stop).toBeUndefined();
    expect(parseChatCompletionRequest({ ...ASK, tools: [WEATHER_TOOL], tool_choice: "required" }).request.toolChoice).toBe("required");
  });

  it("reads Maestro's routing extension from the body, as the SDK passes it through", async () => {
    const params = {
      model: "auto",
      messages: [{ role: "user" as const, content: "review this" }],
      maestro: { strategy: "cost", preset: "code-review", fallback: ["anthropic/claude-haiku", "gpt-4o-mini"], cache: false },
    };
    const parsed = await parsedFromSdk((client) => client.chat.completions.create(params));
    expect(parsed.request).toMatchObject({ model: "auto", strategy: "cost", preset: "code-review", fallback: ["anthropic/claude-haiku", "gpt-4o-mini"], cache: false });
    expect(parseChatCompletionRequest({ ...ASK, maestro: {} }).request).toEqual({ model: "gpt-4o-mini", messages: ASK.messages });
  });
});

describe("parseChatCompletionRequest: invalid bodies name the parameter", () => {
  const user = { role: "user", content: "hi" };
  const callMessage = { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "f", arguments: "{}" } }] };
  const cases: [string, unknown, { code: string | null; param: string | null; message: string | RegExp; status?: number }][] = [
    ["a body that is not an object", [ASK], { code: "invalid_type", param: null, message: "The request body must be a JSON object." }],
    ["null", null, { code: "invalid_type", param: null, message: "The request body must be a JSON object." }],
    ["no model", { messages: [user] }, { code: "missing_required_parameter", param: "model", message: "Missing required parameter: 'model'." }],
    ["an empty model", { ...ASK, model: "" }, { code: "empty_string", param: "model", message: /^Invalid 'model': empty string/ }],
    ["a numeric model", { ...ASK, model: 4 }, { code: "invalid_type", param: "model", message: "Invalid type for 'model': expected a string, but got an integer instead." }],
    ["no messages", { model: "m" }, { code: "missing_required_parameter", param: "messages", message: "Missing required parameter: 'messages'." }],
    [
      "empty messages",
      { model: "m", messages: [] },
      { code: "empty_array", param: "messages", message: "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead." },
    ],
    ["messages as a string", { model: "m", messages: "hi" }, { code: "invalid_type", param: "messages", message: "Invalid type for 'messages': expected an array, but got a string instead." }],
    [
      "an unknown role",
      { model: "m", messages: [user, { role: "function", content: "x" }] },
      { code: "invalid_value", param: "messages[1].role", message: "Invalid value: 'function'. Supported values are: 'system', 'developer', 'user', 'assistant', and 'tool'." },
    ],
    ["a missing role", { model: "m", messages: [{ content: "x" }] }, { code: "missing_required_parameter", param: "messages[0].role", message: "Missing required parameter: 'messages[0].role'." }],
    ["a message that is not an object", { model: "m", messages: ["hi"] }, { code: "invalid_type", param: "messages[0]", message: "Invalid type for 'messages[0]': expected an object, but got a string instead." }],
    [
      "numeric content",
      { model: "m", messages: [{ role: "user", content: 5 }] },
      { code: "invalid_type", param: "messages[0].content", message: "Invalid type for 'messages[0].content': expected one of a string or an array, but got an integer instead." },
    ],
    ["missing user content", { model: "m", messages: [{ role: "user" }] }, { code: "missing_required_parameter", param: "messages[0].content", message: "Missing required parameter: 'messages[0].content'." }],
    ["an empty parts array", { model: "m", messages: [{ role: "user", content: [] }] }, { code: "empty_array", param: "messages[0].content", message: /^Invalid 'messages\[0\].content': empty array/ }],
    [
      "a text part without text",
      { model: "m", messages: [{ role: "user", content: [{ type: "text" }] }] },
      { code: "missing_required_parameter", param: "messages[0].content[0].text", message: "Missing required parameter: 'messages[0].content[0].text'." },
    ],
    [
      "an unknown part type",
      { model: "m", messages: [{ role: "user", content: [{ type: "text", text: "a" }, { type: "video" }] }] },
      { code: "invalid_value", param: "messages[0].content[1].type", message: /^Invalid value: 'video'\. Supported values are: 'text'/ },
    ],
    [
      "an image part",
      { model: "m", messages: [{ role: "user", content: [{ type: "text", text: "what is this?" }, { type: "image_url", image_url: { url: "https://x/cat.png" } }] }] },
      { code: "unsupported_value", param: "messages[0].content[1].type", message: "Invalid 'messages[0].content[1]': image input is not supported by this gateway yet." },
    ],
    [
      "an audio part",
      { model: "m", messages: [{ role: "user", content: [{ type: "input_audio", input_audio: { data: "", format: "wav" } }] }] },
      { code: "unsupported_value", param: "messages[0].content[0].type", message: /audio input is not supported by this gateway yet/ },
    ],
    [
      "an image in a system message",
      { model: "m", messages: [{ role: "system", content: [{ type: "image_url", image_url: { url: "x" } }] }, user] },
      { code: "invalid_value", param: "messages[0].content[0].type", message: "Invalid value: 'image_url'. Supported values are: 'text'." },
    ],
    [
      "a tool message without tool_call_id",
      { model: "m", messages: [user, callMessage, { role: "tool", content: "x" }] },
      { code: "missing_required_parameter", param: "messages[2].tool_call_id", message: "Missing required parameter: 'messages[2].tool_call_id'." },
    ],
    [
      "a tool message answering no call",
      { model: "m", messages: [user, callMessage, { role: "tool", tool_call_id: "call_9", content: "x" }] },
      { code: "invalid_value", param: "messages[2].tool_call_id", message: /must be a response to a preceding message with 'tool_calls'.*'call_9'/ },
    ],
    [
      "a tool message with no call before it",
      { model: "m", messages: [user, { role: "tool", tool_call_id: "call_1", content: "x" }] },
      { code: "invalid_value", param: "messages[1].tool_call_id", message: /must be a response to a preceding message with 'tool_calls'/ },
    ],
    [
      "an unanswered tool call",
      { model: "m", messages: [user, callMessage, user] },
      { code: "invalid_value", param: "messages[1].tool_calls", message: /did not have response messages: call_1$/ },
    ],
    [
      "an assistant message with neither content nor tool calls",
      { model: "m", messages: [user, { role: "assistant" }, user] },
      { code: "missing_required_parameter", param: "messages[1].content", message: "Missing required parameter: 'messages[1].content'." },
    ],
    [
      "a custom tool call",
      { model: "m", messages: [user, { role: "assistant", tool_calls: [{ id: "c", type: "custom", custom: { name: "x", input: "" } }] }] },
      { code: "invalid_value", param: "messages[1].tool_calls[0].type", message: "Invalid value: 'custom'. Supported values are: 'function'." },
    ],
    [
      "tool call arguments that are not a string",
      { model: "m", messages: [user, { role: "assistant", tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: { a: 1 } } }] }] },
      { code: "invalid_type", param: "messages[1].tool_calls[0].function.arguments", message: /expected a string, but got an object instead/ },
    ],
    ["a custom tool", { ...ASK, tools: [{ type: "custom", custom: { name: "x" } }] }, { code: "invalid_value", param: "tools[0].type", message: "Invalid value: 'custom'. Supported values are: 'function'." }],
    ["a tool without function", { ...ASK, tools: [{ type: "function" }] }, { code: "missing_required_parameter", param: "tools[0].function", message: "Missing required parameter: 'tools[0].function'." }],
    [
      "a tool name with spaces",
      { ...ASK, tools: [{ type: "function", function: { name: "get weather" } }] },
      { code: "invalid_value", param: "tools[0].function.name", message: "Invalid 'tools[0].function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]{1,64}$'." },
    ],
    [
      "tool parameters that are not an object",
      { ...ASK, tools: [{ type: "function", function: { name: "f", parameters: "{}" } }] },
      { code: "invalid_type", param: "tools[0].function.parameters", message: /expected an object, but got a string instead/ },
    ],
    [
      "an unknown tool_choice",
      { ...ASK, tools: [WEATHER_TOOL], tool_choice: "sometimes" },
      { code: "invalid_value", param: "tool_choice", message: "Invalid value: 'sometimes'. Supported values are: 'none', 'auto', and 'required'." },
    ],
    [
      "a tool_choice object without function",
      { ...ASK, tools: [WEATHER_TOOL], tool_choice: { type: "function" } },
      { code: "missing_required_parameter", param: "tool_choice.function", message: "Missing required parameter: 'tool_choice.function'." },
    ],
    [
      "a numeric tool_choice",
      { ...ASK, tools: [WEATHER_TOOL], tool_choice: 1 },
      { code: "invalid_type", param: "tool_choice", message: "Invalid type for 'tool_choice': expected one of a string or an object, but got an integer instead." },
    ],
    [
      "tool_choice required without tools",
      { ...ASK, tool_choice: "required" },
      { code: "invalid_value", param: "tool_choice", message: "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified." },
    ],
    [
      "tool_choice naming a function that is not a tool",
      { ...ASK, tools: [WEATHER_TOOL], tool_choice: { type: "function", function: { name: "get_time" } } },
      { code: "invalid_value", param: "tool_choice.function.name", message: "Invalid value for 'tool_choice': function 'get_time' is not one of the 'tools'." },
    ],
    [
      "an unknown response_format",
      { ...ASK, response_format: { type: "xml" } },
      { code: "invalid_value", param: "response_format.type", message: "Invalid value: 'xml'. Supported values are: 'text', 'json_object', and 'json_schema'." },
    ],
    [
      "a json_schema format without json_schema",
      { ...ASK, response_format: { type: "json_schema" } },
      { code: "missing_required_parameter", param: "response_format.json_schema", message: "Missing required parameter: 'response_format.json_schema'." },
    ],
    [
      "temperature above 2",
      { ...ASK, temperature: 2.5 },
      { code: "decimal_above_max_value", param: "temperature", message: "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 2.5 instead." },
    ],
    [
      "a negative temperature",
      { ...ASK, temperature: -1 },
      { code: "integer_below_min_value", param: "temperature", message: "Invalid 'temperature': integer below minimum value. Expected a value >= 0, but got -1 instead." },
    ],
    ["a string temperature", { ...ASK, temperature: "hot" }, { code: "invalid_type", param: "temperature", message: "Invalid type for 'temperature': expected a number, but got a string instead." }],
    ["top_p above 1", { ...ASK, top_p: 1.5 }, { code: "decimal_above_max_value", param: "top_p", message: /Expected a value <= 1, but got 1.5 instead/ }],
    ["max_tokens of 0", { ...ASK, max_tokens: 0 }, { code: "integer_below_min_value", param: "max_tokens", message: /Expected a value >= 1, but got 0 instead/ }],
    [
      "fractional max_completion_tokens",
      { ...ASK, max_completion_tokens: 1.5 },
      { code: "invalid_type", param: "max_completion_tokens", message: "Invalid type for 'max_completion_tokens': expected an integer, but got a decimal instead." },
    ],
    ["a numeric stop", { ...ASK, stop: 5 }, { code: "invalid_type", param: "stop", message: /expected one of a string or an array, but got an integer instead/ }],
    ["a stop list with a number", { ...ASK, stop: ["a", 5] }, { code: "invalid_type", param: "stop[1]", message: /expected a string, but got an integer instead/ }],
    ["n of 2", { ...ASK, n: 2 }, { code: "unsupported_value", param: "n", message: /'n' must be 1 \(got 2\)/ }],
    ["stream as a string", { ...ASK, stream: "yes" }, { code: "invalid_type", param: "stream", message: "Invalid type for 'stream': expected a boolean, but got a string instead." }],
    [
      "an unknown strategy",
      { ...ASK, maestro: { strategy: "fastest" } },
      { code: "invalid_value", param: "maestro.strategy", message: "Invalid value: 'fastest'. Supported values are: 'primary', 'cost', 'latency', and 'fallback'." },
    ],
    ["an unknown preset", { ...ASK, maestro: { preset: "poetry" } }, { code: "invalid_value", param: "maestro.preset", message: /^Invalid value: 'poetry'\. Supported values are: 'chat', 'code-generation'/ }],
    ["a misspelt extension key", { ...ASK, maestro: { stratgy: "cost" } }, { code: "unknown_parameter", param: "maestro.stratgy", message: "Unrecognized request argument supplied: maestro.stratgy" }],
    ["an empty fallback entry", { ...ASK, maestro: { fallback: ["gpt-4o", ""] } }, { code: "empty_string", param: "maestro.fallback[1]", message: /^Invalid 'maestro.fallback\[1\]': empty string/ }],
    ["a string cache flag", { ...ASK, maestro: { cache: "yes" } }, { code: "invalid_type", param: "maestro.cache", message: "Invalid type for 'maestro.cache': expected a boolean, but got a string instead." }],
  ];

  it.each(cases)("rejects %s", (_name, body, expected) => {
    const error = wireError(() => parseChatCompletionRequest(body));
    expect({ status: error.status, type: error.type, code: error.code, param: error.param }).toEqual({
      status: expected.status ?? 400,
      type: "invalid_request_error",
      code: expected.code,
      param: expected.param,
    });
    if (typeof expected.message === "string") expect(error.message).toBe(expected.message);
    else expect(error.message).toMatch(expected.message);
  });

  it("reaches an SDK caller as a BadRequestError with param and code", async () => {
    const client = gateway(() => ({ result: response() }));
    const error = await client.chat.completions
      .create({ model: "gpt-4o-mini", messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://x/cat.png" } }] }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, type: "invalid_request_error", code: "unsupported_value", param: "messages[0].content[0].type" });
    expect((error as Error).message).toContain("image input is not supported by this gateway yet");
  });
});

// ---------------------------------------------------------------------------------
// Responses

describe("toChatCompletion", () => {
  it("builds OpenAI's chat.completion with usage and Maestro's metadata", () => {
    expect(toChatCompletion({ response: response(), meta: META }, CREATED)).toEqual({
      id: "chatcmpl-vendor-1",
      object: "chat.completion",
      created: CREATED,
      model: "gpt-4o-mini",
      choices: [{ index: 0, message: { role: "assistant", content: "Hello there.", refusal: null }, logprobs: null, finish_reason: "stop" }],
      usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17, prompt_tokens_details: { cached_tokens: 4 } },
      maestro: { provider: "openai-main", cost_usd: 0.0000015, latency_ms: 42, cache_hit: false, attempts: 2 },
    });
  });

  it("answers a pure tool call with content null and typed tool_calls", () => {
    const completion = toChatCompletion(
      {
        response: response({ content: "", finishReason: "tool_calls", toolCalls: [{ id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' }] }),
        meta: { ...META, cacheHit: true, costNano: 0 },
      },
      CREATED,
    );
    expect(completion.choices[0]).toEqual({
      index: 0,
      message: {
        role: "assistant",
        content: null,
        refusal: null,
        tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }],
      },
      logprobs: null,
      finish_reason: "tool_calls",
    });
    expect(completion.maestro).toMatchObject({ cache_hit: true, cost_usd: 0 });
  });

  it("round-trips through the SDK: text answer, then a tool call and its result", async () => {
    const seen: ParsedChatCompletionRequest[] = [];
    const client = gateway(
      ({ request }) =>
        request.messages.at(-1)?.role === "tool"
          ? { result: response({ content: "It is 18 degrees in Paris." }) }
          : { result: response({ content: "", finishReason: "tool_calls", toolCalls: [{ id: "call_abc", name: "get_weather", arguments: '{"city":"Paris"}' }] }) },
      seen,
    );
    const first = await client.chat.completions.create({ model: "auto", messages: [{ role: "user", content: "Weather in Paris?" }], tools: [WEATHER_TOOL] });
    const message = first.choices[0]!.message;
    expect(first.choices[0]!.finish_reason).toBe("tool_calls");
    expect(message.content).toBeNull();
    expect(message.tool_calls).toEqual([{ id: "call_abc", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }]);
    expect(first.model).toBe("gpt-4o-mini");
    expect((first as unknown as { maestro: unknown }).maestro).toEqual({ provider: "openai-main", cost_usd: 0.0000015, latency_ms: 42, cache_hit: false, attempts: 2 });

    // The usual client loop: send the assistant message back as is, then the tool's answer.
    const second = await client.chat.completions.create({
      model: "auto",
      messages: [{ role: "user", content: "Weather in Paris?" }, message, { role: "tool", tool_call_id: "call_abc", content: '{"temp":18}' }],
      tools: [WEATHER_TOOL],
    });
    expect(second.choices[0]!.message.content).toBe("It is 18 degrees in Paris.");
    expect(second.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 5, total_tokens: 17, prompt_tokens_details: { cached_tokens: 4 } });
    expect(seen[1]!.request.messages).toEqual([
      { role: "user", content: "Weather in Paris?" },
      { role: "assistant", content: "", toolCalls: [{ id: "call_abc", name: "get_weather", arguments: '{"city":"Paris"}' }] },
      { role: "tool", toolCallId: "call_abc", content: '{"temp":18}' },
    ]);
  });
});

// ---------------------------------------------------------------------------------
// Streaming

const TEXT_EVENTS: GatewayStreamEvent[] = [
  { type: "text-delta", text: "Hel" },
  { type: "text-delta", text: 'lo "world"\n' },
  { type: "text-delta", text: "— ünïcode 🎵" },
  { type: "usage", usage: { inputTokens: 9, outputTokens: 4, cachedInputTokens: 0 } },
  { type: "finish", reason: "stop", id: "chatcmpl-vendor-9", model: "gpt-4o-mini-2024-07-18" },
  { type: "meta", meta: META },
];

const TOOL_EVENTS: GatewayStreamEvent[] = [
  { type: "text-delta", text: "Checking both." },
  { type: "tool-call-delta", index: 0, id: "call_p", name: "get_weather", argumentsDelta: "" },
  { type: "tool-call-delta", index: 0, argumentsDelta: '{"ci' },
  { type: "tool-call-delta", index: 0, argumentsDelta: 'ty":"Paris"}' },
  { type: "tool-call-delta", index: 1, id: "call_o", name: "get_weather", argumentsDelta: '{"city":' },
  { type: "tool-call-delta", index: 1, argumentsDelta: '"Oslo"}' },
  { type: "usage", usage: { inputTokens: 30, outputTokens: 20, cachedInputTokens: 8 } },
  { type: "finish", reason: "tool_calls", id: "msg_01", model: "claude-haiku-4-5" },
  { type: "meta", meta: { ...META, providerName: "anthropic", model: "claude-haiku-4-5", attempts: [META.attempts[0]!] } },
];

describe("createChunkEncoder", () => {
  it("writes each event as one chat.completion.chunk SSE line, role first, finish last", () => {
    const encoder = createChunkEncoder({ id: "chatcmpl-1", created: CREATED, model: "auto", includeUsage: false });
    const text = TEXT_EVENTS.map((e) => encoder.encode(e)).join("");
    expect(text.endsWith("\n\n")).toBe(true);
    const base = { id: "chatcmpl-1", object: "chat.completion.chunk", created: CREATED };
    expect(decode(text)).toEqual([
      { ...base, model: "auto", choices: [{ index: 0, delta: { role: "assistant", content: "Hel" }, logprobs: null, finish_reason: null }] },
      { ...base, model: "auto", choices: [{ index: 0, delta: { content: 'lo "world"\n' }, logprobs: null, finish_reason: null }] },
      { ...base, model: "auto", choices: [{ index: 0, delta: { content: "— ünïcode 🎵" }, logprobs: null, finish_reason: null }] },
      // Once the stream says which model answered, chunks carry it.
      { ...base, model: "gpt-4o-mini-2024-07-18", choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: "stop" }] },
    ]);
  });

  it("is byte-exact for a content chunk (the hot path builds strings by hand)", () => {
    const encoder = createChunkEncoder({ id: "chatcmpl-1", created: CREATED, model: "gpt-4o", includeUsage: true });
    expect(encoder.encode({ type: "text-delta", text: "a\u2028b" })).toBe(
      `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":${CREATED},"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":"a\u2028b"},"logprobs":null,"finish_reason":null}],"usage":null}\n\n`,
    );
    expect(encoder.encode({ type: "text-delta", text: "" })).toBe("");
    expect(encoder.encode({ type: "usage", usage: META.usage })).toBe("");
  });

  it("ends with a usage chunk carrying Maestro's metadata when include_usage was asked", () => {
    const encoder = createChunkEncoder({ id: "chatcmpl-1", created: CREATED, model: "auto", includeUsage: true });
    const chunks = decode(TEXT_EVENTS.map((e) => encoder.encode(e)).join(""));
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    expect(chunks.at(-1)).toEqual({
      id: "chatcmpl-1",
      object: "chat.completion.chunk",
      created: CREATED,
      model: "gpt-4o-mini",
      choices: [],
      // The stream's own usage event wins over the meta's.
      usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13, prompt_tokens_details: { cached_tokens: 0 } },
      maestro: { provider: "openai-main", cost_usd: 0.0000015, latency_ms: 42, cache_hit: false, attempts: 2 },
    });
  });

  it("falls back to the meta's usage, and sends the role with the finish when nothing else came", () => {
    const encoder = createChunkEncoder({ id: "c", created: CREATED, model: "m", includeUsage: true });
    const chunks = decode(
      [encoder.encode({ type: "finish", reason: "length", id: "x", model: "" }), encoder.encode({ type: "meta", meta: META })].join(""),
    );
    expect(chunks[0]).toMatchObject({ model: "m", choices: [{ delta: { role: "assistant" }, finish_reason: "length" }] });
    expect(chunks[1]).toMatchObject({ usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17, prompt_tokens_details: { cached_tokens: 4 } } });
  });

  it("writes tool call deltas with id and type on each call's first piece", () => {
    const encoder = createChunkEncoder({ id: "c", created: CREATED, model: "auto", includeUsage: false });
    const deltas = decode(TOOL_EVENTS.map((e) => encoder.encode(e)).join("")).map((c) => (c.choices as { delta: unknown }[])[0]?.delta);
    expect(deltas).toEqual([
      { role: "assistant", content: "Checking both." },
      { tool_calls: [{ index: 0, id: "call_p", type: "function", function: { name: "get_weather", arguments: "" } }] },
      { tool_calls: [{ index: 0, function: { arguments: '{"ci' } }] },
      { tool_calls: [{ index: 0, function: { arguments: 'ty":"Paris"}' } }] },
      { tool_calls: [{ index: 1, id: "call_o", type: "function", function: { name: "get_weather", arguments: '{"city":' } }] },
      { tool_calls: [{ index: 1, function: { arguments: '"Oslo"}' } }] },
      {},
    ]);
  });

  it("streams text through the SDK's create({stream:true}) with usage and metadata in the last chunk", async () => {
    const client = gateway(() => ({ events: TEXT_EVENTS }));
    const chunks = await chunksOf(
      await client.chat.completions.create({ model: "auto", messages: [{ role: "user", content: "hi" }], stream: true, stream_options: { include_usage: true } }),
    );
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe('Hello "world"\n— ünïcode 🎵');
    expect(chunks.map((c) => c.choices[0]?.finish_reason).filter(Boolean)).toEqual(["stop"]);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual({ prompt_tokens: 9, completion_tokens: 4, total_tokens: 13, prompt_tokens_details: { cached_tokens: 0 } });
    expect((last as unknown as { maestro: { provider: string } }).maestro.provider).toBe("openai-main");
  });

  it("accumulates in the SDK's chat.completions.stream() helper into the same completion a non-streamed call gives", async () => {
    const client = gateway(() => ({ events: TEXT_EVENTS }));
    const stream = client.chat.completions.stream({ model: "auto", messages: [{ role: "user", content: "hi" }], stream_options: { include_usage: true } });
    const deltas: string[] = [];
    stream.on("content.delta", ({ delta }) => deltas.push(delta));
    const final = await stream.finalChatCompletion();
    expect(deltas).toEqual(["Hel", 'lo "world"\n', "— ünïcode 🎵"]);
    expect(final.id).toBe("chatcmpl-maestro-1");
    expect(final.model).toBe("gpt-4o-mini");
    expect(final.choices).toMatchObject([
      { index: 0, finish_reason: "stop", logprobs: null, message: { role: "assistant", content: 'Hello "world"\n— ünïcode 🎵', refusal: null } },
    ]);
    expect(final.usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 });
  });

  it("streams parallel tool calls that the SDK reassembles with ids, names and full arguments", async () => {
    const client = gateway(() => ({ events: TOOL_EVENTS }));
    const stream = client.chat.completions.stream({
      model: "auto",
      messages: [{ role: "user", content: "Weather in Paris and Oslo?" }],
      tools: [WEATHER_TOOL],
      stream_options: { include_usage: true },
    });
    const done: { name: string; arguments: string }[] = [];
    stream.on("tool_calls.function.arguments.done", (event) => done.push({ name: event.name, arguments: event.arguments }));
    const final = await stream.finalChatCompletion();
    const choice = final.choices[0]!;
    expect(choice.finish_reason).toBe("tool_calls");
    expect(choice.message.content).toBe("Checking both.");
    expect(choice.message.tool_calls).toEqual([
      { id: "call_p", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
      { id: "call_o", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } },
    ]);
    expect(done.map((d) => JSON.parse(d.arguments))).toEqual([{ city: "Paris" }, { city: "Oslo" }]);
    expect(final.model).toBe("claude-haiku-4-5");
    expect(final.usage).toMatchObject({ prompt_tokens: 30, completion_tokens: 20, total_tokens: 50, prompt_tokens_details: { cached_tokens: 8 } });
  });

  it("keeps interleaved pieces of parallel calls apart", async () => {
    // OpenAI and Anthropic finish one call before starting the next, but nothing in the
    // event contract promises it.
    const interleaved: GatewayStreamEvent[] = [
      { type: "tool-call-delta", index: 0, id: "call_a", name: "get_weather", argumentsDelta: '{"city":' },
      { type: "tool-call-delta", index: 1, id: "call_b", name: "get_weather", argumentsDelta: '{"city":' },
      { type: "tool-call-delta", index: 1, argumentsDelta: '"Oslo"}' },
      { type: "tool-call-delta", index: 0, argumentsDelta: '"Paris"}' },
      { type: "finish", reason: "tool_calls", id: "x", model: "m" },
      { type: "meta", meta: META },
    ];
    const final = await gateway(() => ({ events: interleaved }))
      .chat.completions.stream({ model: "m", messages: [{ role: "user", content: "?" }], tools: [WEATHER_TOOL] })
      .finalChatCompletion();
    expect(final.choices[0]!.message.tool_calls).toEqual([
      { id: "call_a", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
      { id: "call_b", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } },
    ]);
  });

  it("gives the SDK a usable tool call when a provider sends no id and no text", async () => {
    const client = gateway(() => ({
      events: [
        { type: "tool-call-delta", index: 0, name: "get_weather", argumentsDelta: '{"city":"Rome"}' },
        { type: "finish", reason: "tool_calls", id: "x", model: "local-llama" },
        { type: "meta", meta: META },
      ],
    }));
    const final = await client.chat.completions.stream({ model: "local-llama", messages: [{ role: "user", content: "Rome?" }], tools: [WEATHER_TOOL] }).finalChatCompletion();
    const call = final.choices[0]!.message.tool_calls![0]!;
    expect(call).toMatchObject({ type: "function", function: { name: "get_weather", arguments: '{"city":"Rome"}' } });
    expect(final.choices[0]!.message).toMatchObject({ role: "assistant", content: null });
    // Without include_usage there is no usage chunk.
    expect(final.usage).toBeUndefined();
  });

  it("finishes an empty answer cleanly for the SDK", async () => {
    const client = gateway(() => ({ events: [{ type: "finish", reason: "content_filter", id: "x", model: "gpt-4o" }, { type: "meta", meta: META }] }));
    const chunks = await chunksOf(await client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }], stream: true }));
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.choices[0]).toMatchObject({ delta: { role: "assistant" }, finish_reason: "content_filter" });
  });

  it("reports an error after the stream began as an SSE error event the SDK raises", async () => {
    const encoder = createChunkEncoder({ id: "c", created: CREATED, model: "gpt-4o", includeUsage: false });
    const pieces = [encoder.encode({ type: "text-delta", text: "partial" }), encodeStreamError(new ProviderError("server", "overloaded", { provider: "openai-main" }))];
    const client = sdk(() => sseResponse(pieces));
    const seen: string[] = [];
    const error = await (async () => {
      for await (const chunk of await client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }], stream: true })) {
        seen.push(chunk.choices[0]?.delta.content ?? "");
      }
    })().catch((e: unknown) => e);
    expect(seen).toEqual(["partial"]);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toMatchObject({ type: "server_error", code: "upstream_error" });
    expect((error as Error).message).toContain('The upstream provider "openai-main" failed: overloaded');
  });
});

// ---------------------------------------------------------------------------------
// Models

describe("toModelList", () => {
  it("lists models in OpenAI's shape, readable by the SDK", async () => {
    const list = toModelList([
      { id: "gpt-4o-mini", ownedBy: "openai-main", created: 1_715_367_049 },
      { id: "anthropic/claude-haiku-4-5", ownedBy: "anthropic" },
    ]);
    expect(list).toEqual({
      object: "list",
      data: [
        { id: "gpt-4o-mini", object: "model", created: 1_715_367_049, owned_by: "openai-main" },
        { id: "anthropic/claude-haiku-4-5", object: "model", created: 0, owned_by: "anthropic" },
      ],
    });
    const client = sdk((url) => (url.endsWith("/models") ? json(200, list) : json(404, {})));
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(["gpt-4o-mini", "anthropic/claude-haiku-4-5"]);
  });
});

// ---------------------------------------------------------------------------------
// Errors

const DOMAIN_BRAND = Symbol.for("maestro.domainError");

/** A budget refusal as the budgets module throws it: a DomainError named BudgetExceededError. */
function budgetError(): Error {
  const error = Object.assign(new Error('Budget "Team monthly" (month, limit $50.0000) has $0.0000 left; this call may cost up to $0.0100.'), {
    code: "BUDGET_EXCEEDED",
    status: 429,
    budget: { id: "bud_1", name: "Team monthly" },
    [DOMAIN_BRAND]: true,
  });
  error.name = "BudgetExceededError";
  return error;
}

function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

const provider = (kind: ProviderErrorKind, message = "vendor says no", extra: { retryAfterMs?: number } = {}) =>
  new ProviderError(kind, message, { provider: "openai-main", status: 500, ...extra });

describe("errorBody", () => {
  const cases: [string, unknown, { status: number; type: string; code: string | null; param?: string | null; message: string | RegExp }][] = [
    ["a WireError as is", new WireError("Incorrect API key provided.", { status: 401, code: "invalid_api_key" }), { status: 401, type: "invalid_request_error", code: "invalid_api_key", message: "Incorrect API key provided." }],
    ["a ValidationError", new ValidationError("Name is too long."), { status: 400, type: "invalid_request_error", code: null, message: "Name is too long." }],
    ["an UnauthorizedError", new UnauthorizedError("Missing API key. Pass it as 'Authorization: Bearer <key>'."), { status: 401, type: "invalid_request_error", code: "invalid_api_key", message: /^Missing API key/ }],
    ["a ForbiddenError", new ForbiddenError("This key lacks the llm:call scope."), { status: 403, type: "permission_error", code: null, message: "This key lacks the llm:call scope." }],
    ["a NotFoundError", new NotFoundError("Model gpt-9"), { status: 404, type: "invalid_request_error", code: "model_not_found", message: "Model gpt-9 was not found." }],
    [
      "a NoRouteError",
      namedError("NoRouteError", "No enabled provider serves the model 'gpt-9'."),
      { status: 404, type: "invalid_request_error", code: "model_not_found", param: "model", message: "No enabled provider serves the model 'gpt-9'." },
    ],
    ["a RateLimitedError", new RateLimitedError("Too many requests for this key.", 30), { status: 429, type: "requests", code: "rate_limit_exceeded", message: "Too many requests for this key." }],
    ["a PayloadTooLargeError", new PayloadTooLargeError(1_048_576), { status: 413, type: "invalid_request_error", code: "request_too_large", message: /1048576 bytes/ }],
    ["a budget refusal", budgetError(), { status: 429, type: "insufficient_quota", code: "budget_exceeded", message: /^Budget "Team monthly"/ }],
    ["a provider rate limit", provider("rate_limited", "Rate limit reached for gpt-4o in organization org-secret"), { status: 429, type: "requests", code: "rate_limit_exceeded", message: /^The upstream provider "openai-main" is rate limiting/ }],
    ["a provider 5xx", provider("server", "The engine is overloaded."), { status: 502, type: "server_error", code: "upstream_error", message: 'The upstream provider "openai-main" failed: The engine is overloaded.' }],
    ["a lost connection", provider("connection", "connect ECONNREFUSED 10.0.0.7:11434"), { status: 502, type: "server_error", code: "upstream_error", message: 'Could not reach the upstream provider "openai-main".' }],
    ["a provider timeout", provider("timeout"), { status: 504, type: "server_error", code: "upstream_timeout", message: /did not answer in time/ }],
    [
      "a provider's bad request",
      provider("bad_request", "Invalid 'messages[1].content': string too long."),
      { status: 400, type: "invalid_request_error", code: null, message: "Invalid 'messages[1].content': string too long." },
    ],
    ["a provider's key rejection", provider("auth", "Incorrect API key provided: sk-abc"), { status: 502, type: "server_error", code: "upstream_auth_error", message: /rejected the gateway's credentials; an administrator/ }],
    ["a provider's unknown model", provider("not_found", "The model `gpt-9` does not exist."), { status: 404, type: "invalid_request_error", code: "model_not_found", param: "model", message: "The model `gpt-9` does not exist." }],
    ["a cancelled call", provider("cancelled"), { status: 499, type: "invalid_request_error", code: "request_cancelled", message: "The request was cancelled." }],
    ["anything else", new TypeError("Cannot read properties of undefined (reading 'apiKey') at /srv/maestro/x.ts"), { status: 500, type: "server_error", code: null, message: "The server had an error while processing your request. Sorry about that!" }],
    ["a thrown string", "boom", { status: 500, type: "server_error", code: null, message: /^The server had an error/ }],
  ];

  it.each(cases)("maps %s", (_name, error, expected) => {
    const { status, body } = errorBody(error);
    expect(status).toBe(expected.status);
    expect(body.error).toMatchObject({ type: expected.type, code: expected.code, param: expected.param ?? null });
    expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
    if (typeof expected.message === "string") expect(body.error.message).toBe(expected.message);
    else expect(body.error.message).toMatch(expected.message);
  });

  it("never leaks vendor organisation ids or internal hosts", () => {
    expect(JSON.stringify(errorBody(provider("rate_limited", "Rate limit reached in organization org-secret")).body)).not.toContain("org-secret");
    expect(JSON.stringify(errorBody(provider("connection", "connect ECONNREFUSED 10.0.0.7:11434")).body)).not.toContain("10.0.0.7");
    expect(JSON.stringify(errorBody(provider("auth", "Incorrect API key provided: sk-abc")).body)).not.toContain("sk-abc");
  });

  it("says when and whether to retry", () => {
    expect(retryAfterSeconds(new RateLimitedError("slow down", 30))).toBe(30);
    expect(retryAfterSeconds(provider("rate_limited", "x", { retryAfterMs: 1_200 }))).toBe(2);
    expect(retryAfterSeconds(provider("rate_limited"))).toBeUndefined();
    expect(retryAfterSeconds(provider("server", "x", { retryAfterMs: 1_000 }))).toBeUndefined();
    expect(retryAfterSeconds(new Error("x"))).toBeUndefined();

    expect(errorBody(new RateLimitedError("slow down", 30)).headers).toEqual({ "retry-after": "30" });
    expect(errorBody(provider("server")).headers).toEqual({});
    // Waiting does not refill a budget or fix the gateway's provider key.
    expect(errorBody(budgetError()).headers).toEqual({ "x-should-retry": "false" });
    expect(errorBody(provider("auth")).headers).toEqual({ "x-should-retry": "false" });
    expect(errorBody(new ValidationError("x")).headers).toEqual({});
  });

  it("reaches SDK callers as the SDK's own error classes", async () => {
    const client = (error: unknown) =>
      sdk(() => {
        const { status, body, headers } = errorBody(error);
        return json(status, body, headers);
      });
    const call = (error: unknown) => client(error).chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);

    expect(await call(new WireError("Incorrect API key provided.", { status: 401, code: "invalid_api_key" }))).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(await call(namedError("NoRouteError", "No route."))).toBeInstanceOf(OpenAI.NotFoundError);
    const budget = await call(budgetError());
    expect(budget).toBeInstanceOf(OpenAI.RateLimitError);
    expect(budget).toMatchObject({ code: "budget_exceeded", type: "insufficient_quota" });
    expect(await call(provider("timeout"))).toBeInstanceOf(OpenAI.InternalServerError);
  });
});
