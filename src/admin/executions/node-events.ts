// CreateNodeEvent (flyteadmin node_execution_manager.go): the first event of a node creates its
// row, in whatever phase; later ones update it. Equal phases are duplicates (ALREADY_EXISTS) and
// terminal phases are final; no other order is enforced, as in flyteadmin.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import type { Queryable } from "../../db/index.js";
import {
  type NodeExecutionEventRequest,
  NodeExecutionEventRequestSchema,
  type NodeExecutionEventResponse,
  NodeExecutionEventResponseSchema,
} from "../../idl/gen/flyteidl/admin/event_pb.js";
import {
  type NodeExecutionClosure,
  NodeExecutionClosureSchema,
  TaskNodeMetadataSchema,
  WorkflowNodeMetadataSchema,
} from "../../idl/gen/flyteidl/admin/node_execution_pb.js";
import { CatalogCacheStatus } from "../../idl/gen/flyteidl/core/catalog_pb.js";
import { CompiledWorkflowClosureSchema } from "../../idl/gen/flyteidl/core/compiler_pb.js";
import { LiteralMapSchema } from "../../idl/gen/flyteidl/core/literals_pb.js";
import type { NodeExecutionEvent } from "../../idl/gen/flyteidl/event/event_pb.js";
import { joinUri } from "../../storage/index.js";
import type { AdminContext } from "../context.js";
import { executionDataPrefix } from "./data.js";
import { alreadyExists, alreadyInTerminalState, invalidArgument, notFound } from "./errors.js";
import { appendEvent, checkProducer, requireOccurredAt } from "./event-log.js";
import { isNodeTerminal, NodePhase, nodePhaseName, nodePhaseOf } from "./phases.js";
import {
  type ExecutionRow,
  loadExecution,
  loadNodeExecution,
  loadTaskExecution,
  requireExecutionId,
  requireTaskExecutionId,
} from "./rows.js";
import { recordDuration, dateOf, reportedOr } from "./time.js";
import { errorColumns } from "./error-columns.js";

