import { create, fromBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  type NodeExecutionClosure,
  NodeExecutionClosureSchema,
} from "../../idl/gen/flyteidl/admin/node_execution_pb.js";
import {
  type TaskExecutionClosure,
  TaskExecutionClosureSchema,
} from "../../idl/gen/flyteidl/admin/task_execution_pb.js";
import { type LiteralMap, LiteralMapSchema } from "../../idl/gen/flyteidl/core/literals_pb.js";
import type { BlobStore } from "../../storage/index.js";
import type { AdminContext } from "../context.js";

export interface NodeExecutionRef {
  project: string;
  domain: string;
  /** The workflow execution's name. */
  name: string;
  nodeId: string;
}

/** A node execution or task attempt as far as its data goes: where its inputs live and its closure's outputs. */
export interface ExecutionData {
  inputUri: string;
  outputResult: NodeExecutionClosure["outputResult"] | TaskExecutionClosure["outputResult"];
}

export function describeNode(ref: NodeExecutionRef): string {
  return `${ref.project}/${ref.domain}/${ref.name}/${ref.nodeId}`;
}

/** The node execution's row id, data and closure; NotFound when admin has no such node execution. */
export async function findNodeExecution(
  ctx: AdminContext,
  ref: NodeExecutionRef,
): Promise<ExecutionData & { id: unknown; closure: NodeExecutionClosure }> {
  const [row] = await ctx.db.query<{ id: unknown; input_uri: string; closure: Uint8Array }>(
    `SELECT n.id, n.input_uri, n.closure FROM node_executions n JOIN executions e ON e.id = n.execution_id
     WHERE e.project = $1 AND e.domain = $2 AND e.name = $3 AND n.node_id = $4`,
    [ref.project, ref.domain, ref.name, ref.nodeId],
  );
  if (row === undefined) {
    throw new ConnectError(`node execution [${describeNode(ref)}] does not exist`, Code.NotFound);
  }
  const closure = fromBinary(NodeExecutionClosureSchema, row.closure);
  return { id: row.id, inputUri: row.input_uri, outputResult: closure.outputResult, closure };
}

/** The node's task attempt `attempt` (the first one listed, as flyteadmin); InvalidArgument when there is none. */
export async function findTaskAttempt(
  ctx: AdminContext,
  ref: NodeExecutionRef,
  attempt: number,
): Promise<ExecutionData> {
  const node = await findNodeExecution(ctx, ref);
  const [row] = await ctx.db.query<{ input_uri: string; closure: Uint8Array }>(
    "SELECT input_uri, closure FROM task_executions WHERE node_execution_id = $1 AND retry_attempt = $2 ORDER BY id LIMIT 1",
    [node.id, attempt],
  );
  if (row === undefined) {
    throw new ConnectError(
      `no task executions were listed for node execution [${describeNode(ref)}] attempt ${attempt}`,
      Code.InvalidArgument,
    );
  }
  return { inputUri: row.input_uri, outputResult: fromBinary(TaskExecutionClosureSchema, row.closure).outputResult };
}

/** Full inputs; like flyteadmin, a blob that is missing or unreadable reads as an empty map. */
export function readInputs(store: BlobStore, data: ExecutionData): Promise<LiteralMap> {
  return readLiteralMap(store, data.inputUri);
}

/** Full outputs: the offloaded blob or the inline copy; none yet (or a failure) is an empty map. */
export function readOutputs(store: BlobStore, data: ExecutionData): Promise<LiteralMap> {
  const result = data.outputResult;
  if (result.case === "outputData") return Promise.resolve(result.value);
  return readLiteralMap(store, result.case === "outputUri" ? result.value : "");
}

async function readLiteralMap(store: BlobStore, uri: string): Promise<LiteralMap> {
  if (uri === "") return create(LiteralMapSchema);
  try {
    return fromBinary(LiteralMapSchema, await store.get(uri));
  } catch {
    return create(LiteralMapSchema);
  }
}
