// The code step through the real sandbox: values in and out, console lines as logs,
// limits from the step capped by the configuration, and sandbox failures sorted.
import { afterAll, describe, expect, it } from "vitest";
import { shutdownSandbox } from "../sandbox/index.ts";
import { stepFailure, testStepContext } from "../testing/step-context.ts";
import type { StepOutcome } from "../types.ts";
import { createCodeRunner, type CodeStep } from "./code.ts";

afterAll(() => shutdownSandbox());

const runner = createCodeRunner({ defaultTimeoutMs: 2_000, defaultMemoryMb: 32 });

function run(step: CodeStep, signal: AbortSignal = new AbortController().signal, codeRunner = runner): { outcome: Promise<StepOutcome>; logs: string[] } {
  const { ctx, logs } = testStepContext(step, { stepKey: "calc", signal });
  return { outcome: codeRunner(ctx), logs };
}

const code = (body: string, over: Partial<CodeStep> = {}): CodeStep => ({ kind: "code", code: body, inputs: {}, ...over });

describe("code step", () => {
  it("returns the code's value computed from its inputs, and logs its console lines", async () => {
    const { outcome, logs } = run(code('console.log("adding", input.a, input.b); return { sum: input.a + input.b, items: input.items.map((x) => x * 2) };', { inputs: { a: 2, b: 3, items: [1, 2] } }));
    expect((await outcome).output).toEqual({ sum: 5, items: [2, 4] });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/^info: .*adding 2 3/);
  });

  it("a step's timeout ends an endless loop as CODE_TIMEOUT, permanently", async () => {
    const error = await stepFailure(run({ id: "calc", kind: "code", code: "while (true) {}", inputs: {}, timeoutMs: 200 }).outcome);
    expect(error).toMatchObject({ code: "CODE_TIMEOUT", retryable: false });
  });

  it("the configured timeout caps a longer one the step asks for", async () => {
    const strict = createCodeRunner({ defaultTimeoutMs: 200, defaultMemoryMb: 32 });
    const error = await stepFailure(run({ id: "calc", kind: "code", code: "while (true) {}", inputs: {}, timeoutMs: 3_600_000 }, undefined, strict).outcome);
    expect(error.code).toBe("CODE_TIMEOUT");
  });

  it("syntax and runtime errors keep the sandbox's message", async () => {
    expect(await stepFailure(run(code("return (1 +;")).outcome)).toMatchObject({ code: "CODE_SYNTAX", retryable: false });
    const { outcome, logs } = run(code('console.log("checking customers"); throw new Error("no customers given");'));
    const runtime = await stepFailure(outcome);
    expect(runtime).toMatchObject({ code: "CODE_RUNTIME", retryable: false });
    expect(runtime.message).toContain("no customers given");
    expect(logs).toEqual([expect.stringContaining("checking customers")]);
  });

  it("cancelling stops the code with CANCELLED", async () => {
    const controller = new AbortController();
    const { outcome } = run(code("while (true) {}"), controller.signal);
    setTimeout(() => controller.abort(), 50);
    expect((await stepFailure(outcome)).code).toBe("CANCELLED");
  });
});