export async function createNodeEvent(
  ctx: AdminContext,
  request: NodeExecutionEventRequest,
): Promise<NodeExecutionEventResponse> {
  const event = request.event;
  if (event === undefined) throw invalidArgument("missing event");
  const id = event.id;
  if (id === undefined || id.nodeId === "") throw invalidArgument("missing node_id");
  const executionId = requireExecutionId(id.executionId);
  const occurredAt = requireOccurredAt(event.occurredAt);
  const phaseName = nodePhaseName(event.phase);

  await ctx.db.transaction(
    async (tx) => {
      // The execution's row lock orders every event of the execution, so concurrent first events
      // of one node cannot both insert it.
      const execution = await loadExecution(tx, executionId, true);
      checkProducer(event.producerId, execution.cluster, "node");
      const existing = await loadNodeExecution(tx, id);
      if (existing !== undefined) {
        const current = nodePhaseOf(existing.phase);
        if (current === event.phase) {
          throw alreadyExists(`This phase ${phaseName} was already recorded for node execution ${id.nodeId}`);
        }
        // flyteadmin reports the event's phase here, not the stored one; propeller relies on it.
        if (isNodeTerminal(current)) {
          throw alreadyInTerminalState(
            `Invalid phase change from ${existing.phase} to ${phaseName} for node execution ${id.nodeId}`,
            phaseName,
          );
        }
      }
      await requireChildExecution(tx, event);
      const prefix = joinUri(executionDataPrefix(ctx.config, executionId), id.nodeId);
      const data = await offload(ctx, prefix, event);
      const closure =
        existing === undefined
          ? create(NodeExecutionClosureSchema, { createdAt: occurredAt })
          : fromBinary(NodeExecutionClosureSchema, existing.closure);
      const applied = apply(closure, event, data.outputUri);
      const values = {
        phase: phaseName,
        closure: toBinary(NodeExecutionClosureSchema, closure),
        inputUri: existing?.input_uri || data.inputUri,
        outputUri: applied.outputUri,
        dynamicWorkflowUri: data.dynamicWorkflowUri,
        cacheStatus: applied.cacheStatus,
        errorKind: applied.error?.kind ?? null,
        errorCode: applied.error?.code ?? null,
        startedAt: closure.startedAt ? dateOf(closure.startedAt) : null,
        updatedAt: dateOf(closure.updatedAt!),
        durationNs: applied.durationNs,
        occurredAt: dateOf(occurredAt),
      };
      if (existing === undefined) {
        const parents = await parentsOf(tx, execution, event);
        await tx.query(
          `INSERT INTO node_executions (execution_id, node_id, spec_node_id, retry_group, parent_id,
             parent_task_execution_id, phase, is_parent, is_dynamic, is_array, is_eager, closure, input_uri,
             output_uri, dynamic_workflow_uri, cache_status, error_kind, error_code, created_at, started_at,
             updated_at, duration_ns, event_version, occurred_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
             $22, $23, $24)`,
          [
            execution.id,
            id.nodeId,
            event.specNodeId,
            event.retryGroup,
            parents.nodeId,
            parents.taskId,
            values.phase,
            event.isParent,
            event.isDynamic,
            event.isArray,
            event.isEager,
            values.closure,
            values.inputUri,
            values.outputUri,
            values.dynamicWorkflowUri,
            values.cacheStatus,
            values.errorKind,
            values.errorCode,
            values.occurredAt,
            values.startedAt,
            values.updatedAt,
            values.durationNs,
            event.eventVersion,
            values.occurredAt,
          ],
        );
      } else {
        // The is_* bits only ever turn on: a node once known as a parent stays one.
        await tx.query(
          `UPDATE node_executions SET phase = $2, closure = $3, input_uri = $4,
             output_uri = COALESCE($5, output_uri), dynamic_workflow_uri = COALESCE($6, dynamic_workflow_uri),
             cache_status = COALESCE($7, cache_status), error_kind = COALESCE($8, error_kind),
             error_code = COALESCE($9, error_code), started_at = $10, updated_at = $11,
             duration_ns = COALESCE($12, duration_ns), occurred_at = $13,
             is_parent = is_parent OR $14, is_dynamic = is_dynamic OR $15, is_array = is_array OR $16,
             is_eager = is_eager OR $17, event_version = GREATEST(event_version, $18)
           WHERE id = $1`,
          [
            existing.id,
            values.phase,
            values.closure,
            values.inputUri,
            values.outputUri,
            values.dynamicWorkflowUri,
            values.cacheStatus,
            values.errorKind,
            values.errorCode,
            values.startedAt,
            values.updatedAt,
            values.durationNs,
            values.occurredAt,
            event.isParent,
            event.isDynamic,
            event.isArray,
            event.isEager,
            event.eventVersion,
          ],
        );
      }
      await appendEvent(tx, {
        executionId: execution.id,
        kind: "node",
        nodeId: id.nodeId,
        phase: phaseName,
        producerId: event.producerId,
        occurredAt,
        event: toBinary(NodeExecutionEventRequestSchema, request),
        publishTo: ctx.eventTopics?.node,
      });
    },
    { isolation: "read committed" },
  );
  return create(NodeExecutionEventResponseSchema);
}

/** A launch plan node names its child execution, which admin must already know. */
async function requireChildExecution(tx: Queryable, event: NodeExecutionEvent): Promise<void> {
  if (event.targetMetadata.case !== "workflowNodeMetadata") return;
  const child = event.targetMetadata.value.executionId;
  if (child !== undefined) await loadExecution(tx, requireExecutionId(child));
}

/**
 * Writes what the event carries inline to admin's blobs (deterministic locations, so a re-run of
 * the transaction writes the same bytes): inputs, outputs and a dynamic node's compiled workflow.
 */
