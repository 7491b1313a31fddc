// The shapes of typed JSON the shipped templates ask models for, where they share one.
import type { TypeSpec } from "../../shared/workflow-definition.ts";

export const SEVERITIES = ["low", "medium", "high", "critical"];
export const LEVELS = ["low", "medium", "high"];

/**
 * What an analysis answers with: a summary and a list of items, each with a short id, a
 * title, a description and the given fields, all required.
 */
export function summaryAndListSpec(spec: {
  summary: string;
  list: string;
  listDescription: string;
  idPrefix: string;
  title: string;
  description: string;
  fields?: Record<string, TypeSpec>;
}): TypeSpec {
  const item: Record<string, TypeSpec> = {
    id: { type: "string", description: `A short id: ${spec.idPrefix}1, ${spec.idPrefix}2, ...` },
    title: { type: "string", description: spec.title },
    description: { type: "string", description: spec.description },
    ...spec.fields,
  };
  return {
    type: "object",
    required: ["summary", spec.list],
    properties: {
      summary: { type: "string", description: spec.summary },
      [spec.list]: { type: "array", description: spec.listDescription, items: { type: "object", required: Object.keys(item), properties: item } },
    },
  };
}

/** What carrying out one planned sub-task answers with: whether it was done, and the result. */
export function subtaskResultSpec(statusDescription: string, outputDescription: string): TypeSpec {
  return {
    type: "object",
    required: ["status", "output"],
    properties: {
      status: { type: "string", enum: ["done", "failed", "skipped"], description: statusDescription },
      output: { type: "string", description: outputDescription },
    },
  };
}
