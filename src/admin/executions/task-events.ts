// CreateTaskEvent (flyteadmin task_execution_manager.go): one row per attempt of a task node. The
// same phase may be reported again with a higher phase_version (new logs, reasons); an equal or
// lower one is a duplicate (ALREADY_EXISTS); terminal phases are final.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import {
  type TaskExecutionEventRequest,
  TaskExecutionEventRequestSchema,
  type TaskExecutionEventResponse,
  TaskExecutionEventResponseSchema,
} from "../../idl/gen/flyteidl/admin/event_pb.js";
import {
  ReasonSchema,
  type TaskExecutionClosure,
  TaskExecutionClosureSchema,
} from "../../idl/gen/flyteidl/admin/task_execution_pb.js";
import type { TaskLog } from "../../idl/gen/flyteidl/core/execution_pb.js";
import { TaskExecutionIdentifierSchema } from "../../idl/gen/flyteidl/core/identifier_pb.js";
import { LiteralMapSchema } from "../../idl/gen/flyteidl/core/literals_pb.js";
import { CatalogCacheStatus } from "../../idl/gen/flyteidl/core/catalog_pb.js";
import {
  type ExternalResourceInfo,
  type TaskExecutionEvent,
  type TaskExecutionMetadata,
  TaskExecutionMetadata_InstanceClass,
} from "../../idl/gen/flyteidl/event/event_pb.js";
import { joinUri } from "../../storage/index.js";
import type { AdminContext } from "../context.js";
import { executionDataPrefix } from "./data.js";
import { alreadyExists, alreadyInTerminalState, invalidArgument, notFound } from "./errors.js";
import { appendEvent, checkProducer, requireOccurredAt } from "./event-log.js";
import { isTaskTerminal, TaskPhase, taskPhaseName, taskPhaseOf } from "./phases.js";
import { loadExecution, loadNodeExecution, loadTaskExecution, requireTaskExecutionId } from "./rows.js";
import { recordDuration, dateOf, reportedOr } from "./time.js";
import { errorColumns } from "./error-columns.js";
import { recordTaskUsage } from "../usage/task-usage.js";

