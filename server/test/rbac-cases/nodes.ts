// Worker nodes: every member sees them; only admins drain one (nodes:admin). The rows
// are written directly: no node process runs in the matrix.
import type { Fixtures } from "../fixtures.ts";
import { adminsOnly, teamMembers, unique, type Case } from "../rbac.ts";

/** An ACTIVE node for each persona to drain. */
async function newNode(f: Fixtures) {
  const row = await f.db.workerNode.create({ data: { id: unique("rbac-host.local-worker-1-"), host: "rbac-host.local", pid: 1, role: "worker", capacity: 4 } });
  return row.id;
}

export const NODES_CASES: Record<string, Case> = {
  "nodes.list": { expect: teamMembers, input: (f) => ({ teamId: f.team.id }) },
  "nodes.drain": { expect: adminsOnly, input: async (f) => ({ teamId: f.team.id, nodeId: await newNode(f) }) },
};
