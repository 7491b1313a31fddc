// The production server runs under tsx: the thread body must load there too, and an
// idle pool must never keep a process from exiting.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const tsx = path.join(root, "node_modules/.bin/tsx");
const sandboxUrl = pathToFileURL(path.join(root, "server/engine/sandbox/sandbox.ts")).href;
let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), "sandbox-lifecycle-"));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function runScript(body: string): Promise<{ stdout: string; stderr: string }> {
  const file = path.join(directory, `script-${Math.random().toString(36).slice(2)}.mts`);
  await writeFile(file, `import { runCode, evaluateExpression } from ${JSON.stringify(sandboxUrl)};\n${body}\n`);
  // A process kept alive by an idle thread would hang here until the timeout kills it.
  return promisify(execFile)(tsx, [file], { cwd: root, timeout: 20_000, env: { ...process.env, NODE_OPTIONS: "" } });
}

describe("sandbox under tsx", () => {
  it("runs code and lets the process exit by itself once idle", async () => {
    const { stdout } = await runScript(
      `const result = await runCode("return input.a + 1", { a: 41 });
       const verdict = await evaluateExpression("score > 0.5", { score: 0.9 });
       console.log(JSON.stringify([result.value, verdict]));`,
    );
    expect(stdout.trim()).toBe("[42,true]");
  });

  it("lets the process exit after a call that timed out and replaced its thread", async () => {
    const { stdout } = await runScript(
      `const outcome = await runCode("while (true) {}", null, { timeoutMs: 100 }).catch((error) => error.kind);
       console.log(outcome);`,
    );
    expect(stdout.trim()).toBe("timeout");
  });
});
