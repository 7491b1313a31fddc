// The body of a sandbox thread: runs user JavaScript in QuickJS (WebAssembly), one call
// at a time, each in a fresh QuickJS runtime so nothing leaks from one call to the next.
// Plain .mjs with bare imports only, so Node loads it as is under tsx, vitest and a
// Next build alike (nothing here needs a TypeScript loader or a sibling file).
import { parentPort, workerData } from "node:worker_threads";
import { createRequire } from "node:module";
import { readFile } from "node:fs/promises";
import { newQuickJSWASMModuleFromVariant, newVariant } from "quickjs-emscripten-core";
import releaseSyncVariant from "@jitl/quickjs-wasmfile-release-sync";

/** @typedef {import("./protocol.ts").SandboxRequest} SandboxRequest */
/** @typedef {import("./protocol.ts").SandboxReply} SandboxReply */
/** @typedef {import("./protocol.ts").SandboxThreadConfig} SandboxThreadConfig */
/** @typedef {import("quickjs-emscripten-core").QuickJSContext} QuickJSContext */
/** @typedef {import("quickjs-emscripten-core").QuickJSHandle} QuickJSHandle */
/** @typedef {import("quickjs-emscripten-core").QuickJSWASMModule} QuickJSWASMModule */

/** @type {SandboxThreadConfig} */
const config = workerData;
const port = parentPort;
if (!port) throw new Error("worker.mjs runs as a worker thread only");

const PAGE_BYTES = 65_536;
// The QuickJS build declares a 16 MiB minimum memory; calls get their limit on top.
const BASE_MEMORY_BYTES = 16 * 1024 * 1024;
// An instance whose memory grew past this is dropped after its call so the thread
// hands the memory back instead of holding a big heap between calls.
const RETAINED_MEMORY_BYTES = BASE_MEMORY_BYTES + 64 * 1024 * 1024;

/**
 * QuickJS's own memory limit does not add up allocations in this WebAssembly build
 * (it only bounds each single allocation), so the call's budget is enforced where
 * the heap grows: the WebAssembly memory refuses to grow past it and malloc fails,
 * which QuickJS reports as "out of memory".
 */
class BudgetedMemory extends WebAssembly.Memory {
  budgetBytes = Infinity;
  refused = false;
  /** @param {number} pages */
  grow(pages) {
    if (this.buffer.byteLength + pages * PAGE_BYTES > this.budgetBytes) {
      this.refused = true;
      throw new RangeError("sandbox memory budget exhausted");
    }
    return super.grow(pages);
  }
}

// Compiled once per thread; instantiating it again (after a call that grew the heap or
// broke the instance) costs about 2 ms.
const wasmPath = createRequire(import.meta.url).resolve("@jitl/quickjs-wasmfile-release-sync/wasm");
const compiledWasm = await WebAssembly.compile(await readFile(wasmPath));

/** @typedef {{ quickjs: QuickJSWASMModule; memory: BudgetedMemory }} Instance */
/** @type {Instance | undefined} */
let instance;

/** @returns {Promise<Instance>} */
async function newInstance() {
  const memory = new BudgetedMemory({ initial: BASE_MEMORY_BYTES / PAGE_BYTES, maximum: (BASE_MEMORY_BYTES + config.maxMemoryBytes) / PAGE_BYTES });
  const variant = newVariant(releaseSyncVariant, { wasmModule: compiledWasm, wasmMemory: memory });
  return { quickjs: await newQuickJSWASMModuleFromVariant(variant), memory };
}

/** An instance whose heap fits the call's budget (a bigger one could hand out its free space). */
async function instanceFor(/** @type {number} */ budgetBytes) {
  if (!instance || instance.memory.buffer.byteLength > budgetBytes) instance = await newInstance();
  return instance;
}

