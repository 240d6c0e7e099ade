// GetExecution, ListExecutions, GetExecutionData, UpdateExecution and TerminateExecution.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { EXECUTION_COLUMNS, listQuery, makeFilter, nextPageToken, parseFilters, parsePage } from "../../db/index.js";
import type { ResourceListRequest } from "../../idl/gen/flyteidl/admin/common_pb.js";
import {
  AbortMetadataSchema,
  type Execution,
  ExecutionClosureSchema,
  type ExecutionList,
  ExecutionListSchema,
  ExecutionState,
  ExecutionStateChangeDetailsSchema,
  type ExecutionTerminateRequest,
  type ExecutionTerminateResponse,
  ExecutionTerminateResponseSchema,
  type ExecutionUpdateRequest,
  type ExecutionUpdateResponse,
  ExecutionUpdateResponseSchema,
  type WorkflowExecutionGetDataRequest,
  type WorkflowExecutionGetDataResponse,
  WorkflowExecutionGetDataResponseSchema,
  type WorkflowExecutionGetRequest,
} from "../../idl/gen/flyteidl/admin/execution_pb.js";
import type { AdminContext } from "../context.js";
import { inlineData, readData } from "./data.js";
import { alreadyInTerminalState, invalidArgument } from "./errors.js";
import { isWorkflowTerminal, WorkflowPhase, workflowPhaseOf } from "./phases.js";
import { type ExecutionRow, executionFromRow, loadExecution, requireExecutionId } from "./rows.js";

export async function getExecution(ctx: AdminContext, request: WorkflowExecutionGetRequest): Promise<Execution> {
  return executionFromRow(await loadExecution(ctx.db, requireExecutionId(request.id)));
}

const LIST_FROM = `SELECT executions.* FROM executions
  LEFT JOIN launch_plans ON launch_plans.id = executions.launch_plan_id
  LEFT JOIN workflows ON workflows.id = executions.workflow_id
  LEFT JOIN tasks ON tasks.id = executions.task_id`;

const MAX_LISTED_ERROR_BYTES = 100;

export async function listExecutions(ctx: AdminContext, request: ResourceListRequest): Promise<ExecutionList> {
  const id = request.id;
  if (!id?.project) throw invalidArgument("missing project");
  if (!id.domain) throw invalidArgument("missing domain");
  const page = parsePage(request.limit, request.token);
  const filters = parseFilters(request.filters);
  // Archived executions are hidden unless the caller asks about state.
  if (!filters.some((f) => f.field === "state" || f.field === "execution.state")) {
    filters.push(makeFilter("eq", "state", "ACTIVE"));
  }
  if (id.name !== "") filters.push(makeFilter("eq", "name", id.name));
  const query = listQuery({
    from: LIST_FROM,
    where: { sql: "executions.project = $1 AND executions.domain = $2", params: [id.project, id.domain] },
    filters,
    columns: EXECUTION_COLUMNS,
    sort: request.sortBy,
    order: { defaultSort: { key: "created_at" }, tiebreak: "executions.id" },
    page,
  });
  const rows = await ctx.db.query<ExecutionRow>(query.sql, query.params);
  const executions = rows.map((row) => {
    const execution = executionFromRow(row);
    // Lists are for overviews: no inputs, and errors cut short as flyteadmin does.
    if (execution.spec) execution.spec.inputs = undefined;
    const closure = execution.closure!;
    closure.computedInputs = undefined;
    if (closure.outputResult.case === "error") {
      closure.outputResult.value.message = trimUtf8(closure.outputResult.value.message, MAX_LISTED_ERROR_BYTES);
    }
    return execution;
  });
  return create(ExecutionListSchema, { executions, token: nextPageToken(page, rows.length) });
}

/** At most `max` bytes of `text`, never splitting a character. */
function trimUtf8(text: string, max: number): string {
  const bytes = Buffer.from(text);
  if (bytes.length <= max) return text;
  let end = max;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString();
}

export async function getExecutionData(
  ctx: AdminContext,
  request: WorkflowExecutionGetDataRequest,
): Promise<WorkflowExecutionGetDataResponse> {
  const row = await loadExecution(ctx.db, requireExecutionId(request.id));
  const closure = fromBinary(ExecutionClosureSchema, row.closure);
  const inputs = await readData(ctx.store, row.inputs_uri);
  const result = closure.outputResult;
  const outputs =
    result.case === "outputs" && result.value.data.case === "uri"
      ? await readData(ctx.store, result.value.data.value)
      : result.case === "outputs" && result.value.data.case === "values"
        ? inlineData(result.value.data.value)
        : result.case === "outputData"
          ? inlineData(result.value)
          : await readData(ctx.store, undefined);
  return create(WorkflowExecutionGetDataResponseSchema, {
    inputs: inputs.blob,
    fullInputs: inputs.full,
    outputs: outputs.blob,
    fullOutputs: outputs.full,
  });
}

export async function updateExecution(
  ctx: AdminContext,
  request: ExecutionUpdateRequest,
): Promise<ExecutionUpdateResponse> {
  const id = requireExecutionId(request.id);
  if (ExecutionState[request.state] === undefined) throw invalidArgument(`invalid state ${request.state}`);
  await ctx.db.transaction(
    async (tx) => {
      const row = await loadExecution(tx, id, true);
      const closure = fromBinary(ExecutionClosureSchema, row.closure);
      const now = new Date();
      closure.stateChangeDetails = create(ExecutionStateChangeDetailsSchema, {
        state: request.state,
        occurredAt: timestampFromDate(now),
      });
      await tx.query("UPDATE executions SET state = $2, closure = $3 WHERE id = $1", [
        row.id,
        request.state,
        toBinary(ExecutionClosureSchema, closure),
      ]);
    },
    { isolation: "read committed" },
  );
  return create(ExecutionUpdateResponseSchema);
}

/**
 * Records the request to stop: the execution goes to ABORTING with the cause; the engine, seeing
 * it, aborts the nodes and reports ABORTED. Repeating it while ABORTING is allowed.
 */
export async function terminateExecution(
  ctx: AdminContext,
  request: ExecutionTerminateRequest,
): Promise<ExecutionTerminateResponse> {
  const id = requireExecutionId(request.id);
  await ctx.db.transaction(
    async (tx) => {
      const row = await loadExecution(tx, id, true);
      const phase = workflowPhaseOf(row.phase);
      if (isWorkflowTerminal(phase)) {
        throw alreadyInTerminalState("Cannot abort an already terminated workflow execution", row.phase);
      }
      const closure = fromBinary(ExecutionClosureSchema, row.closure);
      const now = new Date();
      closure.phase = WorkflowPhase.ABORTING;
      closure.updatedAt = timestampFromDate(now);
      closure.outputResult = {
        case: "abortMetadata",
        value: create(AbortMetadataSchema, { cause: request.cause }),
      };
      await tx.query(
        "UPDATE executions SET phase = 'ABORTING', abort_cause = $2, closure = $3, updated_at = $4 WHERE id = $1",
        [row.id, request.cause, toBinary(ExecutionClosureSchema, closure), now],
      );
    },
    { isolation: "read committed" },
  );
  return create(ExecutionTerminateResponseSchema);
}
