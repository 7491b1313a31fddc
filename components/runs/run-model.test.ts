import { describe, expect, it } from "vitest";
import type { RunDto, RunEventDto, StepRunDto } from "@/server/shared/runs";
import { applyRunEvent, describeEvent, durationMs, formatDuration, mergeEvents, stepIdOfKey, stepViews } from "./run-model";

function row(key: string, status: StepRunDto["status"], extra: Partial<StepRunDto> = {}): StepRunDto {
  return {
    id: `row_${key}`,
    key,
    stepId: stepIdOfKey(key),
    kind: "code",
    status,
    attempt: 1,
    maxAttempts: 1,
    input: null,
    output: null,
    error: null,
    logs: [],
    nodeId: null,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    queuedAt: null,
    startedAt: null,
    finishedAt: null,
    ...extra,
  };
}

function run(steps: StepRunDto[]): RunDto {
  return {
    id: "run_1",
    workflowId: "wf_1",
    workflowSlug: "words",
    workflowName: "Words",
    version: 1,
    status: "RUNNING",
    priority: 0,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    createdAt: "2026-01-01T00:00:00.000Z",
    startedAt: "2026-01-01T00:00:01.000Z",
    finishedAt: null,
    createdBy: "a@b.c",
    progress: { done: 0, total: 3 },
    input: {},
    output: null,
    error: null,
    definition: {
      schemaVersion: 1,
      name: "Words",
      description: "",
      inputs: {},
      outputs: {},
      steps: [
        { id: "split", kind: "code", code: "return 1;", inputs: {}, compensate: { kind: "code", code: "return 0;", inputs: {} } },
        { id: "measure", kind: "map", items: "{{ steps.split.output }}", concurrency: 2, step: { kind: "http", method: "GET", url: "https://example.com" } },
        { id: "report", kind: "code", code: "return 1;", inputs: {} },
      ],
    },
    steps,
  };
}

const event = (type: RunEventDto["type"], stepKey: string | null, payload: Record<string, unknown>, id = "10"): RunEventDto => ({
  id,
  runId: "run_1",
  type,
  stepKey,
  payload,
  at: "2026-01-01T00:00:05.000Z",
});

describe("run model", () => {
  it("gives each definition step its state, map items and compensation", () => {
    const views = stepViews(run([row("split", "COMPENSATED"), row("split~compensate", "SUCCEEDED"), row("measure", "RUNNING"), row("measure[1]", "FAILED"), row("measure[0]", "SUCCEEDED"), row("measure[2]", "RUNNING")]));
    expect(views.get("split")).toMatchObject({ state: "COMPENSATED", compensation: { key: "split~compensate" } });
    expect(views.get("measure")!.items.map((i) => i.key)).toEqual(["measure[0]", "measure[1]", "measure[2]"]);
    expect(views.get("measure")!.itemsProgress).toEqual({ done: 2, failed: 1, total: 3 });
    expect(views.get("report")).toMatchObject({ state: "NOT_STARTED", main: null });
  });

  it("applies live state changes, adding rows the run did not have yet", () => {
    let current = run([row("split", "RUNNING", { startedAt: "2026-01-01T00:00:02.000Z" })]);
    current = applyRunEvent(current, event("step.status", "split", { status: "SUCCEEDED", attempt: 1 }));
    expect(current.steps[0]).toMatchObject({ status: "SUCCEEDED", finishedAt: "2026-01-01T00:00:05.000Z" });
    current = applyRunEvent(current, event("step.status", "measure[0]", { status: "RUNNING", attempt: 1 }));
    expect(current.steps[1]).toMatchObject({ key: "measure[0]", stepId: "measure", kind: "http", status: "RUNNING", startedAt: "2026-01-01T00:00:05.000Z" });
    expect(current.progress).toEqual({ done: 1, total: 4 });
    current = applyRunEvent(current, event("run.status", null, { status: "CANCELLED" }));
    expect(current).toMatchObject({ status: "CANCELLED", finishedAt: "2026-01-01T00:00:05.000Z" });
    // Another run's events and unknown statuses change nothing.
    expect(applyRunEvent(current, { ...event("run.status", null, { status: "FAILED" }), runId: "run_2" })).toBe(current);
    expect(applyRunEvent(current, event("step.status", "split", { status: "EXPLODED" }))).toBe(current);
  });

  it("merges events once each, in id order (ids are bigints as text)", () => {
    const merged = mergeEvents([event("memory", null, {}, "9"), event("memory", null, {}, "11")], [event("memory", null, {}, "10"), event("memory", null, {}, "9")]);
    expect(merged.map((e) => e.id)).toEqual(["9", "10", "11"]);
  });

  it("words events and durations for people", () => {
    expect(describeEvent(event("step.status", "fetch", { status: "QUEUED", attempt: 2, retryInMs: 2000, error: { message: "503" } }))).toBe("fetch will retry in 2.0 s (attempt 2) after: 503");
    expect(describeEvent(event("step.status", "approve", { status: "SUCCEEDED", decision: { approved: true, comment: "ok" } }))).toBe("approve approved: “ok”");
    expect(describeEvent(event("run.status", null, { status: "FAILED", error: { message: "boom" } }))).toBe("Run failed: boom");
    expect(formatDuration(durationMs("2026-01-01T00:00:00.000Z", "2026-01-01T00:03:05.000Z"))).toBe("3 min 05 s");
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(null)).toBe("—");
  });
});