export async function createTaskEvent(
  ctx: AdminContext,
  request: TaskExecutionEventRequest,
): Promise<TaskExecutionEventResponse> {
  const event = request.event;
  if (event === undefined) throw invalidArgument("missing event");
  const occurredAt = requireOccurredAt(event.occurredAt);
  const id = requireTaskExecutionId(
    create(TaskExecutionIdentifierSchema, {
      taskId: event.taskId,
      nodeExecutionId: event.parentNodeExecutionId,
      retryAttempt: event.retryAttempt,
    }),
  );
  const nodeId = id.nodeExecutionId!;
  const executionId = nodeId.executionId!;
  const phaseName = taskPhaseName(event.phase);

  await ctx.db.transaction(
    async (tx) => {
      const execution = await loadExecution(tx, executionId, true);
      checkProducer(event.producerId, execution.cluster, "task");
      const existing = await loadTaskExecution(tx, id);
      if (existing !== undefined) {
        const current = taskPhaseOf(existing.phase);
        if (current === event.phase && existing.phase_version >= event.phaseVersion) {
          throw alreadyExists(
            `This phase ${phaseName} (version ${event.phaseVersion}) was already recorded for task execution attempt ${event.retryAttempt} of node ${nodeId.nodeId}`,
          );
        }
        // As for nodes, flyteadmin reports the event's phase as the "current" one.
        if (isTaskTerminal(current)) {
          throw alreadyInTerminalState(
            `Invalid phase change from ${existing.phase} to ${phaseName} for task execution attempt ${event.retryAttempt} of node ${nodeId.nodeId}`,
            phaseName,
          );
        }
      }
      const prefix = joinUri(
        executionDataPrefix(ctx.config, executionId),
        nodeId.nodeId,
        `${event.taskId!.name}-${event.retryAttempt}`,
      );
      let inputUri = event.inputValue.case === "inputUri" ? event.inputValue.value : "";
      if (event.inputValue.case === "inputData") {
        inputUri = joinUri(prefix, "offloaded_inputs");
        await ctx.store.put(inputUri, toBinary(LiteralMapSchema, event.inputValue.value));
      }
      let outputUri: string | null = event.outputResult.case === "outputUri" ? event.outputResult.value : null;
      if (event.outputResult.case === "outputData") {
        outputUri = joinUri(prefix, "offloaded_outputs");
        await ctx.store.put(outputUri, toBinary(LiteralMapSchema, event.outputResult.value));
      }
      const closure =
        existing === undefined
          ? create(TaskExecutionClosureSchema, { createdAt: occurredAt })
          : fromBinary(TaskExecutionClosureSchema, existing.closure);
      const applied = apply(closure, event, outputUri, existing === undefined);
      const values = [
        phaseName,
        event.phaseVersion,
        toBinary(TaskExecutionClosureSchema, closure),
        existing?.input_uri || inputUri,
        outputUri,
        applied.error?.kind ?? null,
        applied.error?.code ?? null,
        closure.startedAt ? dateOf(closure.startedAt) : null,
        dateOf(closure.updatedAt!),
        applied.durationNs,
        dateOf(occurredAt),
        event.eventVersion,
      ];
      if (existing === undefined) {
        const node = await loadNodeExecution(tx, nodeId);
        if (node === undefined) {
          throw notFound(
            `failed to get node execution for task event: node ${nodeId.nodeId} not found in execution ${executionId.name}`,
          );
        }
        const task = event.taskId!;
        await tx.query(
          `INSERT INTO task_executions (node_execution_id, execution_id, task_project, task_domain, task_name,
             task_version, retry_attempt, phase, phase_version, closure, input_uri, output_uri, error_kind,
             error_code, started_at, updated_at, duration_ns, occurred_at, event_version, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $18)`,
          [node.id, execution.id, task.project, task.domain, task.name, task.version, event.retryAttempt, ...values],
        );
      } else {
        await tx.query(
          `UPDATE task_executions SET phase = $2, phase_version = $3, closure = $4, input_uri = $5,
             output_uri = COALESCE($6, output_uri), error_kind = COALESCE($7, error_kind),
             error_code = COALESCE($8, error_code), started_at = $9, updated_at = $10,
             duration_ns = COALESCE($11, duration_ns), occurred_at = $12,
             event_version = GREATEST(event_version, $13)
           WHERE id = $1`,
          [existing.id, ...values],
        );
      }
      await recordTaskUsage(tx, execution.id, event);
      await appendEvent(tx, {
        executionId: execution.id,
        kind: "task",
        nodeId: nodeId.nodeId,
        phase: phaseName,
        producerId: event.producerId,
        occurredAt,
        event: toBinary(TaskExecutionEventRequestSchema, request),
        publishTo: ctx.eventTopics?.task,
      });
    },
    { isolation: "read committed" },
  );
  return create(TaskExecutionEventResponseSchema);
}

