// GetTaskExecution, ListTaskExecutions, GetTaskExecutionData.
import { create } from "@bufbuild/protobuf";
import { listQuery, nextPageToken, parseFilters, parsePage, TASK_EXECUTION_COLUMNS } from "../../db/index.js";
import {
  type TaskExecution,
  type TaskExecutionGetDataRequest,
  type TaskExecutionGetDataResponse,
  TaskExecutionGetDataResponseSchema,
  type TaskExecutionGetRequest,
  type TaskExecutionList,
  type TaskExecutionListRequest,
  TaskExecutionListSchema,
} from "../../idl/gen/flyteidl/admin/task_execution_pb.js";
import type { AdminContext } from "../context.js";
import { flyteUrls, readData } from "./data.js";
import {
  requireNodeExecution,
  requireNodeExecutionId,
  requireTaskExecution,
  requireTaskExecutionId,
  TASK_SELECT,
  type TaskExecutionRow,
  taskExecutionFromRow,
} from "./rows.js";

export async function getTaskExecution(ctx: AdminContext, request: TaskExecutionGetRequest): Promise<TaskExecution> {
  return taskExecutionFromRow(await requireTaskExecution(ctx.db, requireTaskExecutionId(request.id)));
}

/** The attempts of one node. */
export async function listTaskExecutions(
  ctx: AdminContext,
  request: TaskExecutionListRequest,
): Promise<TaskExecutionList> {
  const node = await requireNodeExecution(ctx.db, requireNodeExecutionId(request.nodeExecutionId));
  const page = parsePage(request.limit, request.token);
  const query = listQuery({
    from: TASK_SELECT,
    where: { sql: "task_executions.node_execution_id = $1", params: [node.id] },
    filters: parseFilters(request.filters),
    columns: TASK_EXECUTION_COLUMNS,
    sort: request.sortBy,
    order: { defaultSort: { key: "retry_attempt", direction: "ASCENDING" }, tiebreak: "task_executions.id" },
    page,
  });
  const rows = await ctx.db.query<TaskExecutionRow>(query.sql, query.params);
  return create(TaskExecutionListSchema, {
    taskExecutions: rows.map(taskExecutionFromRow),
    token: nextPageToken(page, rows.length),
  });
}

export async function getTaskExecutionData(
  ctx: AdminContext,
  request: TaskExecutionGetDataRequest,
): Promise<TaskExecutionGetDataResponse> {
  const row = await requireTaskExecution(ctx.db, requireTaskExecutionId(request.id));
  const [inputs, outputs] = await Promise.all([
    readData(ctx.store, row.input_uri),
    readData(ctx.store, row.output_uri),
  ]);
  return create(TaskExecutionGetDataResponseSchema, {
    inputs: inputs.blob,
    fullInputs: inputs.full,
    outputs: outputs.blob,
    fullOutputs: outputs.full,
    flyteUrls: flyteUrls(row, row.node_id, false, row.retry_attempt),
  });
}
