// One round over a workflow's nodes (the top level, a subworkflow, a dynamic workflow or a failure node): every
// node whose upstream nodes are done is stepped once, nodes after a failed or skipped node are skipped, and the
// scope reports whether it is still running, has succeeded, or has failed (Flyte's failure policies).
import { WorkflowMetadata_OnFailurePolicy } from "../idl/index.js";
import type { ExecutionContext, NodeContext } from "./context.js";
import { type EngineError, NodeFailure } from "./errors.js";
import type { OutputLocator } from "./literals.js";
import { END_NODE, type Graph, START_NODE } from "./graph.js";
import { NodeExecution_Phase, sendNodeEvent } from "./node-events.js";
import { abortNode, stepNode } from "./nodes/index.js";
import { isNodeDone, isNodeSuccess, type NodeState, statusOf } from "./state.js";

export interface Scope {
  graph: Graph;
  statuses: Record<string, NodeState>;
  /** outputs.pb holding this scope's inputs (what the start node outputs). */
  inputsUri: string;
  dataDirOf(nodeId: string): string;
  uniqueIdOf(nodeId: string): string;
  parent?: { uniqueId: string; attempt: number };
  failurePolicy: WorkflowMetadata_OnFailurePolicy;
  isInDynamicChain?: boolean;
  /** Where binding promises look for outputs; default: this scope's own nodes. */
  outputsOf?: OutputLocator;
}

export type ScopeResult =
  | { kind: "running" }
  | { kind: "succeeded"; outputUri?: string }
  | { kind: "failed"; error: EngineError; nodeId: string };

export function outputsOf(scope: Scope): OutputLocator {
  if (scope.outputsOf !== undefined) return scope.outputsOf;
  return (nodeId: string): string | undefined =>
    nodeId === START_NODE || nodeId === "" ? scope.inputsUri : scope.statuses[nodeId]?.outputUri;
}

export function nodeContext(exec: ExecutionContext, scope: Scope, nodeId: string): NodeContext {
  const node = scope.graph.nodes.get(nodeId);
  if (node === undefined) throw new Error(`node ${nodeId} is not in the workflow`);
  return {
    exec,
    node,
    state: statusOf(scope.statuses, nodeId),
    uniqueId: scope.uniqueIdOf(nodeId),
    dataDir: scope.dataDirOf(nodeId),
    parent: scope.parent,
    outputsOf: outputsOf(scope),
    isInDynamicChain: scope.isInDynamicChain,
  };
}

export async function stepScope(exec: ExecutionContext, scope: Scope): Promise<ScopeResult> {
  const immediate = scope.failurePolicy !== WorkflowMetadata_OnFailurePolicy.FAIL_AFTER_EXECUTABLE_NODES_COMPLETE;
  let lastFailure: { id: string; state: NodeState } | undefined;
  for (const id of scope.graph.order) {
    const state = statusOf(scope.statuses, id);
    if (!isNodeDone(state.phase)) {
      const upstream = (scope.graph.upstream.get(id) ?? []).map((up) => scope.statuses[up]);
      if (upstream.some((up) => up === undefined || !isNodeDone(up.phase))) continue;
      const ctx = nodeContext(exec, scope, id);
      if (upstream.some((up) => !isNodeSuccess(up.phase))) await skipNode(ctx);
      else await stepGuarded(ctx);
    }
    if (state.phase === "Failed" || state.phase === "TimedOut") {
      lastFailure = { id, state };
      if (immediate) break;
    }
  }
  const end = scope.statuses[END_NODE];
  if (end?.phase === "Succeeded") return { kind: "succeeded", outputUri: end.outputUri };
  if (
    lastFailure !== undefined &&
    (immediate || scope.graph.order.every((id) => isNodeDone(scope.statuses[id]?.phase ?? "NotYetStarted")))
  ) {
    return { kind: "failed", error: lastFailure.state.error ?? unknownError(lastFailure.id), nodeId: lastFailure.id };
  }
  return { kind: "running" };
}

const unknownError = (nodeId: string): EngineError => ({
  code: "UnknownError",
  message: `Unknown error, last seen message [node ${nodeId} failed]`,
  kind: "UNKNOWN",
});

/** Steps a node; a NodeFailure (bad binding, missing spec...) fails the node instead of the engine. */
export async function stepGuarded(ctx: NodeContext): Promise<void> {
  try {
    await stepNode(ctx);
  } catch (error) {
    if (!(error instanceof NodeFailure)) throw error;
    ctx.state.phase = "Failed";
    ctx.state.error = error.error;
    ctx.state.attempt = undefined;
    ctx.exec.changed();
    sendNodeEvent(ctx, NodeExecution_Phase.FAILED, { error: error.error });
  }
}

async function skipNode(ctx: NodeContext): Promise<void> {
  ctx.state.phase = "Skipped";
  ctx.exec.changed();
  sendNodeEvent(ctx, NodeExecution_Phase.SKIPPED);
}

/** Stops every node of the scope that is still in progress, reporting each ABORTED with `reason`. */
export async function abortScope(exec: ExecutionContext, scope: Scope, reason: string, report = true): Promise<void> {
  for (const id of scope.graph.order) {
    const state = scope.statuses[id];
    if (state === undefined || isNodeDone(state.phase) || state.phase === "NotYetStarted") continue;
    const ctx = nodeContext(exec, scope, id);
    await abortNode(ctx, reason);
    ctx.state.phase = "Aborted";
    ctx.state.attempt = undefined;
    exec.changed();
    if (report)
      sendNodeEvent(ctx, NodeExecution_Phase.ABORTED, {
        error: { code: "NodeAborted", message: reason, kind: "SYSTEM" },
      });
  }
}

/** Task, array and launch-plan nodes with an attempt or child in flight: what max parallelism counts. */
export function slotsInUse(statuses: Record<string, NodeState>): number {
  let used = 0;
  for (const state of Object.values(statuses)) {
    if (state.attempt !== undefined || (state.childExecution !== undefined && !isNodeDone(state.phase))) used++;
    if (state.children !== undefined) used += slotsInUse(state.children);
  }
  return used;
}
