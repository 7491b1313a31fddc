// Processes in tests and benchmarks: Node processes they start (workers, an embedded
// server) with their output kept line by line for waiting on and for failure messages,
// and whether a process (such as an MCP server the manager spawned) is still alive.
import { spawn, type ChildProcess } from "node:child_process";
import { REPO_ROOT } from "../../paths.ts";
import { eventually } from "./harness.ts";

/** Lines of output quoted when a wait fails. */
const QUOTED_LINES = 30;

export class NodeProcess {
  readonly lines: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly process: ChildProcess;

  /** `node <args>` in the repository root, e.g. `["--import", "tsx", "bench/engine-worker.ts"]`. */
  constructor(args: string[], env: NodeJS.ProcessEnv) {
    this.process = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    const collect = (stream: NodeJS.ReadableStream) => {
      let rest = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        const parts = (rest + chunk).split("\n");
        rest = parts.pop() ?? "";
        this.lines.push(...parts.filter(Boolean));
      });
    };
    collect(this.process.stdout!);
    collect(this.process.stderr!);
    this.exited = new Promise((resolve) => this.process.once("exit", (code) => resolve(code)));
  }

  get pid(): number {
    return this.process.pid!;
  }

  get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  /** JSON lines the process printed (log lines included), parsed. */
  events(): Record<string, unknown>[] {
    return this.lines.flatMap((line) => {
      try {
        const value: unknown = JSON.parse(line);
        return value && typeof value === "object" ? [value as Record<string, unknown>] : [];
      } catch {
        return [];
      }
    });
  }

  /** The first JSON line that matches; fails with the last lines of output when the process exits first or time runs out. */
  async waitFor(what: string, match: (event: Record<string, unknown>) => boolean, timeoutMs = 30_000): Promise<Record<string, unknown>> {
    try {
      return await eventually(async () => this.events().find(match) ?? (this.running ? null : Promise.reject(new Error("the process exited"))), timeoutMs, what);
    } catch (error) {
      throw new Error(`${(error as Error).message} (output:\n${this.lines.slice(-QUOTED_LINES).join("\n")})`);
    }
  }

  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    if (this.running) this.process.kill(signal);
    await this.exited;
  }

  /** Asks the process to stop (SIGTERM) and kills it when it has not within the grace period. */
  async stop(graceMs = 5_000): Promise<void> {
    if (!this.running) return;
    const timer = setTimeout(() => this.process.kill("SIGKILL"), graceMs);
    try {
      await this.kill("SIGTERM");
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Is a process with this id still there (signal 0 only checks)? */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
