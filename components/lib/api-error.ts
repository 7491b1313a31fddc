// Turns a tRPC client error into what a form shows: one sentence for the alert area and
// messages per field. Zod failures arrive as fieldErrors; domain validation (password
// policy, "current password is wrong") names its field in details.field.
import { TRPCClientError } from "@trpc/client";

export interface FormError {
  message: string;
  /** Per field: the text to show under it, or "" to only mark it invalid. */
  fields: Record<string, string>;
}

interface ErrorData {
  code?: string;
  fieldErrors?: Record<string, string[] | undefined> | null;
  details?: { field?: unknown } | null;
}

function dataOf(error: unknown): ErrorData | null {
  if (error instanceof TRPCClientError) return (error.data ?? null) as ErrorData | null;
  return null;
}

function capitalise(text: string) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function toFormError(error: unknown, fieldLabels: Record<string, string> = {}): FormError {
  const data = dataOf(error);
  const fields: Record<string, string> = {};
  for (const [field, problems] of Object.entries(data?.fieldErrors ?? {})) {
    if (problems?.length) fields[field] = capitalise(problems.join("; "));
  }
  const named = Object.keys(fields);
  if (named.length) {
    const labels = named.map((f) => fieldLabels[f] ?? f).join(", ");
    return { message: `Check ${labels}: ${named.map((f) => fields[f]!.toLowerCase()).join("; ")}.`, fields };
  }
  const message = errorMessage(error);
  const field = data?.details?.field;
  // The alert already says it; the field is only marked invalid (an empty message).
  if (typeof field === "string") fields[field] = "";
  return { message, fields };
}

export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) {
    if (dataOf(error)?.code === "UNAUTHORIZED") return "Your session has ended. Sign in again to continue.";
    return error.message;
  }
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}
