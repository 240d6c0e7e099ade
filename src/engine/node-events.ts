// Node events as flytepropeller sends them: the node's unique id, its template id, its parent and retry group
// inside nested workflows, input and output locations, and errors.
import type { MessageInitShape } from "@bufbuild/protobuf";
import { NodeExecution_Phase } from "../idl/gen/flyteidl/core/execution_pb.js";
import type { NodeExecutionEventSchema } from "../idl/gen/flyteidl/event/event_pb.js";
import { joinUri } from "../storage/index.js";
import type { NodeContext } from "./context.js";
import { type EngineError, outputResult } from "./errors.js";

export { NodeExecution_Phase };

type NodeEventExtra = Extract<MessageInitShape<typeof NodeExecutionEventSchema>, { $typeName?: undefined }>;

export interface NodeEventData {
  inputUri?: string;
  outputUri?: string;
  error?: EngineError;
  extra?: NodeEventExtra;
  occurredAt?: Date;
}

export function sendNodeEvent(ctx: NodeContext, phase: NodeExecution_Phase, data: NodeEventData = {}): void {
  const { node, exec, parent, state } = ctx;
  // The first event admin gets for a node creates it and sets its inputs.
  const inputUri = data.inputUri ?? (state.unreported ? joinUri(ctx.dataDir, "inputs.pb") : undefined);
  state.unreported = undefined;
  exec.events.node(
    {
      id: { nodeId: ctx.uniqueId, executionId: exec.id },
      phase,
      specNodeId: node.id,
      nodeName: node.metadata?.name || node.id,
      retryGroup: parent === undefined ? "" : String(parent.attempt),
      parentNodeMetadata: parent === undefined ? undefined : { nodeId: parent.uniqueId },
      inputValue: inputUri === undefined ? undefined : { case: "inputUri", value: inputUri },
      outputResult: outputResult(data),
      isInDynamicChain: ctx.isInDynamicChain ?? false,
      eventVersion: 2,
      ...data.extra,
    },
    data.occurredAt,
  );
}
