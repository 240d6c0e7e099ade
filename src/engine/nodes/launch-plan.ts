// A launch plan node starts a child execution through admin (named from the parent, so a restarted engine
// finds the same child), follows it, and takes its outputs; terminating the parent terminates the child.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { ExecutionMetadata_ExecutionMode } from "../../idl/gen/flyteidl/admin/execution_pb.js";
import { WorkflowExecution_Phase } from "../../idl/gen/flyteidl/core/execution_pb.js";
import { type Identifier, LiteralMapSchema } from "../../idl/index.js";
import { fixedLengthUniqueId, joinUri, nodeOutputDir } from "../../storage/index.js";
import type { NodeContext } from "../context.js";
import { fromExecutionError, NodeFailure, systemError, userError } from "../errors.js";
import { NodeExecution_Phase, sendNodeEvent } from "../node-events.js";
import { announceQueued, queueNode } from "./task.js";

const CHILD_POLL_MS = 200;

export async function stepLaunchPlanNode(ctx: NodeContext): Promise<void> {
  const { state, exec } = ctx;
  const ref = ctx.node.target.case === "workflowNode" ? ctx.node.target.value.reference : undefined;
  if (ref?.case !== "launchplanRef")
    throw new NodeFailure(systemError("BadSpecificationError", `node ${ctx.node.id} has no launch plan`));
  if (state.phase === "NotYetStarted") await queueNode(ctx);
  if (state.childExecution === undefined) {
    if (exec.parallelism.max > 0 && exec.parallelism.used >= exec.parallelism.max) return announceQueued(ctx);
    // Admin links the child to this node, so the node must be known to admin first.
    announceQueued(ctx);
    await exec.events.flush();
    const name = fixedLengthUniqueId(20, [exec.id.name, ctx.uniqueId, String(state.attempts)]);
    await createChild(ctx, name, ref.value);
    exec.parallelism.used++;
    state.childExecution = name;
    state.phase = "Running";
    state.startedAt = Date.now();
    exec.changed();
    sendNodeEvent(ctx, NodeExecution_Phase.RUNNING, {
      extra: { targetMetadata: { case: "workflowNodeMetadata", value: { executionId: { ...exec.id, name } } } },
    });
  }
  const childId = { ...exec.id, name: state.childExecution };
  const child = await exec.api.admin.getExecution({ id: childId });
  const phase = child.closure?.phase ?? WorkflowExecution_Phase.UNDEFINED;
  if (phase === WorkflowExecution_Phase.SUCCEEDED) {
    const data = await exec.api.admin.getExecutionData({ id: childId });
    const outputUri = joinUri(nodeOutputDir(ctx.dataDir, state.attempts), "outputs.pb");
    await exec.literals.write(outputUri, data.fullOutputs ?? create(LiteralMapSchema, {}));
    state.phase = "Succeeded";
    state.outputUri = outputUri;
    exec.changed();
    sendNodeEvent(ctx, NodeExecution_Phase.SUCCEEDED, { outputUri });
    return;
  }
  if (phase === WorkflowExecution_Phase.ABORTED) {
    throw new NodeFailure(
      userError("RemoteChildWorkflowExecutionFailed", `child execution ${childId.name} was aborted`),
    );
  }
  if (phase === WorkflowExecution_Phase.FAILED || phase === WorkflowExecution_Phase.TIMED_OUT) {
    const result = child.closure?.outputResult;
    const error =
      result?.case === "error"
        ? fromExecutionError(result.value)
        : userError("LaunchPlanExecutionFailed", `child execution ${childId.name} failed`);
    throw new NodeFailure(error);
  }
  exec.wakeAfter(CHILD_POLL_MS);
}

async function createChild(ctx: NodeContext, name: string, launchPlan: Identifier): Promise<void> {
  const { exec } = ctx;
  const inputs = await exec.literals.read(joinUri(ctx.dataDir, "inputs.pb"));
  const spec = exec.spec;
  try {
    await exec.api.admin.createExecution({
      project: exec.id.project,
      domain: exec.id.domain,
      name,
      inputs,
      spec: {
        launchPlan,
        metadata: {
          mode: ExecutionMetadata_ExecutionMode.CHILD_WORKFLOW,
          parentNodeExecution: { nodeId: ctx.uniqueId, executionId: exec.id },
        },
        labels: spec.labels,
        annotations: spec.annotations,
        securityContext: spec.securityContext,
        maxParallelism: spec.maxParallelism,
        rawOutputDataConfig: spec.rawOutputDataConfig,
        interruptible: spec.interruptible,
        overwriteCache: spec.overwriteCache,
        envs: spec.envs,
      },
    });
  } catch (error) {
    const connectError = ConnectError.from(error);
    // A restarted engine creates the same child again; it already exists, which is what we want.
    if (connectError.code === Code.AlreadyExists) return;
    if (connectError.code === Code.InvalidArgument || connectError.code === Code.NotFound) {
      throw new NodeFailure(
        userError("LaunchPlanExecutionFailed", `cannot start the child execution: ${connectError.rawMessage}`),
      );
    }
    throw error;
  }
}

export async function abortLaunchPlanNode(ctx: NodeContext, reason: string): Promise<void> {
  if (ctx.state.childExecution === undefined) return;
  try {
    await ctx.exec.api.admin.terminateExecution({
      id: { ...ctx.exec.id, name: ctx.state.childExecution },
      cause: reason,
    });
  } catch (error) {
    // An already finished child cannot be terminated, and need not be.
    if (ConnectError.from(error).code !== Code.FailedPrecondition) throw error;
  }
}