// Runs inside QuickJS before the user's code: a console that hands its arguments to
// the host, and the JSON functions captured before user code could replace them. Kept
// small: it is compiled for every call.
const HARNESS = `(function (emit) {
  let accepting = true;
  const write = (prefix) => (...args) => { if (accepting) accepting = emit(prefix, args); };
  const log = write("");
  globalThis.console = { log, info: log, debug: log, trace: log, warn: write("[warn] "), error: write("[error] ") };
  const define = (scope) => {
    for (const key of Object.keys(scope)) {
      try { Object.defineProperty(globalThis, key, { value: scope[key], writable: true, enumerable: true, configurable: true }); } catch {}
    }
  };
  return [JSON.parse, JSON.stringify, define];
})`;

class LogCollector {
  /** @type {string[]} */
  lines = [];
  truncated = false;
  /** @param {() => string} format called only while lines are still wanted @returns {boolean} whether more are wanted */
  add(format) {
    if (this.lines.length >= config.maxLogLines) {
      this.truncated = true;
      return false;
    }
    const line = format();
    this.lines.push(line.length > config.maxLogLineChars ? line.slice(0, config.maxLogLineChars) + "…" : line);
    return true;
  }
  result() {
    if (!this.truncated) return this.lines;
    return [...this.lines.slice(0, config.maxLogLines - 1), `[log truncated: more than ${config.maxLogLines} lines]`];
  }
}

/** @typedef {"setup" | "compile" | "run" | "serialize"} Phase */
/** @typedef {{ interrupted: boolean; fileName: string }} CallState */

/** A failure the call reports, and the phase it happened in. */
class CallFailure {
  /**
   * @param {Phase} at
   * @param {{ thrown?: unknown; problem?: string; tooLargeBytes?: number }} details
   *   thrown: the dumped QuickJS value; problem: what went wrong when nothing was thrown;
   *   tooLargeBytes: the size of an output over the cap
   */
  constructor(at, { thrown, problem, tooLargeBytes }) {
    this.at = at;
    this.thrown = thrown;
    this.problem = problem;
    this.tooLargeBytes = tooLargeBytes;
  }
}

/**
 * @param {QuickJSContext} context
 * @param {Phase} at
 * @param {import("quickjs-emscripten-core").DisposableResult<QuickJSHandle, QuickJSHandle>} result
 * @returns {QuickJSHandle}
 */
function unwrap(context, at, result) {
  if (result.error) fail(context, at, result.error);
  return result.value;
}

/** @param {QuickJSContext} context @param {Phase} at @param {QuickJSHandle} error @returns {never} */
function fail(context, at, error) {
  let thrown;
  try {
    thrown = context.dump(error);
  } catch {
    thrown = undefined; // under memory exhaustion even reading the error can fail
  }
  error.dispose();
  throw new CallFailure(at, { thrown });
}

/**
 * A QuickJS runtime and context with the harness installed, made ahead of the call
 * it serves (while the thread is idle) and used for that one call only.
 * @typedef {{
 *   instance: Instance;
 *   runtime: import("quickjs-emscripten-core").QuickJSRuntime;
 *   context: QuickJSContext;
 *   parse: QuickJSHandle;
 *   stringify: QuickJSHandle;
 *   define: QuickJSHandle;
 *   handles: { alive: boolean; dispose(): void }[];
 *   logs: LogCollector | undefined;
 * }} Slot
 */

const refuseModule = (/** @type {string} */ name) => ({ error: new Error(`Cannot import "${name}": modules are not available in the sandbox`) });

/** @param {Instance} instance @returns {Slot} */
function prepareSlot(instance) {
  instance.memory.budgetBytes = Infinity; // the harness is ours; the call's budget starts with the call
  const runtime = instance.quickjs.newRuntime({ maxStackSizeBytes: config.maxStackBytes, moduleLoader: refuseModule });
  const context = runtime.newContext();
  /** @type {Slot} */
  const slot = { instance, runtime, context, parse: context.undefined, stringify: context.undefined, define: context.undefined, handles: [], logs: undefined };
  /** @template {{ alive: boolean; dispose(): void }} T @param {T} handle @returns {T} */
  const own = (handle) => (slot.handles.push(handle), handle);
  const emit = own(
    context.newFunction("emit", (prefix, args) => {
      const wanted = slot.logs?.add(() => context.getString(prefix) + formatArguments(context, args));
      return wanted ? context.true : context.false;
    }),
  );
  const makeHarness = own(context.unwrapResult(context.evalCode(HARNESS, "harness.js", { type: "global" })));
  const harness = own(context.unwrapResult(context.callFunction(makeHarness, context.undefined, emit)));
  [slot.parse, slot.stringify, slot.define] = [0, 1, 2].map((index) => own(context.getProp(harness, index)));
  return slot;
}

