// A branch node: evaluate the cases in order, run the node of the first that holds (or the else node), and take
// its outputs. No case and no else is USER `MalformedBranchUserError`; an else_fail is USER with its message.
import type { Node, LiteralMap } from "../../idl/index.js";
import { childNodeDataDir, joinUri, nodeOutputDir, nodeUniqueId } from "../../storage/index.js";
import type { NodeContext } from "../context.js";
import { NodeFailure, userError } from "../errors.js";
import { NodeExecution_Phase, sendNodeEvent } from "../node-events.js";
import { childStatuses, isNodeDone, newNodeState, statusOf } from "../state.js";
import { queueNode } from "./task.js";
import { evaluate } from "./condition.js";
import type { StepNode } from "./kinds.js";

export async function stepBranchNode(ctx: NodeContext, step: StepNode): Promise<void> {
  const { state, exec } = ctx;
  const branch = ctx.node.target.case === "branchNode" ? ctx.node.target.value : undefined;
  if (branch?.ifElse === undefined)
    throw new NodeFailure(userError("BadSpecificationError", `branch node ${ctx.node.id} has no if/else`));
  if (state.phase === "NotYetStarted") {
    await queueNode(ctx);
    const inputs = (await exec.literals.readIfPresent(joinUri(ctx.dataDir, "inputs.pb"))) as LiteralMap;
    const taken = select(branch.ifElse, inputs, ctx.node.id);
    state.branchTaken = taken.id;
    state.children = { [taken.id]: newNodeState() };
    state.phase = "Running";
    state.startedAt = Date.now();
    sendNodeEvent(ctx, NodeExecution_Phase.RUNNING, { extra: { isParent: true } });
  }
  const taken = findChild(branch.ifElse, state.branchTaken ?? "");
  const child = childContext(ctx, taken);
  if (!isNodeDone(child.state.phase)) await step(child);
  if (child.state.phase === "Succeeded") {
    state.phase = "Succeeded";
    state.outputUri = child.state.outputUri;
    exec.changed();
    sendNodeEvent(ctx, NodeExecution_Phase.SUCCEEDED, { outputUri: state.outputUri });
  } else if (isNodeDone(child.state.phase)) {
    state.phase = "Failed";
    state.error =
      child.state.error ?? userError("NodeFailed", `branch ${taken.id} of ${ctx.node.id} ended ${child.state.phase}`);
    exec.changed();
    sendNodeEvent(ctx, NodeExecution_Phase.FAILED, { error: state.error });
  }
}

type IfElse = NonNullable<Extract<Node["target"], { case: "branchNode" }>["value"]["ifElse"]>;

function select(ifElse: IfElse, inputs: LiteralMap, nodeId: string): Node {
  for (const block of [ifElse.case, ...ifElse.other]) {
    if (block?.thenNode !== undefined && evaluate(block.condition, inputs)) return block.thenNode;
  }
  if (ifElse.default.case === "elseNode") return ifElse.default.value;
  if (ifElse.default.case === "error") {
    throw new NodeFailure(userError("UserProvidedError", ifElse.default.value.message || `branch ${nodeId} failed`));
  }
  throw new NodeFailure(userError("MalformedBranchUserError", `No branch satisfied in branch node ${nodeId}`));
}

function findChild(ifElse: IfElse, id: string): Node {
  for (const block of [ifElse.case, ...ifElse.other]) if (block?.thenNode?.id === id) return block.thenNode;
  if (ifElse.default.case === "elseNode" && ifElse.default.value.id === id) return ifElse.default.value;
  throw new Error(`branch child ${id} is not in the branch`);
}

/** The taken node runs with the branch as its parent and resolves bindings against the branch's scope. */
export function childContext(ctx: NodeContext, node: Node): NodeContext {
  const state = statusOf(childStatuses(ctx.state), node.id);
  return {
    exec: ctx.exec,
    node,
    state,
    uniqueId: nodeUniqueId(node.id, { uniqueId: ctx.uniqueId, attempt: 0 }),
    dataDir: childNodeDataDir(nodeOutputDir(ctx.dataDir, 0), node.id),
    parent: { uniqueId: ctx.uniqueId, attempt: 0 },
    outputsOf: ctx.outputsOf,
    isInDynamicChain: ctx.isInDynamicChain,
  };
}
