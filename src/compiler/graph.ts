// Reachability of a compiled workflow (Flyte's validateReachable and detectCycle, workflow_compiler.go
// and utils.go): a depth-first walk of the downstream edges from start-node must find no cycle and
// reach every node. Iterative, and each node is expanded once, so long chains and wide diamonds cost
// linear time (Flyte's recursive walk re-expands shared descendants).

import { END_NODE, START_NODE, type WorkflowBuilder } from "./builder.js";
import { byteOrder, type ErrorScope, errors } from "./errors.js";

const VISITING = 1;
const DONE = 2;

/**
 * The first cycle met walking from `start` (neighbours in byte order, so the reported path is
 * deterministic where Go's is random): the path from start to the repeated node, both included.
 * Otherwise the set of nodes reached.
 */
export function detectCycle(
  start: string,
  neighbors: (id: string) => readonly string[],
): { cycle: string[] } | { visited: Set<string> } {
  const state = new Map<string, number>([[start, VISITING]]);
  const stack: { id: string; next: readonly string[]; i: number }[] = [{ id: start, next: neighbors(start), i: 0 }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1];
    if (frame.i < frame.next.length) {
      const id = frame.next[frame.i++];
      const seen = state.get(id);
      if (seen === VISITING) return { cycle: [...stack.map((f) => f.id), id] };
      if (seen === DONE) continue;
      state.set(id, VISITING);
      stack.push({ id, next: neighbors(id), i: 0 });
    } else {
      state.set(frame.id, DONE);
      stack.pop();
    }
  }
  return { visited: new Set(state.keys()) };
}

/** CycleDetected, or UnreachableNodes listing (sorted) the nodes start-node does not lead to. */
export function validateReachable(w: WorkflowBuilder, errs: ErrorScope): boolean {
  const neighbors = (id: string) => {
    const set = w.downstream.get(id);
    return set === undefined ? [] : [...set].sort(byteOrder);
  };
  const result = detectCycle(START_NODE, neighbors);
  if ("cycle" in result) {
    errs.collect(errors.cycleDetected(START_NODE, result.cycle.join(">")));
  } else {
    const unreachable = [...w.nodes.keys()].filter((id) => id !== END_NODE && !result.visited.has(id));
    if (unreachable.length > 0)
      errs.collect(errors.unreachableNodes(START_NODE, unreachable.sort(byteOrder).join(",")));
  }
  return !errs.hasErrors;
}