/** Formats console arguments like Node does, roughly: strings as they are, the rest as JSON. */
function formatArguments(/** @type {QuickJSContext} */ context, /** @type {QuickJSHandle} */ args) {
  const parts = [];
  const count = context.getProp(args, "length").consume((length) => context.getNumber(length));
  let chars = 0;
  for (let index = 0; index < count && chars <= config.maxLogLineChars; index++) {
    const part = context.getProp(args, index).consume((item) => formatValue(context, item));
    parts.push(part);
    chars += part.length + 1;
  }
  return parts.join(" ");
}

function formatValue(/** @type {QuickJSContext} */ context, /** @type {QuickJSHandle} */ item) {
  const type = context.typeof(item);
  if (type === "string") {
    // Cut inside QuickJS first (one character over, so the line is marked as cut): a
    // huge string is never copied out whole.
    const length = context.getProp(item, "length").consume((handle) => context.getNumber(handle));
    if (length <= config.maxLogLineChars) return context.getString(item);
    const cut = context.newNumber(config.maxLogLineChars + 1);
    const zero = context.newNumber(0);
    try {
      return context.unwrapResult(context.callMethod(item, "slice", [zero, cut])).consume((head) => context.getString(head));
    } finally {
      cut.dispose();
      zero.dispose();
    }
  }
  if (type === "undefined" || type === "function" || type === "symbol" || type === "bigint") {
    return type === "undefined" ? "undefined" : `[${type}]`;
  }
  const dumped = context.dump(item);
  const error = asError(dumped, "");
  if (error) return error.message ? `${error.name}: ${error.message}` : error.name;
  return describeValue(dumped);
}

function disposeSlot(/** @type {Slot} */ slot) {
  for (const handle of slot.handles.reverse()) if (handle.alive) handle.dispose();
  slot.context.dispose();
  slot.runtime.dispose();
}

/** Runs one request in the slot; returns the result's JSON or throws a CallFailure. */
function execute(/** @type {Slot} */ slot, /** @type {SandboxRequest} */ request, /** @type {CallState} */ state) {
  const { runtime, context, instance } = slot;
  /** @template {{ alive: boolean; dispose(): void }} T @param {T} handle @returns {T} */
  const own = (handle) => (slot.handles.push(handle), handle);
  /** @param {Phase} at @param {QuickJSHandle} fn @param {QuickJSHandle[]} args */
  const call = (at, fn, ...args) => own(unwrap(context, at, context.callFunction(fn, context.undefined, ...args)));
  instance.memory.budgetBytes = BASE_MEMORY_BYTES + request.memoryBytes;
  instance.memory.refused = false;
  runtime.setMemoryLimit(request.memoryBytes);
  const deadline = Date.now() + request.timeoutMs;
  runtime.setInterruptHandler(() => (state.interrupted ||= Date.now() >= deadline));

  const expression = request.mode === "expression";
  const input = call("setup", slot.parse, own(context.newString(request.inputJson)));
  if (expression) call("setup", slot.define, input);
  // The wrapper opens on the source's first line so QuickJS's line numbers are the user's.
  // An async wrapper only when needed: a plain call skips the promise machinery.
  const wrapped = expression
    ? `(function () { return (${request.source}\n); })`
    : `(${/\bawait\b/.test(request.source) ? "async " : ""}function (input) {${request.source}\n})`;
  const fn = own(unwrap(context, "compile", context.evalCode(wrapped, state.fileName, { type: "global" })));
  const returned = expression ? call("run", fn) : call("run", fn, input);
  const value = own(settle(context, runtime, returned));
  const json = call("serialize", slot.stringify, value);
  if (context.typeof(json) !== "string") return "null"; // undefined and functions
  const length = context.getProp(json, "length").consume((handle) => context.getNumber(handle));
  // A UTF-16 length over the cap means at least that many UTF-8 bytes: no need to copy it out.
  if (length > config.maxOutputBytes) throw new CallFailure("serialize", { tooLargeBytes: length });
  const text = context.getString(json);
  const bytes = Buffer.byteLength(text);
  if (bytes > config.maxOutputBytes) throw new CallFailure("serialize", { tooLargeBytes: bytes });
  return text;
}

