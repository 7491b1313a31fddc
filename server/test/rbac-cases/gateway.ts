import type { Case } from "../rbac.ts";
import { operatorsUp, teamMembers } from "../rbac.ts";
import type { Fixtures } from "../fixtures.ts";
import { teamConfigChanged } from "../../llm/invalidation.ts";

const OFFLINE_REF = "rbac-offline/maestro-offline";

/** Calls go to an offline provider of the team, whatever other providers the matrix created. */
async function offlineChat(f: Fixtures) {
  const existing = await f.db.llmProvider.findFirst({ where: { teamId: f.team.id, name: "rbac-offline" } });
  if (!existing) {
    await f.db.llmProvider.create({ data: { teamId: f.team.id, name: "rbac-offline", kind: "offline", models: ["maestro-offline"], priority: 1 } });
    teamConfigChanged(f.team.id, "providers");
  }
  return { teamId: f.team.id, model: OFFLINE_REF, messages: [{ role: "user" as const, content: "Who may call me?" }], cache: false };
}

export const GATEWAY_CASES: Record<string, Case> = {
  "gateway.chat": { expect: operatorsUp, input: offlineChat },
  "gateway.chatStream": { expect: operatorsUp, input: offlineChat, subscription: true },
  "gateway.models": { expect: teamMembers, input: (f) => ({ teamId: f.team.id }) },
  "gateway.cacheStats": { expect: teamMembers, input: (f) => ({ teamId: f.team.id }) },
  "gateway.cacheInvalidate": { expect: operatorsUp, input: (f) => ({ teamId: f.team.id, model: "maestro-offline" }) },
  "gateway.cacheWarm": {
    expect: operatorsUp,
    input: async (f) => {
      const { teamId: _team, ...request } = await offlineChat(f);
      return { teamId: f.team.id, requests: [request] };
    },
  },
};
