// Runs: every member reads them; operators and admins start, pause, resume, retry and
// approve (workflows:run) and cancel (runs:cancel). The rows are written directly, in
// the state each control acts on; start needs the engine running in the matrix.
import type { Prisma } from "../../db/generated/client.ts";
import type { RunStatus, StepStatus, WorkflowDefinitionInput } from "../../shared/workflow-definition.ts";
import type { Fixtures } from "../fixtures.ts";
import { adminsOnly, operatorsUp, teamMembers, unique, type Case } from "../rbac.ts";
import { codeDefinition, newWorkflow } from "./workflows.ts";

interface StepSeed {
  key: string;
  kind: string;
  status: StepStatus;
}

const approvalDefinition: WorkflowDefinitionInput = {
  schemaVersion: 1,
  name: "RBAC approval",
  steps: [{ id: "gate", kind: "approval", message: "May it go on?", scope: "workflows:run" }],
};

/** A run of a fresh acme workflow, in the given state, with the given step rows. */
export async function newRun(f: Fixtures, status: RunStatus, steps: StepSeed[] = [], definition: WorkflowDefinitionInput = codeDefinition()) {
  const workflow = await newWorkflow(f, definition);
  const now = new Date();
  const finished = ["SUCCEEDED", "FAILED", "CANCELLED", "COMPENSATED"].includes(status);
  const run = await f.db.run.create({
    data: {
      teamId: f.team.id,
      workflowId: workflow.id,
      workflowVersionId: workflow.versionId,
      version: 1,
      status,
      input: {},
      createdById: f.users.operator.id,
      startedAt: status === "QUEUED" ? null : now,
      finishedAt: finished ? now : null,
      ...(status === "FAILED" ? { error: { message: "It broke.", code: "STEP_FAILED", stepKey: steps[0]?.key ?? null } } : {}),
      steps: {
        create: steps.map((s) => ({
          key: s.key,
          stepId: s.key,
          kind: s.kind,
          status: s.status,
          attempt: 1,
          idempotencyKey: unique(`rbac-step-${s.key}-`),
          startedAt: now,
          ...(s.status === "FAILED" ? { error: { message: "It broke.", code: "STEP_FAILED" } as Prisma.InputJsonValue, finishedAt: now } : {}),
        })),
      },
    },
  });
  return { runId: run.id, workflow };
}

const target = async (f: Fixtures, status: RunStatus, steps: StepSeed[] = [], definition?: WorkflowDefinitionInput) => ({
  teamId: f.team.id,
  runId: (await newRun(f, status, steps, definition)).runId,
});

async function deadLetter(f: Fixtures) {
  // Retrying a dead letter retries its step, which only a run that ended may do.
  const { runId } = await newRun(f, "FAILED", [{ key: "compute", kind: "code", status: "FAILED" }]);
  const step = await f.db.stepRun.findFirstOrThrow({ where: { runId } });
  const letter = await f.db.deadLetter.create({
    data: { teamId: f.team.id, runId, stepRunId: step.id, stepKey: step.key, queue: "steps", error: "The worker kept crashing.", attempts: 3 },
  });
  return { teamId: f.team.id, deadLetterId: letter.id };
}

export const RUNS_CASES: Record<string, Case> = {
  "runs.start": { expect: operatorsUp, input: async (f) => ({ teamId: f.team.id, workflow: (await newWorkflow(f)).slug }) },
  "runs.get": { expect: teamMembers, input: (f) => target(f, "SUCCEEDED", [{ key: "compute", kind: "code", status: "SUCCEEDED" }]) },
  "runs.list": { expect: teamMembers, input: (f) => ({ teamId: f.team.id, status: ["SUCCEEDED", "FAILED"], limit: 10 }) },
  "runs.events": { expect: teamMembers, input: (f) => target(f, "SUCCEEDED") },
  "runs.messages": { expect: teamMembers, input: (f) => target(f, "SUCCEEDED") },
  "runs.memory": { expect: teamMembers, input: (f) => target(f, "SUCCEEDED") },
  "runs.deadLetters": { expect: teamMembers, input: (f) => ({ teamId: f.team.id }) },
  "runs.limits": { expect: teamMembers, input: (f) => ({ teamId: f.team.id }) },
  "runs.setLimits": { expect: adminsOnly, input: (f) => ({ teamId: f.team.id, maxConcurrentRuns: null }) },
  "runs.cancel": { expect: operatorsUp, input: (f) => target(f, "WAITING", [{ key: "gate", kind: "approval", status: "WAITING" }], approvalDefinition) },
  "runs.pause": { expect: operatorsUp, input: (f) => target(f, "WAITING", [{ key: "gate", kind: "approval", status: "WAITING" }], approvalDefinition) },
  "runs.resume": { expect: operatorsUp, input: (f) => target(f, "PAUSED", [{ key: "gate", kind: "approval", status: "WAITING" }], approvalDefinition) },
  "runs.retry": {
    expect: operatorsUp,
    input: async (f) => ({ ...(await target(f, "FAILED", [{ key: "compute", kind: "code", status: "FAILED" }])), stepKey: "compute" }),
  },
  "runs.approve": {
    expect: operatorsUp,
    input: async (f) => ({
      ...(await target(f, "WAITING", [{ key: "gate", kind: "approval", status: "WAITING" }], approvalDefinition)),
      stepKey: "gate",
      approved: true,
      comment: "Fine by me.",
    }),
  },
  "runs.retryDeadLetter": { expect: operatorsUp, input: deadLetter },
};
