// A layered drawing of a DAG: each node's column is its dependency depth (the longest
// chain of steps before it), so everything flows left to right. Within a column nodes
// are ordered by where their dependencies sit (fewer crossings), then by declaration.

export interface LayoutOptions {
  /** Distance between columns (node width included). */
  columnGap?: number;
  /** Distance between rows (node height included). */
  rowGap?: number;
}

export interface Point {
  x: number;
  y: number;
}

/**
 * Depth of each node: 0 without known dependencies, else one more than its deepest one.
 * A cycle (an invalid definition) is cut where it closes, so every node still gets a depth.
 */
export function dependencyDepths(order: readonly string[], dependsOn: ReadonlyMap<string, readonly string[]>): Map<string, number> {
  const depths = new Map<string, number>();
  const visiting = new Set<string>();
  const depthOf = (id: string): number => {
    const known = depths.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return -1; // closes a cycle: ignore this edge
    visiting.add(id);
    let depth = 0;
    for (const dep of dependsOn.get(id) ?? []) {
      if (dep === id || !dependsOn.has(dep)) continue;
      const d = depthOf(dep);
      if (d >= 0) depth = Math.max(depth, d + 1);
    }
    visiting.delete(id);
    depths.set(id, depth);
    return depth;
  };
  for (const id of order) depthOf(id);
  return depths;
}

/** Positions for every node in `order` (declaration order), left to right by depth, each column centred on y = 0. */
export function layeredLayout(order: readonly string[], dependsOn: ReadonlyMap<string, readonly string[]>, options: LayoutOptions = {}): Map<string, Point> {
  const columnGap = options.columnGap ?? 250;
  const rowGap = options.rowGap ?? 110;
  const depths = dependencyDepths(order, dependsOn);
  const declared = new Map(order.map((id, i) => [id, i]));
  const columns: string[][] = [];
  for (const id of order) (columns[depths.get(id)!] ??= []).push(id);

  const row = new Map<string, number>();
  const positions = new Map<string, Point>();
  columns.forEach((column, depth) => {
    // Barycentre of the rows of the dependencies already placed; roots keep declaration order.
    const weight = (id: string) => {
      const placed = (dependsOn.get(id) ?? []).map((d) => row.get(d)).filter((r): r is number => r !== undefined);
      return placed.length ? placed.reduce((a, b) => a + b, 0) / placed.length : Number.POSITIVE_INFINITY;
    };
    const sorted = depth === 0 ? column : [...column].sort((a, b) => weight(a) - weight(b) || declared.get(a)! - declared.get(b)!);
    const offset = (sorted.length - 1) / 2;
    sorted.forEach((id, i) => {
      row.set(id, i - offset);
      positions.set(id, { x: depth * columnGap, y: (i - offset) * rowGap });
    });
  });
  return positions;
}
