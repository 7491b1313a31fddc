// Agents: every member sees them; operators and admins create, change and remove them
// (agents:write).
import type { Fixtures } from "../fixtures.ts";
import { operatorsUp, teamMembers, unique, type Case } from "../rbac.ts";

/** A custom agent of acme's own, written directly so the cases do not depend on the service under test. */
async function newAgent(f: Fixtures) {
  const slug = unique("rbac-agent-");
  await f.db.agent.create({ data: { teamId: f.team.id, slug, name: "RBAC agent", role: "custom", instructions: "", tools: [] } });
  return slug;
}

export const AGENTS_CASES: Record<string, Case> = {
  "agents.list": { expect: teamMembers, input: (f) => ({ teamId: f.team.id }) },
  "agents.get": { expect: teamMembers, input: (f) => ({ teamId: f.team.id, slug: "analyst" }) },
  "agents.create": { expect: operatorsUp, input: (f) => ({ teamId: f.team.id, slug: unique("rbac-new-agent-"), name: "New agent", role: "custom" }) },
  "agents.update": { expect: operatorsUp, input: async (f) => ({ teamId: f.team.id, slug: await newAgent(f), instructions: "Be brief." }) },
  "agents.remove": { expect: operatorsUp, input: async (f) => ({ teamId: f.team.id, slug: await newAgent(f) }) },
};
