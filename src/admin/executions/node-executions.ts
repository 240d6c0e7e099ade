// GetNodeExecution, ListNodeExecutions, ListNodeExecutionsForTask, GetNodeExecutionData.
import { create, fromBinary } from "@bufbuild/protobuf";
import {
  listQuery,
  NODE_EXECUTION_COLUMNS,
  nextPageToken,
  parseFilters,
  parsePage,
  type SqlFragment,
} from "../../db/index.js";
import type { Sort } from "../../idl/gen/flyteidl/admin/common_pb.js";
import {
  type DynamicWorkflowNodeMetadata,
  DynamicWorkflowNodeMetadataSchema,
  type NodeExecution,
  NodeExecutionClosureSchema,
  type NodeExecutionForTaskListRequest,
  type NodeExecutionGetDataRequest,
  type NodeExecutionGetDataResponse,
  NodeExecutionGetDataResponseSchema,
  type NodeExecutionGetRequest,
  type NodeExecutionList,
  type NodeExecutionListRequest,
  NodeExecutionListSchema,
} from "../../idl/gen/flyteidl/admin/node_execution_pb.js";
import { CompiledWorkflowClosureSchema } from "../../idl/gen/flyteidl/core/compiler_pb.js";
import { NodeExecutionIdentifierSchema } from "../../idl/gen/flyteidl/core/identifier_pb.js";
import type { AdminContext } from "../context.js";
import { flyteUrls, readData } from "./data.js";
import {
  loadExecution,
  NODE_SELECT,
  type NodeExecutionRow,
  nodeExecutionFromRow,
  requireExecutionId,
  requireNodeExecution,
  requireNodeExecutionId,
  requireTaskExecution,
  requireTaskExecutionId,
} from "./rows.js";

export async function getNodeExecution(ctx: AdminContext, request: NodeExecutionGetRequest): Promise<NodeExecution> {
  return nodeExecutionFromRow(await requireNodeExecution(ctx.db, requireNodeExecutionId(request.id)));
}

async function listNodes(
  ctx: AdminContext,
  where: SqlFragment,
  request: { limit: number; token: string; filters: string; sortBy?: Sort },
): Promise<NodeExecutionList> {
  const page = parsePage(request.limit, request.token);
  const query = listQuery({
    from: NODE_SELECT,
    where,
    filters: parseFilters(request.filters),
    columns: NODE_EXECUTION_COLUMNS,
    sort: request.sortBy,
    order: { defaultSort: { key: "created_at", direction: "ASCENDING" }, tiebreak: "node_executions.id" },
    page,
  });
  const rows = await ctx.db.query<NodeExecutionRow>(query.sql, query.params);
  return create(NodeExecutionListSchema, {
    nodeExecutions: rows.map(nodeExecutionFromRow),
    token: nextPageToken(page, rows.length),
  });
}

/** Top-level nodes of an execution, or the children of the node named by `unique_parent_id`. */
export async function listNodeExecutions(
  ctx: AdminContext,
  request: NodeExecutionListRequest,
): Promise<NodeExecutionList> {
  const executionId = requireExecutionId(request.workflowExecutionId);
  const execution = await loadExecution(ctx.db, executionId);
  if (request.uniqueParentId === "") {
    return listNodes(
      ctx,
      { sql: "node_executions.execution_id = $1 AND node_executions.parent_id IS NULL", params: [execution.id] },
      request,
    );
  }
  const parent = await requireNodeExecution(
    ctx.db,
    create(NodeExecutionIdentifierSchema, { nodeId: request.uniqueParentId, executionId }),
  );
  return listNodes(ctx, { sql: "node_executions.parent_id = $1", params: [parent.id] }, request);
}

/** Nodes a task attempt spawned (legacy dynamic and array tasks). */
export async function listNodeExecutionsForTask(
  ctx: AdminContext,
  request: NodeExecutionForTaskListRequest,
): Promise<NodeExecutionList> {
  const task = await requireTaskExecution(ctx.db, requireTaskExecutionId(request.taskExecutionId));
  return listNodes(ctx, { sql: "node_executions.parent_task_execution_id = $1", params: [task.id] }, request);
}

export async function getNodeExecutionData(
  ctx: AdminContext,
  request: NodeExecutionGetDataRequest,
): Promise<NodeExecutionGetDataResponse> {
  const row = await requireNodeExecution(ctx.db, requireNodeExecutionId(request.id));
  const closure = fromBinary(NodeExecutionClosureSchema, row.closure);
  const [inputs, outputs] = await Promise.all([
    readData(ctx.store, row.input_uri),
    readData(ctx.store, row.output_uri),
  ]);
  let dynamicWorkflow: DynamicWorkflowNodeMetadata | undefined;
  if (row.dynamic_workflow_uri !== null) {
    const compiled = fromBinary(CompiledWorkflowClosureSchema, await ctx.store.get(row.dynamic_workflow_uri));
    dynamicWorkflow = create(DynamicWorkflowNodeMetadataSchema, {
      id: compiled.primary?.template?.id,
      compiledWorkflow: compiled,
      dynamicJobSpecUri: closure.dynamicJobSpecUri,
    });
  }
  return create(NodeExecutionGetDataResponseSchema, {
    inputs: inputs.blob,
    fullInputs: inputs.full,
    outputs: outputs.blob,
    fullOutputs: outputs.full,
    dynamicWorkflow,
    flyteUrls: flyteUrls(row, row.node_id, closure.deckUri !== ""),
  });
}
