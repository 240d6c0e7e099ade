// A workflow's nodes in an order the engine can walk each round: every node after its upstream nodes.
import type { CompiledWorkflow, Node } from "../idl/index.js";

export const START_NODE = "start-node";
export const END_NODE = "end-node";

export interface Graph {
  nodes: Map<string, Node>;
  upstream: Map<string, string[]>;
  /** Topological order (start-node first), ties kept in template order. */
  order: string[];
}

export function graphOf(workflow: CompiledWorkflow): Graph {
  const template = workflow.template;
  if (template === undefined) throw new Error(`compiled workflow has no template`);
  const nodes = new Map(template.nodes.map((node) => [node.id, node]));
  const upstream = new Map<string, string[]>();
  for (const node of template.nodes) {
    const ids = workflow.connections?.upstream[node.id]?.ids ?? node.upstreamNodeIds;
    upstream.set(node.id, node.id === START_NODE ? [] : ids.filter((id) => nodes.has(id)));
  }
  return {
    nodes,
    upstream,
    order: topologicalOrder(
      template.nodes.map((n) => n.id),
      upstream,
    ),
  };
}

function topologicalOrder(ids: string[], upstream: Map<string, string[]>): string[] {
  const order: string[] = [];
  const placed = new Set<string>();
  const visiting = new Set<string>();
  const visit = (id: string) => {
    if (placed.has(id) || visiting.has(id)) return;
    visiting.add(id);
    for (const up of upstream.get(id) ?? []) visit(up);
    visiting.delete(id);
    placed.add(id);
    order.push(id);
  };
  for (const id of ids) visit(id);
  return order;
}
