// Typed messages between a run's agents, persisted on the AgentMessage table and shown
// live on the run's timeline (an "agent.message" event with a short preview).
import type { Db } from "../db/client.ts";
import { Prisma } from "../db/generated/client.ts";
import { recordRunEvent } from "./events.ts";
import type { RunRef } from "./memory.ts";
import { StepError, type AgentMessageInput, type AgentMessageKind, type MessageRouter } from "./types.ts";

export const MESSAGE_PREVIEW_CHARS = 200;

/** The content as text: strings as they are, anything else as JSON. */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  return JSON.stringify(content) ?? String(content);
}

/** JSON for a non-null column: null and undefined become a JSON null. */
function jsonValue(value: unknown): Prisma.InputJsonValue | typeof Prisma.JsonNull {
  if (value === undefined || value === null) return Prisma.JsonNull;
  return JSON.parse(JSON.stringify(value)) as Prisma.InputJsonValue;
}

export function createMessageRouter(db: Db, run: RunRef, stepKey: string | null): MessageRouter {
  return {
    async send(message) {
      // The run must be this team's (tenant floor) before anything is written to it.
      const owned = await db.run.count({ where: { id: run.id, teamId: run.teamId } });
      if (!owned) throw new StepError(`Run ${run.id} was not found, so no message can be sent in it.`, { code: "RUN_NOT_FOUND" });
      const row = await db.agentMessage.create({
        data: {
          runId: run.id,
          stepKey,
          from: message.from,
          to: message.to,
          kind: message.kind,
          content: jsonValue(message.content),
          inputTokens: message.usage?.inputTokens ?? 0,
          outputTokens: message.usage?.outputTokens ?? 0,
          costNano: BigInt(Math.round(message.usage?.costNano ?? 0)),
        },
        select: { id: true },
      });
      await recordRunEvent(db, {
        runId: run.id,
        teamId: run.teamId,
        type: "agent.message",
        stepKey,
        payload: { id: row.id, from: message.from, to: message.to, kind: message.kind, preview: contentText(message.content).slice(0, MESSAGE_PREVIEW_CHARS) },
      });
    },

    async inbox(to) {
      const rows = await db.agentMessage.findMany({
        where: { runId: run.id, run: { teamId: run.teamId }, ...(to !== undefined ? { to } : {}) },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      });
      return rows.map((row) => {
        const hasUsage = row.inputTokens > 0 || row.outputTokens > 0 || row.costNano > 0n;
        const message: AgentMessageInput & { at: Date } = {
          from: row.from,
          to: row.to,
          kind: row.kind as AgentMessageKind,
          content: row.content,
          at: row.createdAt,
          ...(hasUsage ? { usage: { inputTokens: row.inputTokens, outputTokens: row.outputTokens, costNano: Number(row.costNano) } } : {}),
        };
        return message;
      });
    },
  };
}
