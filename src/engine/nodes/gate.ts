// A gate node waits: for a duration (sleep), for a user's approval, or for a typed value (signal). Approval and
// signal values are asked of admin's SignalService every round, as flytepropeller does, until a user sets them,
// or until the node's timeout (flytekit always sets one: an hour by default) has passed since it was queued.
import { create } from "@bufbuild/protobuf";
import { type Literal, LiteralMapSchema, type LiteralType, LiteralTypeSchema, SimpleType } from "../../idl/index.js";
import { joinUri, nodeOutputDir } from "../../storage/index.js";
import type { NodeContext } from "../context.js";
import { durationMs } from "../duration.js";
import { NodeFailure, systemError, userError } from "../errors.js";
import { NodeExecution_Phase, sendNodeEvent } from "../node-events.js";
import { queueNode } from "./task.js";

/** How often an unanswered approval or signal is asked for again. */
const SIGNAL_POLL_MS = 200;

export async function stepGateNode(ctx: NodeContext): Promise<void> {
  const { state, exec } = ctx;
  const gate = ctx.node.target.case === "gateNode" ? ctx.node.target.value : undefined;
  if (gate === undefined)
    throw new NodeFailure(systemError("BadSpecificationError", `node ${ctx.node.id} is not a gate`));
  if (state.phase === "NotYetStarted") {
    await queueNode(ctx);
    state.phase = "Running";
    state.startedAt = Date.now();
    sendNodeEvent(ctx, NodeExecution_Phase.RUNNING);
  }
  const inputUri = joinUri(ctx.dataDir, "inputs.pb");
  const condition = gate.condition;
  if (condition.case === "approve" || condition.case === "signal") {
    const timeout = durationMs(ctx.node.metadata?.timeout);
    const waited = Date.now() - (state.queuedAt ?? state.startedAt ?? Date.now());
    if (timeout !== undefined && timeout > 0 && waited >= timeout)
      return timeOut(ctx, condition.value.signalId, timeout);
  }
  switch (condition.case) {
    case "sleep": {
      const left = (durationMs(condition.value.duration) ?? 0) - (Date.now() - (state.startedAt ?? Date.now()));
      if (left > 0) return exec.wakeAfter(left);
      return succeed(ctx, (await exec.literals.read(inputUri)).literals);
    }
    case "approve": {
      const value = await signalValue(
        ctx,
        condition.value.signalId,
        create(LiteralTypeSchema, { type: { case: "simple", value: SimpleType.BOOLEAN } }),
      );
      if (value === undefined) return;
      const approved =
        value.value.case === "scalar" && value.value.value.value.case === "primitive"
          ? value.value.value.value.value.value
          : undefined;
      if (approved?.case !== "boolean") {
        throw new NodeFailure(
          systemError(
            "RuntimeExecutionError",
            `approval ${condition.value.signalId} holds a value that is not a boolean`,
          ),
        );
      }
      if (!approved.value)
        throw new NodeFailure(userError("ReceivedRejectSignal", `approval ${condition.value.signalId} was rejected`));
      return succeed(ctx, (await exec.literals.read(inputUri)).literals);
    }
    case "signal": {
      const value = await signalValue(ctx, condition.value.signalId, condition.value.type);
      if (value === undefined) return;
      return succeed(ctx, { [condition.value.outputVariableName]: value });
    }
    default:
      throw new NodeFailure(systemError("BadSpecificationError", `gate node ${ctx.node.id} has no condition`));
  }
}

async function signalValue(ctx: NodeContext, signalId: string, type: LiteralType | undefined) {
  const signal = await ctx.exec.api.signals.getOrCreateSignal({ id: { signalId, executionId: ctx.exec.id }, type });
  if (signal.value === undefined || signal.value.value.case === undefined) {
    ctx.exec.wakeAfter(SIGNAL_POLL_MS);
    return undefined;
  }
  return signal.value;
}

function timeOut(ctx: NodeContext, signalId: string, timeout: number): void {
  const error = userError(
    "Timeout",
    `gate node ${ctx.node.id} waited ${timeout} ms (its timeout) for signal ${signalId}, which nobody set; ` +
      "set it sooner (tsflyte signal, or the console), or give the gate a longer timeout",
  );
  ctx.state.phase = "TimedOut";
  ctx.state.error = error;
  ctx.exec.changed();
  sendNodeEvent(ctx, NodeExecution_Phase.TIMED_OUT, { error });
}

async function succeed(ctx: NodeContext, literals: Record<string, Literal>): Promise<void> {
  const outputUri = joinUri(nodeOutputDir(ctx.dataDir, 0), "outputs.pb");
  await ctx.exec.literals.write(outputUri, create(LiteralMapSchema, { literals }));
  ctx.state.phase = "Succeeded";
  ctx.state.outputUri = outputUri;
  ctx.exec.changed();
  sendNodeEvent(ctx, NodeExecution_Phase.SUCCEEDED, { outputUri });
}
