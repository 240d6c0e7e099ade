// The lookups behind v2 cloud events, batched per outbox batch and cached: an execution's spec and
// its workflow's interface, and a task's interface, never change once written, so a busy execution
// costs one query however many events it has. A node's latest task attempt is looked up for the
// succeeded node events only, as flyteadmin does.
import { create, fromBinary } from "@bufbuild/protobuf";
import type { Queryable } from "../../db/index.js";
import { ExecutionSpecSchema } from "../../idl/gen/flyteidl/admin/execution_pb.js";
import { TaskClosureSchema } from "../../idl/gen/flyteidl/admin/task_pb.js";
import {
  type NodeExecutionIdentifier,
  TaskExecutionIdentifierSchema,
} from "../../idl/gen/flyteidl/core/identifier_pb.js";
import { type TypedInterface, TypedInterfaceSchema } from "../../idl/gen/flyteidl/core/interface_pb.js";
import { taskIdOf } from "../executions/rows.js";
import { BoundedCache } from "./bounded-cache.js";
import type { ExecutionFacts, NodeTaskFacts } from "./cloudevent-v2.js";

/** A succeeded node whose latest task attempt is wanted. */
export interface NodeRef {
  executionId: number;
  id: NodeExecutionIdentifier;
}

export interface FactsLookup {
  executions(ids: readonly number[]): Promise<Map<number, ExecutionFacts>>;
  /** Keyed by `nodeKey(ref)`; nodes without a task attempt (subworkflows, branches) are absent. */
  nodeTasks(nodes: readonly NodeRef[]): Promise<Map<string, NodeTaskFacts>>;
}

export const nodeKey = (ref: NodeRef) => `${ref.executionId}/${ref.id.nodeId}`;

const EXECUTIONS_CACHED = 4096;
const TASKS_CACHED = 1024;

/** An execution that is gone: its events are published bare. */
export const UNKNOWN_EXECUTION: ExecutionFacts = {
  launchPlanId: undefined,
  principal: "",
  artifactIds: [],
  referenceExecution: undefined,
  labels: {},
  workflowInterface: undefined,
};

export function factsLookup(db: Queryable): FactsLookup {
  const executionCache = new BoundedCache<number, ExecutionFacts>(EXECUTIONS_CACHED);
  // null: not registered (a dynamic task's generated tasks never are).
  const taskInterfaceCache = new BoundedCache<string, TypedInterface | null>(TASKS_CACHED);

  async function executions(ids: readonly number[]): Promise<Map<number, ExecutionFacts>> {
    const found = new Map<number, ExecutionFacts>();
    const missing: number[] = [];
    for (const id of new Set(ids)) {
      const cached = executionCache.get(id);
      if (cached === undefined) missing.push(id);
      else found.set(id, cached);
    }
    if (missing.length > 0) {
      const rows = await db.query<{ id: number; spec: Uint8Array; typed_interface: Uint8Array | null }>(
        `SELECT x.id, x.spec, w.typed_interface
         FROM executions x LEFT JOIN workflows w ON w.id = x.workflow_id
         WHERE x.id = ANY($1::bigint[])`,
        [missing],
      );
      for (const row of rows) {
        const facts = executionFacts(row.spec, row.typed_interface);
        executionCache.set(row.id, facts);
        found.set(row.id, facts);
      }
    }
    return found;
  }

  async function nodeTasks(nodes: readonly NodeRef[]): Promise<Map<string, NodeTaskFacts>> {
    const result = new Map<string, NodeTaskFacts>();
    if (nodes.length === 0) return result;
    const byKey = new Map(nodes.map((n) => [nodeKey(n), n]));
    const refs = [...byKey.values()];
    // The highest attempt of each node, as flyteadmin's getLatestTaskExecutions.
    const latest = await db.query<{
      execution_id: number;
      node_id: string;
      task_project: string;
      task_domain: string;
      task_name: string;
      task_version: string;
      retry_attempt: number;
    }>(
      `SELECT DISTINCT ON (n.execution_id, n.node_id) n.execution_id, n.node_id,
              t.task_project, t.task_domain, t.task_name, t.task_version, t.retry_attempt
       FROM node_executions n JOIN task_executions t ON t.node_execution_id = n.id
       WHERE (n.execution_id, n.node_id) IN (SELECT * FROM unnest($1::bigint[], $2::text[]))
       ORDER BY n.execution_id, n.node_id, t.retry_attempt DESC`,
      [refs.map((r) => r.executionId), refs.map((r) => r.id.nodeId)],
    );
    const interfaces = await taskInterfaces(latest);
    for (const row of latest) {
      const key = `${row.execution_id}/${row.node_id}`;
      const ref = byKey.get(key);
      if (ref === undefined) continue;
      result.set(key, {
        taskExecId: create(TaskExecutionIdentifierSchema, {
          taskId: taskIdOf(row, ref.id.executionId?.org ?? ""),
          nodeExecutionId: ref.id,
          retryAttempt: row.retry_attempt,
        }),
        outputInterface: interfaces.get(taskKey(row)) ?? undefined,
      });
    }
    return result;
  }

  async function taskInterfaces(tasks: readonly TaskRow[]): Promise<Map<string, TypedInterface | null>> {
    const found = new Map<string, TypedInterface | null>();
    const missing = new Map<string, TaskRow>();
    for (const task of tasks) {
      const key = taskKey(task);
      const cached = taskInterfaceCache.get(key);
      if (cached === undefined) missing.set(key, task);
      else found.set(key, cached);
    }
    if (missing.size === 0) return found;
    const wanted = [...missing.values()];
    const rows = await db.query<TaskRow & { closure: Uint8Array }>(
      `SELECT project AS task_project, domain AS task_domain, name AS task_name, version AS task_version, closure
       FROM tasks
       WHERE (project, domain, name, version) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]))`,
      [
        wanted.map((t) => t.task_project),
        wanted.map((t) => t.task_domain),
        wanted.map((t) => t.task_name),
        wanted.map((t) => t.task_version),
      ],
    );
    for (const row of rows) {
      found.set(taskKey(row), fromBinary(TaskClosureSchema, row.closure).compiledTask?.template?.interface ?? null);
    }
    for (const key of missing.keys()) {
      const value = found.get(key) ?? null;
      taskInterfaceCache.set(key, value);
      found.set(key, value);
    }
    return found;
  }

  return { executions, nodeTasks };
}

interface TaskRow {
  task_project: string;
  task_domain: string;
  task_name: string;
  task_version: string;
}

const taskKey = (t: TaskRow) => JSON.stringify([t.task_project, t.task_domain, t.task_name, t.task_version]);

function executionFacts(specBytes: Uint8Array, typedInterface: Uint8Array | null): ExecutionFacts {
  const spec = fromBinary(ExecutionSpecSchema, specBytes);
  return {
    launchPlanId: spec.launchPlan,
    principal: spec.metadata?.principal ?? "",
    artifactIds: spec.metadata?.artifactIds ?? [],
    referenceExecution: spec.metadata?.referenceExecution,
    labels: spec.labels?.values ?? {},
    workflowInterface:
      typedInterface === null || typedInterface.length === 0
        ? undefined
        : fromBinary(TypedInterfaceSchema, typedInterface),
  };
}
