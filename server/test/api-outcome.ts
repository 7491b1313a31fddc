// How a tRPC call ended, in the words a test compares: "OK", or the error's code and message.
import { TRPCError } from "@trpc/server";

export interface ApiOutcome {
  code: string;
  message: string;
}

/** Input validation errors carry zod's issues as JSON; their messages are what a form shows. */
function readable(message: string): string {
  try {
    return (JSON.parse(message) as { path: string[]; message: string }[]).map((i) => `${i.path.join(".")}: ${i.message}`).join("\n");
  } catch {
    return message;
  }
}

/** Never rejects: anything thrown that is not a TRPCError reads as code "THROWN". */
export function apiOutcome(call: Promise<unknown>): Promise<ApiOutcome> {
  return call.then(
    () => ({ code: "OK", message: "" }),
    (e: unknown) => (e instanceof TRPCError ? { code: e.code, message: readable(e.message) } : { code: "THROWN", message: String(e) }),
  );
}
