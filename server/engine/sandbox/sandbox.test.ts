import { afterAll, describe, expect, it } from "vitest";
import { evaluateExpression, isSandboxError, runCode, SandboxError, shutdownSandbox, type SandboxErrorKind } from "./sandbox.ts";

afterAll(() => shutdownSandbox());

/** The SandboxError a call rejects with (fails the test if it resolves or throws something else). */
async function failure(call: Promise<unknown>): Promise<SandboxError> {
  const outcome = await call.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!("error" in outcome)) throw new Error(`expected a SandboxError, got ${JSON.stringify(outcome.value)}`);
  if (!isSandboxError(outcome.error)) throw outcome.error;
  return outcome.error;
}

async function expectKind(call: Promise<unknown>, kind: SandboxErrorKind): Promise<SandboxError> {
  const error = await failure(call);
  expect(error.kind, error.message).toBe(kind);
  expect(error).toBeInstanceOf(SandboxError);
  return error;
}

describe("runCode: values", () => {
  it("returns the value of the function body, computed from input", async () => {
    const result = await runCode("return input.items.map((x) => x * 2)", { items: [1, 2, 3] });
    expect(result.value).toEqual([2, 4, 6]);
    expect(result.logs).toEqual([]);
    expect(typeof result.durationMs).toBe("number");
  });

  it("round-trips objects, arrays, unicode strings and numbers unchanged", async () => {
    const input = {
      text: "héllo wörld — 日本語 😀 \u{1F680}",
      numbers: [0, -1, 3.14159, 1e21, Number.MAX_SAFE_INTEGER, -0.5],
      nested: { deep: [{ a: null, b: true, c: "x" }], empty: {}, list: [] },
    };
    expect((await runCode("return input", input)).value).toEqual(input);
    expect((await runCode("return input.text.length", input)).value).toBe(input.text.length);
    expect((await runCode("return [...input.text].reverse().join('')", input)).value).toBe([...input.text].reverse().join(""));
  });

  it("supports modern JavaScript: destructuring, spread, classes, Map, RegExp, Date, JSON", async () => {
    const code = `
      const { a, ...rest } = input;
      class Box { #v; constructor(v) { this.#v = v; } get double() { return this.#v * 2; } }
      const counts = new Map([...input.words].map((w) => [w, w.length]));
      return {
        a, rest,
        double: new Box(a).double,
        counts: Object.fromEntries(counts),
        match: "order-1234".match(/(\\d+)/)?.[1],
        year: new Date(Date.UTC(2024, 0, 15)).getUTCFullYear(),
        parsed: JSON.parse('{"k":[1,2]}').k.at(-1),
        grouped: Object.keys(Object.groupBy([1, 2, 3, 4], (n) => (n % 2 ? "odd" : "even"))).sort(),
      };`;
    expect((await runCode(code, { a: 21, b: 1, words: ["x", "yy"] })).value).toEqual({
      a: 21,
      rest: { b: 1, words: ["x", "yy"] },
      double: 42,
      counts: { x: 1, yy: 2 },
      match: "1234",
      year: 2024,
      parsed: 2,
      grouped: ["even", "odd"],
    });
  });

  it("turns undefined and functions into null, as JSON does", async () => {
    expect((await runCode("", null)).value).toBeNull();
    expect((await runCode("return () => 1", null)).value).toBeNull();
    expect((await runCode("return [undefined, () => 1, { f() {}, keep: 1 }]", null)).value).toEqual([null, null, { keep: 1 }]);
  });

  it("awaits a returned promise and allows await in the body", async () => {
    expect((await runCode("const x = await Promise.resolve(input + 1); return x * 2", 20)).value).toBe(42);
    expect((await runCode("return Promise.all([1, 2].map(async (n) => n * 10))", null)).value).toEqual([10, 20]);
  });

  it("rejects input that JSON cannot carry, before running anything", async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(runCode("return 1", cyclic)).rejects.toThrow(/JSON-serialisable/);
  });
});

describe("runCode: console", () => {
  it("captures console.log, warn and error lines, formatting non-strings as JSON", async () => {
    const result = await runCode(
      `console.log("hello", 42, { a: [1, "b"] }, null, undefined);
       console.info("info");
       console.warn("careful");
       console.error(new TypeError("bad thing"));
       return "done";`,
      null,
    );
    expect(result.value).toBe("done");
    expect(result.logs).toEqual(['hello 42 {"a":[1,"b"]} null undefined', "info", "[warn] careful", "[error] TypeError: bad thing"]);
  });

  it("caps the number of lines and the length of each line", async () => {
    const result = await runCode(`console.log("x".repeat(5000)); for (let i = 0; i < 500; i++) console.log("line " + i); return 1`, null);
    expect(result.logs).toHaveLength(100);
    expect(result.logs[0]).toBe("x".repeat(1000) + "…");
    expect(result.logs[1]).toBe("line 0");
    expect(result.logs[99]).toMatch(/truncated/);
  });

  it("keeps the lines logged before a failure on the error", async () => {
    const error = await expectKind(runCode(`console.log("step 1");\nthrow new Error("boom")`, null), "runtime");
    expect(error.logs).toEqual(["step 1"]);
  });
});

