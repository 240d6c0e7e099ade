// A linear-time layered layout for big graphs, where dagre's crossing minimisation takes seconds (1.4 s for
// 1,000 nodes in 25 chains): each node's column is its longest path from a source, rows follow the mean row of
// its predecessors (one sweep, which keeps chains straight), and edges are straight lines between node sides.
// Less tidy than dagre on tangled graphs; the console uses it only above LARGE_GRAPH nodes.
import type { GraphModel, Positioned } from "./graph.js";

export const LARGE_GRAPH = 200;

interface Sizes {
  nodesep: number;
  ranksep: number;
  margin: number;
  /** Each node's box, by id. */
  size: (id: string) => { width: number; height: number };
}

export function layeredLayout(model: GraphModel, sizes: Sizes): Positioned {
  const { nodesep, ranksep, margin, size } = sizes;
  const preds = new Map<string, string[]>(model.nodes.map((n) => [n.id, []]));
  const succs = new Map<string, string[]>(model.nodes.map((n) => [n.id, []]));
  for (const edge of model.edges) {
    preds.get(edge.to)?.push(edge.from);
    succs.get(edge.from)?.push(edge.to);
  }

  // Columns: longest path from a source, in topological order (Kahn).
  const rank = new Map<string, number>();
  const waiting = new Map(model.nodes.map((n) => [n.id, preds.get(n.id)?.length ?? 0]));
  const ready = model.nodes.filter((n) => waiting.get(n.id) === 0).map((n) => n.id);
  const order: string[] = [];
  for (let i = 0; i < ready.length; i++) {
    const id = ready[i];
    order.push(id);
    const r = Math.max(0, ...(preds.get(id) ?? []).map((p) => (rank.get(p) ?? 0) + 1));
    rank.set(id, r);
    for (const next of succs.get(id) ?? []) {
      const left = (waiting.get(next) ?? 0) - 1;
      waiting.set(next, left);
      if (left === 0) ready.push(next);
    }
  }
  const deepest = Math.max(0, ...rank.values());
  // Nodes without edges (the failure node) go last, beside the end; a cycle, impossible in a compiled DAG, too.
  for (const node of model.nodes) {
    const alone = (preds.get(node.id)?.length ?? 0) === 0 && (succs.get(node.id)?.length ?? 0) === 0;
    if (!rank.has(node.id) || (alone && model.nodes.length > 1)) {
      rank.set(node.id, deepest + (rank.has(node.id) ? 0 : 1));
      if (!order.includes(node.id)) order.push(node.id);
    }
  }

  // Rows: in each column, sorted by the mean row of the node's predecessors (first-seen order breaks ties).
  const byRank: string[][] = Array.from({ length: Math.max(...rank.values()) + 1 }, () => []);
  for (const id of order) byRank[rank.get(id) ?? 0].push(id);
  const columns = byRank.filter((column) => column.length > 0);
  const row = new Map<string, number>();
  for (const column of columns) {
    const key = new Map(
      column.map((id, i) => {
        const rows = (preds.get(id) ?? []).map((p) => row.get(p)).filter((r): r is number => r !== undefined);
        return [id, rows.length > 0 ? rows.reduce((a, b) => a + b, 0) / rows.length : i];
      }),
    );
    column.sort((a, b) => (key.get(a) ?? 0) - (key.get(b) ?? 0));
    for (const [i, id] of column.entries()) row.set(id, i);
  }

  // Coordinates: a column is as wide as its widest node; columns are centred vertically on the tallest.
  const rowHeight = Math.max(...model.nodes.map((n) => size(n.id).height)) + nodesep;
  const tallest = Math.max(...columns.map((c) => c.length));
  const boxes = new Map<string, { x: number; y: number; width: number; height: number }>();
  let x = margin;
  for (const column of columns) {
    const width = Math.max(...column.map((id) => size(id).width));
    const top = margin + ((tallest - column.length) * rowHeight) / 2;
    for (const [i, id] of column.entries()) {
      const box = size(id);
      boxes.set(id, {
        x: x + (width - box.width) / 2,
        y: top + i * rowHeight + (rowHeight - nodesep - box.height) / 2,
        ...box,
      });
    }
    x += width + ranksep;
  }
  const nodes = model.nodes.map((node) => ({ ...node, ...boxes.get(node.id)! }));
  const edges = model.edges.map((edge) => {
    const from = boxes.get(edge.from)!;
    const to = boxes.get(edge.to)!;
    return {
      ...edge,
      points: [
        { x: from.x + from.width, y: from.y + from.height / 2 },
        { x: to.x, y: to.y + to.height / 2 },
      ],
    };
  });
  return { nodes, edges, width: x - ranksep + margin, height: margin * 2 + tallest * rowHeight - nodesep };
}