async function offload(ctx: AdminContext, prefix: string, event: NodeExecutionEvent) {
  let inputUri = "";
  if (event.inputValue.case === "inputUri") inputUri = event.inputValue.value;
  else if (event.inputValue.case === "inputData") {
    inputUri = joinUri(prefix, "offloaded_inputs");
    await ctx.store.put(inputUri, toBinary(LiteralMapSchema, event.inputValue.value));
  }
  let outputUri: string | null = null;
  if (event.outputResult.case === "outputUri") outputUri = event.outputResult.value;
  else if (event.outputResult.case === "outputData") {
    outputUri = joinUri(prefix, "offloaded_outputs");
    await ctx.store.put(outputUri, toBinary(LiteralMapSchema, event.outputResult.value));
  }
  let dynamicWorkflowUri: string | null = null;
  const dynamic =
    event.targetMetadata.case === "taskNodeMetadata" ? event.targetMetadata.value.dynamicWorkflow : undefined;
  if (dynamic?.compiledWorkflow !== undefined && dynamic.id !== undefined) {
    const wf = dynamic.id;
    dynamicWorkflowUri = joinUri(prefix, `${wf.project}_${wf.domain}_${wf.name}_${wf.version}`);
    await ctx.store.put(dynamicWorkflowUri, toBinary(CompiledWorkflowClosureSchema, dynamic.compiledWorkflow));
  }
  return { inputUri, outputUri, dynamicWorkflowUri };
}

/** Applies the event to the closure; returns what the indexed columns copy out of it. */
function apply(closure: NodeExecutionClosure, event: NodeExecutionEvent, outputUri: string | null) {
  const occurredAt = event.occurredAt!;
  closure.phase = event.phase;
  closure.updatedAt = reportedOr(event.reportedAt, occurredAt);
  if (event.phase === NodePhase.RUNNING) {
    closure.startedAt = occurredAt;
    if (event.deckUri !== "") closure.deckUri = event.deckUri;
  }
  let durationNs: bigint | null = null;
  let error: { kind: string; code: string } | null = null;
  if (isNodeTerminal(event.phase)) {
    durationNs = recordDuration(closure, occurredAt);
    if (outputUri !== null) closure.outputResult = { case: "outputUri", value: outputUri };
    else if (event.outputResult.case === "error") {
      closure.outputResult = { case: "error", value: event.outputResult.value };
      error = errorColumns(event.outputResult.value);
    }
    if (event.deckUri !== "") closure.deckUri = event.deckUri;
  }
  let cacheStatus: string | null = null;
  const target = event.targetMetadata;
  if (target.case === "taskNodeMetadata") {
    const meta = target.value;
    if (meta.catalogKey !== undefined) {
      closure.targetMetadata = {
        case: "taskNodeMetadata",
        value: create(TaskNodeMetadataSchema, {
          cacheStatus: meta.cacheStatus,
          catalogKey: meta.catalogKey,
          checkpointUri: meta.checkpointUri,
        }),
      };
      cacheStatus = CatalogCacheStatus[meta.cacheStatus] ?? null;
    }
    if (meta.dynamicWorkflow?.dynamicJobSpecUri) closure.dynamicJobSpecUri = meta.dynamicWorkflow.dynamicJobSpecUri;
  } else if (target.case === "workflowNodeMetadata" && closure.targetMetadata.case === undefined) {
    closure.targetMetadata = {
      case: "workflowNodeMetadata",
      value: create(WorkflowNodeMetadataSchema, { executionId: target.value.executionId }),
    };
  }
  return { outputUri, error, durationNs, cacheStatus };
}

/** The enclosing node and, for legacy dynamic children, the task attempt that spawned the node. */
async function parentsOf(tx: Queryable, execution: ExecutionRow, event: NodeExecutionEvent) {
  let nodeId: number | null = null;
  let taskId: number | null = null;
  const parentNode = event.parentNodeMetadata?.nodeId;
  if (parentNode) {
    const rows = await tx.query<{ id: number }>(
      "SELECT id FROM node_executions WHERE execution_id = $1 AND node_id = $2",
      [execution.id, parentNode],
    );
    if (rows.length === 0)
      throw notFound(`parent node execution ${parentNode} not found in execution ${execution.name}`);
    nodeId = rows[0].id;
  }
  const parentTask = event.parentTaskMetadata?.id;
  if (parentTask !== undefined) {
    const task = await loadTaskExecution(tx, requireTaskExecutionId(parentTask));
    if (task === undefined) throw notFound(`parent task execution of node ${event.id!.nodeId} not found`);
    taskId = task.id;
    // A task attempt that spawned nodes is a parent (flyteadmin derives is_parent from its children).
    await tx.query("UPDATE task_executions SET is_parent = true WHERE id = $1", [task.id]);
  }
  return { nodeId, taskId };
}