describe("runCode: failures", () => {
  it("reports a syntax error with its line", async () => {
    const error = await expectKind(runCode("const a = 1;\nconst b = ;\nreturn a", null), "syntax");
    expect(error.line).toBe(2);
    expect(error.message).toMatch(/^Code has a syntax error at line 2: /);
  });

  it("reports a missing closing brace at the last line of the code", async () => {
    const error = await expectKind(runCode("if (input) {\n  return 1;", true), "syntax");
    expect(error.line).toBe(2);
  });

  it("reports a thrown Error with its message and line", async () => {
    const error = await expectKind(runCode("const a = 1;\nlet o;\nreturn o.x;", null), "runtime");
    expect(error.message).toBe("Code threw at line 3: TypeError: cannot read property 'x' of undefined");
    expect(error.line).toBe(3);
    const custom = await expectKind(runCode('throw new RangeError("out of range: " + input)', 7), "runtime");
    expect(custom.message).toContain("RangeError: out of range: 7");
  });

  it("reports thrown non-Error values and rejected promises", async () => {
    expect((await expectKind(runCode('throw "plain"', null), "runtime")).message).toBe('Code threw: "plain"');
    expect((await expectKind(runCode("return Promise.reject(new Error('async boom'))", null), "runtime")).message).toContain("Error: async boom");
    expect((await expectKind(runCode("return new Promise(() => {})", null), "runtime")).message).toMatch(/never settles/);
  });

  it("stops an endless loop at the deadline, even one that catches, and the pool keeps working", async () => {
    const error = await expectKind(runCode("while (true) {}", null, { timeoutMs: 300 }), "timeout");
    expect(error.message).toBe("Code exceeded its time limit of 300 ms");
    await expectKind(runCode("try { while (true) {} } catch { return 'escaped'; }", null, { timeoutMs: 300 }), "timeout");
    expect((await runCode("return input + 1", 1)).value).toBe(2);
  });

  it("does not block the main event loop while code runs", async () => {
    let ticked = false;
    setTimeout(() => (ticked = true), 20);
    await expectKind(runCode("while (true) {}", null, { timeoutMs: 1_000 }), "timeout");
    expect(ticked).toBe(true);
  });

  it("terminates a thread that never reaches the interrupt check, as a timeout", async () => {
    // Each iteration is one long native call, so QuickJS never polls its interrupt handler.
    await expectKind(runCode('while (true) "x".repeat(5e7)', null, { timeoutMs: 100, memoryMb: 256 }), "timeout");
    expect((await runCode("return 'still working'", null)).value).toBe("still working");
  });

  it("stops an allocation bomb at the memory limit", async () => {
    const error = await expectKind(runCode('const a = []; while (true) a.push("x".repeat(1e6))', null, { memoryMb: 32 }), "memory");
    expect(error.message).toMatch(/^Code exceeded its memory limit of 32 MB/);
    await expectKind(runCode("const a = []; while (true) a.push({ n: a.length, s: 'v' + a.length })", null, { memoryMb: 16, timeoutMs: 30_000 }), "memory");
    await expectKind(runCode("return new Array(5e7).fill(1).length", null, { memoryMb: 16 }), "memory");
    expect((await runCode("return 'x'.repeat(1e6).length", null)).value).toBe(1e6);
  });

  it("stops runaway recursion", async () => {
    const error = await expectKind(runCode("function f(n) { return f(n + 1) + 1; }\nreturn f(0);", null), "memory");
    expect(error.message).toMatch(/call stack/);
    await expectKind(runCode("return JSON.parse('['.repeat(1e6))", null), "memory");
    expect((await runCode("function f(n) { return n === 0 ? 0 : f(n - 1) + 1; } return f(500);", null)).value).toBe(500);
  });

  it("refuses output larger than 1 MB of JSON, and values JSON cannot carry", async () => {
    const large = await expectKind(runCode("return 'x'.repeat(2 * 1024 * 1024)", null), "output");
    expect(large.message).toMatch(/more than 1 MB of JSON/);
    // Multi-byte characters count in bytes: 400k × 3 bytes is over the cap.
    await expectKind(runCode("return '€'.repeat(400000)", null), "output");
    expect((await expectKind(runCode("return { n: 10n }", null), "output")).message).toMatch(/BigInt/);
    await expectKind(runCode("const o = {}; o.self = o; return o", null), "output");
  });
});

