// A few worker threads that run sandboxed JavaScript, so a long computation never
// blocks the event loop that also serves HTTP. Threads start on first use, take one
// call at a time, keep the process alive only while busy, and are replaced when
// terminated (cancel, a deadline the thread itself missed, a crash).
import { Worker } from "node:worker_threads";
import { SandboxError } from "./errors.ts";
import type { SandboxReply, SandboxRequest, SandboxResultReply, SandboxThreadConfig } from "./protocol.ts";

export interface SandboxPoolOptions {
  size: number;
  workerUrl: URL;
  threadConfig: SandboxThreadConfig;
  /** How long past its timeout a call may go unanswered before its thread is terminated. */
  graceMs: number;
  /** The thread's native stack; QuickJS's recursion also runs on it. */
  stackSizeMb: number;
}

export type SandboxJob = Omit<SandboxRequest, "id">;

interface PendingCall {
  job: SandboxJob;
  resolve(reply: SandboxResultReply): void;
  reject(error: Error): void;
}

interface PoolThread {
  worker: Worker;
  /** "tidying": answered its last call and is preparing a fresh runtime for the next one. */
  state: "starting" | "ready" | "busy" | "tidying";
  call?: PendingCall;
  callId?: number;
  backstop?: NodeJS.Timeout;
}

const subjectOf = (job: SandboxJob) => (job.mode === "code" ? "Code" : "Expression");

export class SandboxPool {
  private readonly threads = new Set<PoolThread>();
  private queue: PendingCall[] = [];
  private nextId = 1;

  constructor(private readonly options: SandboxPoolOptions) {}

  /** Threads alive now, whatever they are doing. */
  get threadCount(): number {
    return this.threads.size;
  }

  /**
   * Runs one job. Resolves with the thread's answer (success or the code's failure);
   * rejects with a "cancelled" SandboxError on abort, or a plain Error when the sandbox
   * itself could not run the job (worth retrying).
   */
  run(job: SandboxJob, signal?: AbortSignal): Promise<SandboxResultReply> {
    if (signal?.aborted) return Promise.reject(cancelled(job));
    return new Promise<SandboxResultReply>((resolve, reject) => {
      let settled = false;
      const onAbort = () => {
        const queued = this.queue.indexOf(call);
        if (queued >= 0) this.queue.splice(queued, 1);
        const thread = [...this.threads].find((candidate) => candidate.call === call);
        if (thread) void this.terminate(thread);
        call.reject(cancelled(job));
        this.pump();
      };
      // Settles once: an abort may race the thread's answer.
      const settleWith = (finish: () => void) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener("abort", onAbort);
        finish();
      };
      const call: PendingCall = {
        job,
        resolve: (reply) => settleWith(() => resolve(reply)),
        reject: (error) => settleWith(() => reject(error)),
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.queue.push(call);
      this.pump();
    });
  }

  /** Terminates every thread; calls still queued or running are cancelled. The pool restarts on next use. */
  async shutdown(): Promise<void> {
    const calls = [...this.queue, ...[...this.threads].flatMap((thread) => (thread.call ? [thread.call] : []))];
    this.queue = [];
    const stopping = [...this.threads].map((thread) => this.terminate(thread));
    for (const call of calls) call.reject(new SandboxError("cancelled", "The sandbox was shut down"));
    await Promise.all(stopping);
  }

  private pump(): void {
    for (const thread of this.threads) {
      const next = thread.state === "ready" ? this.queue.shift() : undefined;
      if (next) this.dispatch(thread, next);
    }
    // A call that finds every thread busy or tidying starts another thread (up to the
    // size), so back-to-back calls alternate between threads instead of waiting.
    const starting = [...this.threads].filter((thread) => thread.state === "starting").length;
    for (let wanted = this.queue.length - starting; wanted > 0 && this.threads.size < this.options.size; wanted--) this.spawn();
    // Threads keep the process alive only while a call runs or waits for them.
    for (const thread of this.threads) {
      if (thread.call || this.queue.length > 0) thread.worker.ref();
      else thread.worker.unref();
    }
  }

  private spawn(): void {
    const worker = new Worker(this.options.workerUrl, {
      workerData: this.options.threadConfig,
      // The thread body is plain JavaScript: it needs none of the parent's loaders.
      execArgv: [],
      resourceLimits: { stackSizeMb: this.options.stackSizeMb },
    });
    const thread: PoolThread = { worker, state: "starting" };
    this.threads.add(thread);
    worker.on("message", (reply: SandboxReply) => this.onReply(thread, reply));
    worker.on("error", (error) => this.onThreadGone(thread, error));
    worker.on("exit", (code) => this.onThreadGone(thread, new Error(`exited with code ${code}`)));
  }

  private dispatch(thread: PoolThread, call: PendingCall): void {
    const id = this.nextId++;
    thread.state = "busy";
    thread.call = call;
    thread.callId = id;
    thread.worker.postMessage({ id, ...call.job } satisfies SandboxRequest);
    // QuickJS's interrupt handler enforces the deadline; this only catches a thread stuck
    // where the handler is never consulted.
    thread.backstop = setTimeout(() => this.expire(thread, call), call.job.timeoutMs + this.options.graceMs);
    thread.backstop.unref();
  }

  private onReply(thread: PoolThread, reply: SandboxReply): void {
    if (reply.type === "ready") {
      thread.state = "ready";
    } else if (thread.call && reply.id === thread.callId) {
      const call = thread.call;
      clearTimeout(thread.backstop);
      thread.state = "tidying";
      thread.call = undefined;
      call.resolve(reply);
    }
    this.pump();
  }

  private expire(thread: PoolThread, call: PendingCall): void {
    if (thread.call !== call) return;
    void this.terminate(thread);
    const message = `${subjectOf(call.job)} exceeded its time limit of ${call.job.timeoutMs} ms`;
    call.resolve({ type: "result", id: 0, ok: false, kind: "timeout", message, logs: [], durationMs: call.job.timeoutMs + this.options.graceMs });
    this.pump();
  }

  private onThreadGone(thread: PoolThread, error: Error): void {
    if (!this.threads.delete(thread)) return; // terminated on purpose
    clearTimeout(thread.backstop);
    if (thread.call) {
      thread.call.reject(new Error(`The sandbox thread stopped while running ${subjectOf(thread.call.job).toLowerCase()}: ${error.message}`, { cause: error }));
    } else if (thread.state === "starting") {
      // A thread that cannot start fails the same way again: fail the waiting calls instead of respawning.
      const waiting = this.queue;
      this.queue = [];
      for (const call of waiting) call.reject(new Error(`The JavaScript sandbox could not start: ${error.message}`, { cause: error }));
    }
    this.pump();
  }

  private terminate(thread: PoolThread): Promise<void> {
    this.threads.delete(thread);
    clearTimeout(thread.backstop);
    thread.call = undefined;
    return thread.worker.terminate().then(
      () => undefined,
      () => undefined,
    );
  }
}

function cancelled(job: SandboxJob): SandboxError {
  return new SandboxError("cancelled", `${subjectOf(job)} execution was cancelled`);
}