/** Awaits a returned promise: runs the queued jobs (there are no timers or I/O to wait for). */
function settle(
  /** @type {QuickJSContext} */ context,
  /** @type {import("quickjs-emscripten-core").QuickJSRuntime} */ runtime,
  /** @type {QuickJSHandle} */ value,
) {
  let state = context.getPromiseState(value);
  if (state.type === "fulfilled" && state.notAPromise) return value.dup();
  if (state.type === "pending") {
    const jobs = runtime.executePendingJobs();
    if (jobs.error) fail(context, "run", jobs.error);
    state = context.getPromiseState(value);
  }
  if (state.type === "pending") throw new CallFailure("run", { problem: "returned a promise that never settles (the sandbox has no timers or I/O)" });
  if (state.type === "rejected") fail(context, "run", state.error);
  return state.value;
}

/**
 * The error a dumped QuickJS value stands for, if it is one, and its line in `fileName`.
 * @param {unknown} thrown @param {string} fileName
 * @returns {{ name: string; message: string; line?: number } | undefined}
 */
function asError(thrown, fileName) {
  if (typeof thrown !== "object" || thrown === null || !("message" in thrown) || !("stack" in thrown)) return undefined;
  const { message, stack } = thrown;
  if (typeof message !== "string" || typeof stack !== "string") return undefined;
  const name = "name" in thrown && typeof thrown.name === "string" ? thrown.name : "Error";
  const match = fileName ? new RegExp(`${fileName.replace(".", "\\.")}:(\\d+)`).exec(stack) : null;
  return { name, message, line: match ? Number(match[1]) : undefined };
}

