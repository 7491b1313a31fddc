// The execution backends' public face: one factory for the embedded queue and for
// BullMQ on Redis; the engine above talks to ExecutionBackend only.
import type { DeadLetterHandler, ExecutionBackend } from "../types.ts";
import { BullmqBackend, type BullmqBackendOptions } from "./bullmq.ts";
import { InProcessBackend, type InProcessBackendOptions } from "./in-process.ts";

export type BackendConfig = ({ kind: "in-process" } & InProcessBackendOptions) | ({ kind: "bullmq" } & BullmqBackendOptions);

export function createBackend(config: { kind: "in-process" } & InProcessBackendOptions, onDeadLetter: DeadLetterHandler): InProcessBackend;
export function createBackend(config: { kind: "bullmq" } & BullmqBackendOptions, onDeadLetter: DeadLetterHandler): BullmqBackend;
export function createBackend(config: BackendConfig, onDeadLetter: DeadLetterHandler): ExecutionBackend;
export function createBackend(config: BackendConfig, onDeadLetter: DeadLetterHandler): InProcessBackend | BullmqBackend {
  if (config.kind === "bullmq") {
    const { kind: _kind, ...options } = config;
    return new BullmqBackend(options, onDeadLetter);
  }
  const { kind: _kind, ...options } = config;
  return new InProcessBackend(onDeadLetter, options);
}

export { BullmqBackend, InProcessBackend };
export { STEP_QUEUE, nodeQueueName, type BullmqBackendOptions } from "./bullmq.ts";
export { DEFAULT_QUEUE_RETRY, stepJobId, type InProcessBackendOptions, type QueueRetryOptions } from "./in-process.ts";
