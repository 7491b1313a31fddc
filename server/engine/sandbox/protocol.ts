// Messages between the pool (main thread) and a sandbox thread (worker.mjs). Values
// cross as JSON text only, so no host object ever reaches the sandbox.
import type { SandboxErrorKind } from "./errors.ts";

/** Fixed for the thread's life, passed as workerData. */
export interface SandboxThreadConfig {
  maxOutputBytes: number;
  maxLogLines: number;
  maxLogLineChars: number;
  maxStackBytes: number;
  /** The most any call may ask for; sizes the WebAssembly memory's maximum. */
  maxMemoryBytes: number;
}

export interface SandboxRequest {
  id: number;
  /** "code": a function body of `input`; "expression": one expression over the scope's globals. */
  mode: "code" | "expression";
  source: string;
  /** "code": the input; "expression": the scope object. */
  inputJson: string;
  timeoutMs: number;
  memoryBytes: number;
}

/** "crash": the sandbox itself failed (not the user's code); the call is worth retrying. */
export type SandboxFailureKind = Exclude<SandboxErrorKind, "cancelled"> | "crash";

export type SandboxReply =
  | { type: "ready" }
  | { type: "result"; id: number; ok: true; valueJson: string; logs: string[]; durationMs: number }
  | { type: "result"; id: number; ok: false; kind: SandboxFailureKind; message: string; line?: number; logs: string[]; durationMs: number };

export type SandboxResultReply = Extract<SandboxReply, { type: "result" }>;
