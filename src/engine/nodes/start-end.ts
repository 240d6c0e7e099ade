// The start node hands out the scope's inputs; the end node gathers the scope's outputs into its own outputs.pb,
// which becomes the workflow's (or subworkflow node's) outputs.
import { joinUri, nodeOutputDir } from "../../storage/index.js";
import type { NodeContext } from "../context.js";
import { resolveBindings } from "../literals.js";
import { NodeExecution_Phase, sendNodeEvent } from "../node-events.js";

export async function stepStartNode(ctx: NodeContext): Promise<void> {
  ctx.state.phase = "Succeeded";
  ctx.state.outputUri = ctx.outputsOf("start-node");
  ctx.exec.changed();
  sendNodeEvent(ctx, NodeExecution_Phase.SUCCEEDED, { outputUri: ctx.state.outputUri });
}

export async function stepEndNode(ctx: NodeContext): Promise<void> {
  const outputs = await resolveBindings(ctx.node.inputs, ctx.outputsOf, ctx.exec.literals);
  const outputUri = joinUri(nodeOutputDir(ctx.dataDir, 0), "outputs.pb");
  await ctx.exec.literals.write(outputUri, outputs);
  ctx.state.phase = "Succeeded";
  ctx.state.outputUri = outputUri;
  ctx.exec.changed();
  sendNodeEvent(ctx, NodeExecution_Phase.SUCCEEDED, { outputUri });
}
