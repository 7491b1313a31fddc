// What the agent tests share: a run on a real database to work in (its memory, messages
// and tool layer are the real ones), and a real Gateway over the offline model or a fake
// vendor. Used by tests only.
import type { Db } from "../../db/client.ts";
import { MemoryResponseCache } from "../../llm/cache.ts";
import { Gateway } from "../../llm/gateway.ts";
import type { ConfiguredProvider, UsageEvent } from "../../llm/gateway-types.ts";
import { createProviderClient } from "../../llm/providers/index.ts";
import type { WorkflowDefinition } from "../../shared/workflow-definition.ts";
import { createRunMemory } from "../memory.ts";
import { createMessageRouter } from "../messages.ts";
import { createAllowlist } from "../tools/allowlist.ts";
import { createToolInvoker } from "../tools/invoker.ts";
import type { StepContext, StepOutcome } from "../types.ts";
import { createAgentRunner, type AgentStep } from "./runner.ts";

const DEFINITION: WorkflowDefinition = { schemaVersion: 1, name: "Agents", description: "", inputs: {}, outputs: {}, steps: [] };
let counter = 0;

export interface TestGateway {
  gateway: Gateway;
  /** Every call the gateway accounted, in order. */
  usage: UsageEvent[];
}

/** A real Gateway over the given providers; retries are not slept, the cache is off. */
export function testGateway(providers: () => ConfiguredProvider[]): TestGateway {
  const usage: UsageEvent[] = [];
  const gateway = new Gateway({
    loadTeam: async () => ({ providers: providers(), catalogOverrides: [], policy: { strategy: "primary", defaultModel: null, fallback: [] }, cache: { enabled: false, ttlMs: 0 } }),
    cache: new MemoryResponseCache(),
    usage: { record: (event) => void usage.push(event), flush: async () => {} },
    createProvider: createProviderClient,
    retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 },
    sleep: async () => {},
  });
  return { gateway, usage };
}

export interface AgentRun {
  teamId: string;
  runId: string;
  /** Runs an agent step in this run, as the engine would (same run, a new step key each time). */
  invoke(step: Omit<AgentStep, "kind">, options?: { signal?: AbortSignal; stepKey?: string; logs?: string[] }): Promise<StepOutcome>;
}

export type ChatFunction = Gateway["chat"];

/** A team with a run to put agent steps in; `chat` (a Gateway's, or a wrapper of it) answers its calls. */
export async function seedAgentRun(db: Db, chat: ChatFunction): Promise<AgentRun> {
  const slug = `agents-${++counter}-${Date.now()}`;
  const team = await db.team.create({ data: { slug, name: slug } });
  const workflow = await db.workflow.create({ data: { teamId: team.id, slug: "flow", name: "Flow" } });
  const version = await db.workflowVersion.create({ data: { workflowId: workflow.id, version: 1, definition: DEFINITION as object } });
  const run = await db.run.create({ data: { teamId: team.id, workflowId: workflow.id, workflowVersionId: version.id, version: 1, input: {} } });
  const runner = createAgentRunner({ db: async () => db });
  const ref = { id: run.id, teamId: team.id };
  let steps = 0;
  return {
    teamId: team.id,
    runId: run.id,
    invoke(step, options = {}) {
      const stepKey = options.stepKey ?? `agent_${++steps}`;
      const memory = createRunMemory(db, ref);
      const ctx: StepContext<AgentStep> = {
        run: { id: run.id, teamId: team.id, workflowId: workflow.id, createdById: null, apiKeyId: null, definition: DEFINITION },
        step: { kind: "agent", ...step },
        stepKey,
        stepId: stepKey,
        attempt: 1,
        idempotencyKey: `${run.id}:${stepKey}`,
        signal: options.signal ?? new AbortController().signal,
        log: (level, message) => void options.logs?.push(`${level}: ${message}`),
        gateway: (request, signal) => chat({ teamId: team.id, runId: run.id, stepId: stepKey, operation: "workflow.step", signal }, request),
        memory,
        messages: createMessageRouter(db, ref, stepKey),
        tools: createToolInvoker({ db, run: ref, stepKey, memory, allowlist: createAllowlist([]), actor: stepKey }),
      };
      return runner(ctx);
    },
  };
}
