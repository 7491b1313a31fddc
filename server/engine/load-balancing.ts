// Which node runs a step when Redis carries the queues. `competing` lets every node
// pull from the shared queue (the fastest free worker wins); the other strategies
// have the enqueuer choose an ACTIVE node and put the job in that node's own queue.
// Pure functions: the BullMQ backend supplies the node list and the live counts.

export const LOAD_BALANCING_STRATEGIES = ["competing", "round-robin", "least-connections", "resource"] as const;
export type LoadBalancing = (typeof LOAD_BALANCING_STRATEGIES)[number];

/** What the chooser knows about one candidate node. */
export interface NodeLoad {
  id: string;
  /** Jobs the node runs at once; nodes with none are never chosen. */
  capacity: number;
  /** Jobs assigned to or running on the node now (least-connections). */
  load: number;
  /** Share of one core used over the last heartbeat. */
  cpu: number;
  memoryBytes: number;
}

/** The node with the fewest jobs per unit of capacity; ties go to the fewest jobs, then the id. */
export function leastConnections(nodes: readonly NodeLoad[]): NodeLoad | undefined {
  const perSlot = (node: NodeLoad) => node.load / Math.max(node.capacity, 1);
  return minimumBy(nodes, (a, b) => perSlot(a) - perSlot(b) || a.load - b.load);
}

/**
 * The node whose busier resource is the least busy: CPU as a share of a core, memory
 * as a share of the heaviest candidate's (rows carry no machine totals to compare with).
 */
export function leastResourceUse(nodes: readonly NodeLoad[]): NodeLoad | undefined {
  const heaviest = Math.max(1, ...nodes.map((node) => node.memoryBytes));
  const pressure = (node: NodeLoad) => Math.max(node.cpu, node.memoryBytes / heaviest);
  return minimumBy(nodes, (a, b) => pressure(a) - pressure(b) || a.load - b.load);
}

/** Chooses nodes by one strategy; keeps the round-robin turn between calls. */
export class NodeChooser {
  private turn = 0;

  constructor(readonly strategy: LoadBalancing) {}

  /** Whether this strategy routes jobs to node queues at all. */
  get routes(): boolean {
    return this.strategy !== "competing";
  }

  /** The node to queue the next job for, or null for the shared queue. */
  choose(nodes: readonly NodeLoad[]): string | null {
    const eligible = nodes.filter((node) => node.capacity > 0);
    if (!this.routes || eligible.length === 0) return null;
    switch (this.strategy) {
      case "round-robin": {
        const ordered = [...eligible].sort((a, b) => compareIds(a.id, b.id));
        const chosen = ordered[this.turn % ordered.length];
        this.turn = (this.turn + 1) % Number.MAX_SAFE_INTEGER;
        return chosen.id;
      }
      case "least-connections":
        return leastConnections(eligible)?.id ?? null;
      case "resource":
        return leastResourceUse(eligible)?.id ?? null;
      default:
        return null;
    }
  }
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function minimumBy(nodes: readonly NodeLoad[], compare: (a: NodeLoad, b: NodeLoad) => number): NodeLoad | undefined {
  let best: NodeLoad | undefined;
  for (const node of nodes) {
    if (!best) best = node;
    else {
      const order = compare(node, best) || compareIds(node.id, best.id);
      if (order < 0) best = node;
    }
  }
  return best;
}
