// What a task attempt used, copied into its task_executions row when its task event ends the attempt: the usage the
// engine measured (custom_info `usage`, src/engine/plugins/usage.ts) and the CPU and memory the registered task
// requests. Migration 0004_usage's triggers add the row's share to its execution's usage.
import { fromBinary, type JsonObject, type JsonValue } from "@bufbuild/protobuf";
import type { Queryable } from "../../db/index.js";
import { TaskClosureSchema } from "../../idl/gen/flyteidl/admin/task_pb.js";
import { TaskExecution_Phase } from "../../idl/gen/flyteidl/core/execution_pb.js";
import { Resources_ResourceName, type Resources_ResourceEntry } from "../../idl/gen/flyteidl/core/tasks_pb.js";
import type { TaskExecutionEvent } from "../../idl/gen/flyteidl/event/event_pb.js";
import { parseQuantity, quantityNumber } from "../../compiler/index.js";

const GIB = 2 ** 30;

/** Phases that end an attempt; RETRYABLE_FAILED too (admin does not call it terminal, but the attempt is over). */
const ENDS_ATTEMPT = new Set([
  TaskExecution_Phase.SUCCEEDED,
  TaskExecution_Phase.FAILED,
  TaskExecution_Phase.ABORTED,
  TaskExecution_Phase.RETRYABLE_FAILED,
]);

export interface MeasuredUsage {
  cpuSeconds: number;
  wallSeconds: number;
  maxRssBytes: number | null;
  memoryGbSeconds: number | null;
}

export interface RequestedResources {
  cpu: number | null;
  memoryBytes: number | null;
}

/**
 * Records the usage of the attempt `event` reports on, when the event ends it. Called by CreateTaskEvent in its
 * transaction, after the attempt's row is written.
 */
export async function recordTaskUsage(tx: Queryable, executionId: number, event: TaskExecutionEvent): Promise<void> {
  if (!ENDS_ATTEMPT.has(event.phase)) return;
  const measured = measuredUsage(event.customInfo);
  const requested = await requestedResources(tx, event);
  if (measured === undefined && requested.cpu === null && requested.memoryBytes === null) return;
  const task = event.taskId!;
  await tx.query(
    `UPDATE task_executions te SET cpu_seconds = $8, wall_seconds = $9, max_rss_bytes = $10, memory_gb_seconds = $11,
       requested_cpu = $12, requested_memory_bytes = $13
     FROM node_executions ne
     WHERE ne.execution_id = $1 AND ne.node_id = $2 AND te.node_execution_id = ne.id AND te.task_project = $3
       AND te.task_domain = $4 AND te.task_name = $5 AND te.task_version = $6 AND te.retry_attempt = $7`,
    [
      executionId,
      event.parentNodeExecutionId!.nodeId,
      task.project,
      task.domain,
      task.name,
      task.version,
      event.retryAttempt,
      measured?.cpuSeconds ?? null,
      measured?.wallSeconds ?? null,
      measured?.maxRssBytes ?? null,
      measured?.memoryGbSeconds ?? null,
      requested.cpu,
      requested.memoryBytes,
    ],
  );
}

/**
 * The engine's measurement in a task event's custom_info, or undefined when there is none or it is not
 * numbers (another engine's custom_info is not ours to refuse: it is ignored here, stored as sent in the closure).
 */
export function measuredUsage(customInfo: JsonObject | undefined): MeasuredUsage | undefined {
  const usage = customInfo?.usage;
  if (typeof usage !== "object" || usage === null || Array.isArray(usage)) return undefined;
  const number = (value: JsonValue | undefined) =>
    typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
  const cpuSeconds = number(usage.cpuSeconds);
  const wallSeconds = number(usage.wallSeconds);
  if (cpuSeconds === undefined || wallSeconds === undefined) return undefined;
  const maxRssBytes = number(usage.maxRssBytes);
  const memoryGbSeconds =
    number(usage.memoryGbSeconds) ?? (maxRssBytes === undefined ? undefined : (maxRssBytes / GIB) * wallSeconds);
  return {
    cpuSeconds,
    wallSeconds,
    maxRssBytes: maxRssBytes === undefined ? null : Math.round(maxRssBytes),
    memoryGbSeconds: memoryGbSeconds ?? null,
  };
}

/**
 * CPU cores and memory bytes the registered task's container requests (the request, else the limit, as Kubernetes
 * schedules it). Tasks that are not registered (a dynamic workflow's) or not containers request nothing known.
 */
async function requestedResources(tx: Queryable, event: TaskExecutionEvent): Promise<RequestedResources> {
  const task = event.taskId!;
  const [row] = await tx.query<{ closure: Uint8Array }>(
    "SELECT closure FROM tasks WHERE project = $1 AND domain = $2 AND name = $3 AND version = $4",
    [task.project, task.domain, task.name, task.version],
  );
  const template = row === undefined ? undefined : fromBinary(TaskClosureSchema, row.closure).compiledTask?.template;
  const resources = template?.target.case === "container" ? template.target.value.resources : undefined;
  const pick = (name: Resources_ResourceName) =>
    quantity(resources?.requests, name) ?? quantity(resources?.limits, name) ?? null;
  return { cpu: pick(Resources_ResourceName.CPU), memoryBytes: roundOrNull(pick(Resources_ResourceName.MEMORY)) };
}

function quantity(entries: Resources_ResourceEntry[] | undefined, name: Resources_ResourceName): number | undefined {
  const entry = entries?.find((e) => e.name === name);
  const parsed = entry === undefined ? undefined : parseQuantity(entry.value);
  return parsed === undefined ? undefined : quantityNumber(parsed);
}

const roundOrNull = (value: number | null) => (value === null ? null : Math.round(value));
