// The `agent` step: the team's agent (or a built-in) works on the task in a tool loop
// until it submits a result its role's schema accepts; the role's policy is applied, the
// result goes to the next role as a typed message and into the run's memory.
import type { Db } from "../../db/client.ts";
import type { MapItemStep, StepOf } from "../../shared/workflow-definition.ts";
import { StepError, type StepRunner } from "../types.ts";
import { runExecutor } from "./executor.ts";
import { AgentSpend, composePrompt, runToolLoop, type LoopContext } from "./loop.ts";
import { resolveAgent } from "./registry.ts";
import { roleSpec } from "./roles.ts";
import type { Review } from "./schemas.ts";

export type AgentStep = StepOf<"agent"> | Extract<MapItemStep, { kind: "agent" }>;

export interface AgentRunnerOptions {
  db: () => Promise<Db>;
}

export function createAgentRunner(options: AgentRunnerOptions): StepRunner<AgentStep> {
  return async (ctx) => {
    const agent = await resolveAgent(await options.db(), ctx.run.teamId, ctx.step.agent);
    const role = roleSpec(agent.role);
    const context = ctx.step.context ?? {};
    const system = [role.guidance, agent.instructions].filter((part) => part.trim()).join("\n\n");
    const tools = await ctx.tools.list(agent.tools);
    const spend = new AgentSpend(agent);
    const loop: LoopContext = { step: ctx, agent, spend, signal: ctx.signal };

    await ctx.messages.send({ from: role.from, to: agent.slug, kind: "task", content: { task: ctx.step.task, context } });
    const raw =
      role.role === "executor"
        ? await runExecutor(loop, { slug: agent.slug, task: ctx.step.task, context, system, tools, messages: ctx.messages })
        : (await runToolLoop(loop, { speaker: agent.slug, system, prompt: composePrompt(ctx.step.task, context), schema: role.schema, tools })).value;
    const output = role.enforce ? role.enforce(raw, context) : raw;

    await ctx.messages.send({ from: agent.slug, to: role.to, kind: role.outputKind, content: output, usage: { ...spend.usage } });
    await ctx.memory.set(role.role === "custom" ? agent.slug : role.role, output, agent.slug);
    if (role.role === "gatekeeper" && (output as Review).decision === "reject") {
      const reasons = (output as Review).reasons.join(" ") || "No reasons were given.";
      throw new StepError(`The gatekeeper "${agent.slug}" rejected the plan: ${reasons}`, { code: "REJECTED_BY_GATEKEEPER" });
    }
    return { output, usage: { ...spend.usage } };
  };
}
