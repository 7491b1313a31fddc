// MCP servers: every member reads them and their tools, only admins add, change,
// remove or test them (tools:admin). No case starts a server process: the test case
// uses a command that does not exist, which answers ok:false at once.
import type { Fixtures } from "../fixtures.ts";
import { adminsOnly, teamMembers, unique, type Case } from "../rbac.ts";

/** A server of acme's own for each persona to change, remove or read. */
async function newServer(f: Fixtures) {
  const row = await f.db.mcpServer.create({ data: { teamId: f.team.id, name: unique("rbac-mcp-"), transport: "stdio", command: "no-such-mcp-command", args: [] } });
  return row.id;
}

export const MCP_CASES: Record<string, Case> = {
  "mcp.list": { expect: teamMembers, input: (f) => ({ teamId: f.team.id }) },
  "mcp.tools": { expect: teamMembers, input: async (f) => ({ teamId: f.team.id, serverId: await newServer(f) }) },
  "mcp.create": { expect: adminsOnly, input: (f) => ({ teamId: f.team.id, name: unique("rbac-new-mcp-"), transport: "http", url: "http://127.0.0.1:9/mcp" }) },
  "mcp.update": { expect: adminsOnly, input: async (f) => ({ teamId: f.team.id, serverId: await newServer(f), enabled: false }) },
  "mcp.remove": { expect: adminsOnly, input: async (f) => ({ teamId: f.team.id, serverId: await newServer(f) }) },
  "mcp.test": { expect: adminsOnly, input: (f) => ({ teamId: f.team.id, draft: { transport: "stdio", command: "no-such-mcp-command" } }) },
};
