// A subworkflow node runs the subworkflow's nodes inline, as children of the node: their data lives under the
// node's attempt dir and their events name the node as parent. The subworkflow's end node gives the outputs.
import type { CompiledWorkflow } from "../../idl/index.js";
import { childNodeDataDir, joinUri, nodeOutputDir, nodeUniqueId } from "../../storage/index.js";
import type { NodeContext } from "../context.js";
import { NodeExecution_Phase, sendNodeEvent } from "../node-events.js";
import { abortScope, type Scope, stepScope } from "../scope.js";
import { graphOf } from "../graph.js";
import { childStatuses } from "../state.js";
import { queueNode } from "./task.js";

/** The nodes of `workflow` run as children of the node in `ctx`: data under its attempt dir, ids derived from its. */
export function childScope(ctx: NodeContext, workflow: CompiledWorkflow, isInDynamicChain?: boolean): Scope {
  const attempt = ctx.state.attempts;
  const parent = { uniqueId: ctx.uniqueId, attempt };
  const outputDir = nodeOutputDir(ctx.dataDir, attempt);
  return {
    graph: graphOf(workflow),
    statuses: childStatuses(ctx.state),
    inputsUri: joinUri(ctx.dataDir, "inputs.pb"),
    dataDirOf: (id) => childNodeDataDir(outputDir, id),
    uniqueIdOf: (id) => nodeUniqueId(id, parent),
    parent,
    failurePolicy: workflow.template?.metadata?.onFailure ?? 0,
    isInDynamicChain,
  };
}

export function subworkflowScope(ctx: NodeContext): Scope {
  const ref = ctx.node.target.case === "workflowNode" ? ctx.node.target.value.reference : undefined;
  const workflow = ctx.exec.subWorkflow(ref?.case === "subWorkflowRef" ? ref.value : undefined);
  return childScope(ctx, workflow, ctx.isInDynamicChain);
}

/** One round of a node's child workflow; when it ends, the node ends the same way, with its outputs or error. */
export async function stepChildScope(ctx: NodeContext, scope: Scope): Promise<void> {
  const { state, exec } = ctx;
  const result = await stepScope(exec, scope);
  if (result.kind === "running") return;
  if (result.kind === "failed") {
    await abortScope(exec, scope, "Some node execution failed, auto-abort.");
    state.phase = "Failed";
    state.error = result.error;
    exec.changed();
    sendNodeEvent(ctx, NodeExecution_Phase.FAILED, { error: result.error });
    return;
  }
  state.phase = "Succeeded";
  state.outputUri = result.outputUri;
  exec.changed();
  sendNodeEvent(ctx, NodeExecution_Phase.SUCCEEDED, { outputUri: result.outputUri });
}

export async function stepSubworkflowNode(ctx: NodeContext): Promise<void> {
  const { state } = ctx;
  if (state.phase === "NotYetStarted") {
    await queueNode(ctx);
    state.phase = "Running";
    state.startedAt = Date.now();
    sendNodeEvent(ctx, NodeExecution_Phase.RUNNING, { extra: { isParent: true } });
  }
  await stepChildScope(ctx, subworkflowScope(ctx));
}
