// Node kinds: how one round steps a node, and how a node in flight is stopped.
import type { NodeContext } from "../context.js";
import { NodeFailure, userError } from "../errors.js";
import { END_NODE, START_NODE } from "../graph.js";
import { abortScope } from "../scope.js";
import { abortArrayNode, stepArrayNode } from "./array.js";
import { childContext, stepBranchNode } from "./branch.js";
import { stepGateNode } from "./gate.js";
import { abortLaunchPlanNode, stepLaunchPlanNode } from "./launch-plan.js";
import { stepEndNode, stepStartNode } from "./start-end.js";
import { stepSubworkflowNode, subworkflowScope } from "./subworkflow.js";
import { abortTaskNode, stepTaskNode } from "./task.js";

export async function stepNode(ctx: NodeContext): Promise<void> {
  if (ctx.node.id === START_NODE) return stepStartNode(ctx);
  if (ctx.node.id === END_NODE) return stepEndNode(ctx);
  const target = ctx.node.target;
  switch (target.case) {
    case "taskNode":
      return stepTaskNode(ctx);
    case "branchNode":
      return stepBranchNode(ctx, stepNode);
    case "workflowNode":
      if (target.value.reference.case === "subWorkflowRef") return stepSubworkflowNode(ctx);
      if (target.value.reference.case === "launchplanRef") return stepLaunchPlanNode(ctx);
      break;
    case "gateNode":
      return stepGateNode(ctx);
    case "arrayNode":
      return stepArrayNode(ctx);
  }
  throw new NodeFailure(
    userError(
      "UnsupportedNodeKind",
      `node ${ctx.node.id} is a ${describe(ctx)} node, which this engine does not run yet`,
    ),
  );
}

export async function abortNode(ctx: NodeContext, reason: string): Promise<void> {
  const target = ctx.node.target;
  switch (target.case) {
    case "taskNode":
      return abortTaskNode(ctx, reason);
    case "branchNode": {
      const taken = ctx.state.branchTaken;
      const ifElse = target.value.ifElse;
      const blocks = [ifElse?.case, ...(ifElse?.other ?? [])].map((b) => b?.thenNode);
      if (ifElse?.default.case === "elseNode") blocks.push(ifElse.default.value);
      const node = blocks.find((n) => n?.id === taken);
      if (node !== undefined) await abortNode(childContext(ctx, node), reason);
      return;
    }
    case "workflowNode":
      if (target.value.reference.case === "subWorkflowRef") return abortScope(ctx.exec, subworkflowScope(ctx), reason);
      if (target.value.reference.case === "launchplanRef") return abortLaunchPlanNode(ctx, reason);
      return;
    case "arrayNode":
      return abortArrayNode(ctx);
  }
}

function describe(ctx: NodeContext): string {
  const target = ctx.node.target;
  if (target.case === "workflowNode")
    return target.value.reference.case === "launchplanRef" ? "launch plan" : "workflow";
  return target.case ?? "empty";
}
