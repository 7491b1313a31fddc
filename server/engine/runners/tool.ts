// The `tool` step: one call through the run's tool layer (built-in or MCP); a tool that
// reports an error fails the step with the tool's own words.
import type { MapItemStep, StepOf } from "../../shared/workflow-definition.ts";
import { StepError, type StepRunner } from "../types.ts";

export type ToolStep = StepOf<"tool"> | Extract<MapItemStep, { kind: "tool" }>;

/** Tool content as text for an error message. */
export function toolText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    // MCP content blocks: keep their text parts.
    const texts = content.map((part: { text?: unknown }) => (typeof part?.text === "string" ? part.text : null)).filter((t): t is string => t !== null);
    if (texts.length) return texts.join("\n");
  }
  return JSON.stringify(content) ?? String(content);
}

export const runToolStep: StepRunner<ToolStep> = async (ctx) => {
  const { tool, arguments: args } = ctx.step;
  const result = await ctx.tools.call(tool, args, { signal: ctx.signal, idempotencyKey: ctx.idempotencyKey });
  if (result.isError) throw new StepError(`The tool ${tool} reported an error: ${toolText(result.content)}`, { code: "TOOL_ERROR" });
  return { output: result.content };
};