function apply(closure: TaskExecutionClosure, event: TaskExecutionEvent, outputUri: string | null, first: boolean) {
  const occurredAt = event.occurredAt!;
  closure.phase = event.phase;
  closure.updatedAt = reportedOr(event.reportedAt, occurredAt);
  closure.logs = filterLogs(mergeLogs(closure.logs, event.logs), event.phase);
  if (event.taskType !== "") closure.taskType = event.taskType;
  closure.eventVersion = Math.max(closure.eventVersion, event.eventVersion);
  if (event.logContext !== undefined) closure.logContext = event.logContext;
  if (event.reasons.length > 0) {
    for (const reason of event.reasons) {
      closure.reasons.push(create(ReasonSchema, { occurredAt: reason.occurredAt, message: reason.reason }));
    }
  } else if (event.reason !== "" && event.reason !== closure.reason) {
    closure.reasons.push(create(ReasonSchema, { occurredAt, message: event.reason }));
  }
  if (event.reason !== "") closure.reason = event.reason;
  else if (event.reasons.length > 0) closure.reason = event.reasons[event.reasons.length - 1].reason;
  if (event.customInfo !== undefined) {
    closure.customInfo =
      first || closure.customInfo === undefined ? event.customInfo : mergePatch(closure.customInfo, event.customInfo);
  }
  if (event.metadata !== undefined) {
    closure.metadata =
      closure.metadata === undefined || first
        ? sortResources(event.metadata)
        : mergeMetadata(closure.metadata, event.metadata);
  }
  // started_at marks the first move into RUNNING; later RUNNING reports (new phase versions) keep it.
  if (event.phase === TaskPhase.RUNNING && closure.startedAt === undefined) {
    closure.startedAt = occurredAt;
  }
  const durationNs = isTaskTerminal(event.phase) ? recordDuration(closure, occurredAt) : null;
  let error: { kind: string; code: string } | null = null;
  if (outputUri !== null) closure.outputResult = { case: "outputUri", value: outputUri };
  else if (event.outputResult.case === "error") {
    closure.outputResult = { case: "error", value: event.outputResult.value };
    error = errorColumns(event.outputResult.value);
  }
  return { error, durationNs };
}

/** New logs replace old ones with the same URI or name; the others are kept. */
function mergeLogs(old: TaskLog[], incoming: TaskLog[]): TaskLog[] {
  const kept = old.filter(
    (log) => !incoming.some((n) => (n.uri !== "" && n.uri === log.uri) || (n.name !== "" && n.name === log.name)),
  );
  return [...kept, ...incoming];
}

/** Logs meant to hide once finished are dropped at the end; while pending only those meant for pending show. */
function filterLogs(logs: TaskLog[], phase: TaskPhase): TaskLog[] {
  return logs.filter((log) => {
    if (isTaskTerminal(phase) && log.HideOnceFinished) return false;
    if ((phase === TaskPhase.QUEUED || phase === TaskPhase.INITIALIZING) && !log.ShowWhilePending) return false;
    return true;
  });
}

/** RFC 7386 JSON merge patch: the patch's keys win, null deletes. */
function mergePatch(target: JsonObject, patch: JsonObject): JsonObject {
  const out: JsonObject = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (isObject(value) && isObject(out[key])) out[key] = mergePatch(out[key] as JsonObject, value);
    else out[key] = value;
  }
  return out;
}

const isObject = (value: JsonValue | undefined): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const resourceKey = (r: ExternalResourceInfo) => r.index * 1_000_000 + r.retryAttempt;

function sortResources(metadata: TaskExecutionMetadata): TaskExecutionMetadata {
  metadata.externalResources.sort((a, b) => resourceKey(a) - resourceKey(b));
  return metadata;
}

function mergeMetadata(old: TaskExecutionMetadata, incoming: TaskExecutionMetadata): TaskExecutionMetadata {
  if (incoming.generatedName !== "") old.generatedName = incoming.generatedName;
  if (incoming.pluginIdentifier !== "") old.pluginIdentifier = incoming.pluginIdentifier;
  if (incoming.instanceClass !== TaskExecutionMetadata_InstanceClass.DEFAULT)
    old.instanceClass = incoming.instanceClass;
  if (incoming.resourcePoolInfo.length > 0) old.resourcePoolInfo = incoming.resourcePoolInfo;
  const byKey = new Map(old.externalResources.map((r) => [resourceKey(r), r]));
  for (const resource of incoming.externalResources) {
    const known = byKey.get(resourceKey(resource));
    if (known === undefined) {
      byKey.set(resourceKey(resource), resource);
      continue;
    }
    known.phase = resource.phase;
    known.logs = mergeLogs(known.logs, resource.logs);
    if (resource.cacheStatus !== CatalogCacheStatus.CACHE_DISABLED) known.cacheStatus = resource.cacheStatus;
    known.customInfo = resource.customInfo;
    if (resource.externalId !== "") known.externalId = resource.externalId;
  }
  old.externalResources = [...byKey.values()].sort((a, b) => resourceKey(a) - resourceKey(b));
  return old;
}
