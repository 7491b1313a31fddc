// Client-side validation with the same zod schemas the server uses, turned into what a
// form shows (one sentence for the alert, one message per field), like toFormError does
// for the server's answers.
import type { z } from "zod";
import type { FormError } from "@/components/lib/api-error";

/** Messages written to follow the field's name ("is required", "must be at most 40 characters"). */
const continuesLabel = (text: string) => /^(is|are|must|may|has|have|can|cannot|should|needs?)\b/.test(text);
const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** "is required" under "Name" reads "Name is required"; other messages are capitalised sentences. */
export function zodFormError(error: z.ZodError, labels: Record<string, string>): FormError {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? "form");
    if (fields[key]) continue;
    const label = labels[key] ?? key;
    fields[key] = continuesLabel(issue.message) ? `${label} ${issue.message}` : capitalise(issue.message);
  }
  const message = Object.values(fields)
    .map((text) => (/[.!?]$/.test(text) ? text : `${text}.`))
    .join(" ");
  return { message: message || "Check the form.", fields };
}

/** Items typed one per line or separated by commas, trimmed, empty ones and repeats dropped. */
export function parseList(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\n,]/)
        .map((item) => item.trim())
        .filter(Boolean),
    ),
  ];
}

/** "" → undefined (use the default); anything else → a number (NaN fails the schema with its own message). */
export function optionalNumber(text: string): number | undefined {
  return text.trim() === "" ? undefined : Number(text);
}