describe("runCode: isolation", () => {
  it("offers no require, process, fetch, timers or modules", async () => {
    const result = await runCode(
      "return [typeof require, typeof process, typeof fetch, typeof setTimeout, typeof setInterval, typeof XMLHttpRequest, typeof module, typeof Buffer]",
      null,
    );
    expect(result.value).toEqual(Array(8).fill("undefined"));
    const imported = await expectKind(runCode("return await import('node:fs')", null), "runtime");
    expect(imported.message).toMatch(/modules are not available/);
    await expectKind(runCode("import fs from 'node:fs'; return 1", null), "syntax");
  });

  it("gives every call a fresh global scope and fresh built-ins", async () => {
    for (let i = 0; i < 6; i++) {
      const result = await runCode(
        `const seen = [typeof leaked, typeof [].map, Object.prototype.polluted];
         globalThis.leaked = input; Array.prototype.map = null; Object.prototype.polluted = "yes";
         return seen;`,
        i,
      );
      expect(result.value).toEqual(["undefined", "function", null]);
    }
  });

  it("cannot reach the host through the values it receives", async () => {
    const result = await runCode("return [typeof input.fn, typeof input.date, input.date]", {
      fn: () => 1,
      date: new Date(Date.UTC(2024, 0, 1)),
    });
    expect(result.value).toEqual(["undefined", "string", "2024-01-01T00:00:00.000Z"]);
  });
});

describe("runCode: concurrency and cancellation", () => {
  it("runs 20 concurrent calls, each with its own input", async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => runCode("let s = 0; for (let k = 0; k < 10000; k++) s += k; return input * 2 + (s > 0 ? 0 : 1)", i)));
    expect(results.map((result) => result.value)).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
  });

  it("cancels a running call when its signal aborts, and the pool keeps working", async () => {
    await runCode("return 1", null); // a warm thread, so the next call is running when aborted
    const controller = new AbortController();
    const running = runCode("while (true) {}", null, { timeoutMs: 30_000 }, controller.signal);
    setTimeout(() => controller.abort(), 100);
    const error = await expectKind(running, "cancelled");
    expect(error.message).toBe("Code execution was cancelled");
    expect((await runCode("return input", "after")).value).toBe("after");
  });

  it("cancels at once when the signal is already aborted", async () => {
    await expectKind(runCode("return 1", null, {}, AbortSignal.abort()), "cancelled");
  });

  it("cancels calls still waiting for a thread without disturbing the others", async () => {
    const controller = new AbortController();
    const busy = Array.from({ length: 6 }, () => runCode("let s = 0; for (let i = 0; i < 2e6; i++) s += i; return s", null));
    const waiting = runCode("return 'never'", null, {}, controller.signal);
    controller.abort();
    await expectKind(waiting, "cancelled");
    expect(new Set((await Promise.all(busy)).map((result) => result.value))).toEqual(new Set([1999999000000]));
  });

  it("starts again after shutdown", async () => {
    await shutdownSandbox();
    expect((await runCode("return 'restarted'", null)).value).toBe("restarted");
  });
});

describe("evaluateExpression", () => {
  const scope = { input: { mode: "strict" }, steps: { check: { output: { score: 0.7, tags: ["a", "b"] } } }, run: { id: "r1" } };

  it("evaluates an expression with the scope's keys as globals", async () => {
    expect(await evaluateExpression('steps.check.output.score > 0.5 && input.mode === "strict"', scope)).toBe(true);
    expect(await evaluateExpression("steps.check.output.score > 0.9", scope)).toBe(false);
    expect(await evaluateExpression("steps.check.output.tags.includes('b') ? run.id : null", scope)).toBe("r1");
    expect(await evaluateExpression("({ n: steps.check.output.tags.length })", scope)).toEqual({ n: 2 });
  });

  it("reports unknown names, syntax errors and endless work precisely", async () => {
    const unknown = await expectKind(evaluateExpression("missing.value > 1", scope), "runtime");
    expect(unknown.message).toBe("Expression threw at line 1: ReferenceError: 'missing' is not defined");
    const syntax = await expectKind(evaluateExpression("input.mode ===", scope), "syntax");
    expect(syntax.line).toBe(1);
    expect(syntax.message).toMatch(/^Expression has a syntax error at line 1/);
    await expectKind(evaluateExpression("(() => { while (true) {} })()", scope, { timeoutMs: 200 }), "timeout");
  });

  it("does not keep one evaluation's scope for the next", async () => {
    expect(await evaluateExpression("secret", { secret: 1 })).toBe(1);
    expect(await evaluateExpression("typeof secret", {})).toBe("undefined");
  });
});
