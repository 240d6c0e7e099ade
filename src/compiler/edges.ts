// A node's edges (Flyte's workflowBuilder.AddEdges): its explicit upstream_node_ids and the
// providers of its bindings, which are type-checked against its interface here.

import { EdgeDirection, type NodeBuilder, type WorkflowBuilder } from "./builder.js";
import { validateBindings } from "./bindings.js";
import type { ErrorScope } from "./errors.js";

/**
 * Records the node's edges in the given direction. A node without interface (its interface had
 * errors) gets none and its bindings are not checked.
 */
export function addEdges(w: WorkflowBuilder, b: NodeBuilder, direction: EdgeDirection, errs: ErrorScope): boolean {
  if (b.iface === undefined) return false;
  const node = b.node;
  if (direction !== EdgeDirection.Upstream) {
    for (const upstream of node.upstreamNodeIds) w.addExecutionEdge(upstream, node.id);
  }
  return validateBindings(w, b, node.inputs, b.iface.inputs, true, direction, errs.scope()).ok;
}