/** @param {unknown} value */
function describeValue(value) {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

const atLine = (/** @type {number | undefined} */ line) => (line === undefined ? "" : ` at line ${line}`);

/**
 * Sorts a failure into the kinds the engine acts on, with a message a user can act on.
 * @returns {{ kind: import("./protocol.ts").SandboxFailureKind; message: string; line?: number }}
 */
function classify(
  /** @type {CallFailure} */ failure,
  /** @type {SandboxRequest} */ request,
  /** @type {CallState} */ state,
  /** @type {boolean} */ memoryRefused,
  /** @type {number} */ lineCount,
) {
  const subject = request.mode === "code" ? "Code" : "Expression";
  const error = asError(failure.thrown, state.fileName);
  // An error at the wrapper's closing line (a missing brace) belongs to the last line.
  const line = error?.line === undefined ? undefined : Math.min(error.line, lineCount);
  if (state.interrupted) return { kind: "timeout", message: `${subject} exceeded its time limit of ${request.timeoutMs} ms` };
  const megabytes = Math.round(request.memoryBytes / (1024 * 1024));
  if (memoryRefused || error?.message === "out of memory") {
    return { kind: "memory", message: `${subject} exceeded its memory limit of ${megabytes} MB${atLine(line)}`, line };
  }
  if (error?.message === "stack overflow") {
    return { kind: "memory", message: `${subject} exceeded the maximum call stack size${atLine(line)} (runaway recursion?)`, line };
  }
  if (failure.problem) return { kind: "runtime", message: `${subject} ${failure.problem}` };
  const summary = error ? (error.message ? `${error.name}: ${error.message}` : error.name) : describeValue(failure.thrown);
  if (failure.at === "serialize") {
    if (failure.tooLargeBytes !== undefined) {
      const inMb = (/** @type {number} */ bytes) => (bytes / (1024 * 1024)).toFixed(bytes % (1024 * 1024) ? 1 : 0);
      return { kind: "output", message: `${subject} returned more than ${inMb(config.maxOutputBytes)} MB of JSON (${inMb(failure.tooLargeBytes)} MB)` };
    }
    return { kind: "output", message: `${subject} returned a value that cannot be turned into JSON: ${summary}` };
  }
  if (failure.at === "compile" && error?.name === "SyntaxError") {
    return { kind: "syntax", message: `${subject} has a syntax error${atLine(line)}: ${error.message}`, line };
  }
  return { kind: "runtime", message: `${subject} threw${atLine(line)}: ${summary}`, line };
}

/** @type {Slot | undefined} */
let spare;

/** @param {SandboxRequest} request @returns {Promise<{ reply: SandboxReply; used?: Slot }>} */
async function handle(request) {
  const logs = new LogCollector();
  /** @type {CallState} */
  const state = { interrupted: false, fileName: request.mode === "code" ? "code.js" : "expression.js" };
  const lineCount = request.source.split("\n").length;
  let started = performance.now();
  /** @type {Slot | undefined} */
  let slot;
  try {
    const current = await instanceFor(BASE_MEMORY_BYTES + request.memoryBytes);
    slot = spare?.instance === current ? spare : prepareSlot(current);
    spare = undefined;
    slot.logs = logs;
    started = performance.now();
    const valueJson = execute(slot, request, state);
    return { reply: { type: "result", id: request.id, ok: true, valueJson, logs: logs.result(), durationMs: performance.now() - started }, used: slot };
  } catch (thrown) {
    const durationMs = performance.now() - started;
    if (thrown instanceof CallFailure) {
      const failure = classify(thrown, request, state, slot?.instance.memory.refused ?? false, lineCount);
      return { reply: { type: "result", id: request.id, ok: false, ...failure, logs: logs.result(), durationMs }, used: slot };
    }
    // The WebAssembly side failed (a native stack overflow or a trap): the instance may
    // be corrupt, so it is dropped, slot and all, and the next call gets a new one.
    instance = undefined;
    const subject = request.mode === "code" ? "Code" : "Expression";
    if (thrown instanceof RangeError && /call stack/i.test(thrown.message)) {
      const message = `${subject} exceeded the maximum call stack size (runaway recursion?)`;
      return { reply: { type: "result", id: request.id, ok: false, kind: "memory", message, logs: logs.result(), durationMs } };
    }
    const message = `The sandbox failed: ${thrown instanceof Error ? thrown.message : String(thrown)}`;
    return { reply: { type: "result", id: request.id, ok: false, kind: "crash", message, logs: logs.result(), durationMs } };
  }
}

/** After the answer is sent: frees the call's runtime and prepares the next one. */
async function tidy(/** @type {Slot | undefined} */ used) {
  try {
    if (used && used.instance === instance) disposeSlot(used);
    if (!instance || instance.memory.buffer.byteLength > RETAINED_MEMORY_BYTES) instance = await newInstance();
    spare = prepareSlot(instance);
  } catch {
    // The next call starts from scratch (and reports the failure if it persists).
    instance = undefined;
    spare = undefined;
  }
}

instance = await newInstance();
spare = prepareSlot(instance);
let queue = Promise.resolve();
port.on("message", (/** @type {SandboxRequest} */ request) => {
  queue = queue
    .then(async () => {
      const { reply, used } = await handle(request);
      port.postMessage(reply);
      await tidy(used);
      port.postMessage(/** @type {SandboxReply} */ ({ type: "ready" }));
    })
    .catch((error) => {
      // Not the user's code failing (that is answered above): let the thread die so the pool replaces it.
      setImmediate(() => {
        throw error;
      });
    });
});
port.postMessage(/** @type {SandboxReply} */ ({ type: "ready" }));
