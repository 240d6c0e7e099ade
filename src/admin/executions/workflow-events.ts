// CreateWorkflowEvent: propeller reports the execution's phase (flyteadmin CreateWorkflowEvent and
// UpdateExecutionModelState). Equal phases are duplicates (ALREADY_EXISTS), terminal phases are
// final, and otherwise any order is accepted, as flyteadmin does.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  ExecutionClosureSchema,
  ExecutionSpecSchema,
  LiteralMapBlobSchema,
} from "../../idl/gen/flyteidl/admin/execution_pb.js";
import {
  type WorkflowExecutionEventRequest,
  WorkflowExecutionEventRequestSchema,
  type WorkflowExecutionEventResponse,
  WorkflowExecutionEventResponseSchema,
} from "../../idl/gen/flyteidl/admin/event_pb.js";
import { LiteralMapSchema } from "../../idl/gen/flyteidl/core/literals_pb.js";
import { joinUri } from "../../storage/index.js";
import type { AdminContext } from "../context.js";
import { executionDataPrefix } from "./data.js";
import { alreadyExists, alreadyInTerminalState, failedPrecondition, invalidArgument } from "./errors.js";
import { appendEvent, checkProducer, claimsCluster, requireOccurredAt } from "./event-log.js";
import { isWorkflowTerminal, WorkflowPhase, workflowPhaseName, workflowPhaseOf } from "./phases.js";
import { loadExecution, requireExecutionId } from "./rows.js";
import { recordDuration, dateOf } from "./time.js";
import { errorColumns } from "./error-columns.js";

export async function createWorkflowEvent(
  ctx: AdminContext,
  request: WorkflowExecutionEventRequest,
): Promise<WorkflowExecutionEventResponse> {
  const event = request.event;
  if (event === undefined) throw invalidArgument("missing event");
  const id = requireExecutionId(event.executionId);
  const occurredAt = requireOccurredAt(event.occurredAt);
  const next = event.phase;
  const nextName = workflowPhaseName(next);

  await ctx.db.transaction(
    async (tx) => {
      const row = await loadExecution(tx, id, true);
      const current = workflowPhaseOf(row.phase);
      // QUEUED is how an engine announces (re)assignment, so it may repeat and skips both checks.
      if (next !== WorkflowPhase.QUEUED) {
        if (next === current) {
          throw alreadyExists(`This phase ${nextName} was already recorded for workflow execution ${id.name}`);
        }
        checkProducer(event.producerId, row.cluster, "workflow");
      }
      if (isWorkflowTerminal(current)) {
        throw alreadyInTerminalState(
          `Invalid phase change from ${row.phase} to ${nextName} for workflow execution ${id.name}`,
          row.phase,
        );
      }
      if (current === WorkflowPhase.RUNNING && next === WorkflowPhase.QUEUED) {
        throw failedPrecondition(`Cannot go from Running to Queued for workflow execution ${id.name}`);
      }
      if (current === WorkflowPhase.ABORTING && !isWorkflowTerminal(next)) {
        throw failedPrecondition(
          `Invalid phase change from aborting to ${nextName.toLowerCase()} for workflow execution ${id.name}`,
        );
      }

      const closure = fromBinary(ExecutionClosureSchema, row.closure);
      closure.phase = next;
      closure.updatedAt = occurredAt;
      let cluster = row.cluster;
      let spec = row.spec;
      if (cluster === "" && claimsCluster(event.producerId)) {
        cluster = event.producerId;
        const decoded = fromBinary(ExecutionSpecSchema, row.spec);
        if (decoded.metadata?.systemMetadata) decoded.metadata.systemMetadata.executionCluster = cluster;
        spec = toBinary(ExecutionSpecSchema, decoded);
      }
      if (next === WorkflowPhase.RUNNING) closure.startedAt = occurredAt;
      const durationNs = isWorkflowTerminal(next) ? recordDuration(closure, occurredAt) : null;
      let outputsUri: string | null = null;
      let error: { kind: string; code: string } | null = null;
      const result = event.outputResult;
      if (result.case === "outputUri") {
        outputsUri = result.value;
      } else if (result.case === "outputData") {
        // Inline outputs are offloaded so that closures stay small (flyteadmin's default policy).
        outputsUri = joinUri(executionDataPrefix(ctx.config, id), "offloaded_outputs");
        await ctx.store.put(outputsUri, toBinary(LiteralMapSchema, result.value));
      } else if (result.case === "error") {
        closure.outputResult = { case: "error", value: result.value };
        error = errorColumns(result.value);
      }
      if (outputsUri !== null) {
        closure.outputResult = {
          case: "outputs",
          value: create(LiteralMapBlobSchema, { data: { case: "uri", value: outputsUri } }),
        };
      }

      await tx.query(
        `UPDATE executions SET phase = $2, closure = $3, spec = $4, cluster = $5, updated_at = $6,
           started_at = $7, ended_at = $8, duration_ns = $9,
           outputs_uri = COALESCE($10, outputs_uri), error_kind = COALESCE($11, error_kind),
           error_code = COALESCE($12, error_code)
         WHERE id = $1`,
        [
          row.id,
          nextName,
          toBinary(ExecutionClosureSchema, closure),
          spec,
          cluster,
          dateOf(occurredAt),
          closure.startedAt ? dateOf(closure.startedAt) : null,
          isWorkflowTerminal(next) ? dateOf(occurredAt) : null,
          durationNs,
          outputsUri,
          error?.kind ?? null,
          error?.code ?? null,
        ],
      );
      await appendEvent(tx, {
        executionId: row.id,
        kind: "workflow",
        nodeId: null,
        phase: nextName,
        producerId: event.producerId,
        occurredAt,
        event: toBinary(WorkflowExecutionEventRequestSchema, request),
        publishTo: ctx.eventTopics?.workflow,
      });
      if (isWorkflowTerminal(next)) {
        await ctx.notify?.(tx, { execution: { ...row, spec }, closure, phase: next, occurredAt: dateOf(occurredAt) });
      }
    },
    { isolation: "read committed" },
  );
  return create(WorkflowExecutionEventResponseSchema);
}
