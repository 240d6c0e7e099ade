// Reading executions, node executions and task executions back from the metastore: the stored
// spec/closure messages plus the identity columns they are keyed by.
import { create, fromBinary } from "@bufbuild/protobuf";
import type { Queryable } from "../../db/index.js";
import {
  AbortMetadataSchema,
  type Execution,
  ExecutionClosureSchema,
  ExecutionSchema,
  ExecutionSpecSchema,
} from "../../idl/gen/flyteidl/admin/execution_pb.js";
import {
  type NodeExecution,
  NodeExecutionClosureSchema,
  NodeExecutionSchema,
} from "../../idl/gen/flyteidl/admin/node_execution_pb.js";
import {
  type TaskExecution,
  TaskExecutionClosureSchema,
  TaskExecutionSchema,
} from "../../idl/gen/flyteidl/admin/task_execution_pb.js";
import {
  type Identifier,
  IdentifierSchema,
  type NodeExecutionIdentifier,
  ResourceType,
  type TaskExecutionIdentifier,
  type WorkflowExecutionIdentifier,
  WorkflowExecutionIdentifierSchema,
} from "../../idl/gen/flyteidl/core/identifier_pb.js";
import { invalidArgument, notFound } from "./errors.js";

export interface ExecutionRow {
  id: number;
  project: string;
  domain: string;
  name: string;
  org: string;
  phase: string;
  spec: Uint8Array;
  closure: Uint8Array;
  inputs_uri: string;
  user_inputs_uri: string;
  cluster: string;
  principal: string;
  abort_cause: string | null;
}

export interface NodeExecutionRow {
  id: number;
  execution_id: number;
  node_id: string;
  spec_node_id: string;
  retry_group: string;
  phase: string;
  is_parent: boolean;
  is_dynamic: boolean;
  is_array: boolean;
  is_eager: boolean;
  closure: Uint8Array;
  input_uri: string;
  output_uri: string | null;
  dynamic_workflow_uri: string | null;
  // Identity of the execution, selected alongside.
  project: string;
  domain: string;
  name: string;
  org: string;
}

export interface TaskExecutionRow {
  id: number;
  node_execution_id: number;
  execution_id: number;
  task_project: string;
  task_domain: string;
  task_name: string;
  task_version: string;
  retry_attempt: number;
  phase: string;
  phase_version: number;
  is_parent: boolean;
  closure: Uint8Array;
  input_uri: string;
  output_uri: string | null;
  // Identity of the node and the execution, selected alongside.
  node_id: string;
  project: string;
  domain: string;
  name: string;
  org: string;
}

/** The execution identity columns to select with a node or task execution. */
export const EXECUTION_IDENTITY = "executions.project, executions.domain, executions.name, executions.org";

export function requireExecutionId(id: WorkflowExecutionIdentifier | undefined): WorkflowExecutionIdentifier {
  if (id === undefined) throw invalidArgument("missing id");
  for (const field of ["project", "domain", "name"] as const) {
    if (id[field] === "") throw invalidArgument(`missing ${field}`);
  }
  return id;
}

export function requireNodeExecutionId(id: NodeExecutionIdentifier | undefined): NodeExecutionIdentifier {
  if (id === undefined) throw invalidArgument("missing id");
  requireExecutionId(id.executionId);
  if (id.nodeId === "") throw invalidArgument("missing node_id");
  return id;
}

export function requireTaskExecutionId(id: TaskExecutionIdentifier | undefined): TaskExecutionIdentifier {
  if (id === undefined) throw invalidArgument("missing id");
  requireNodeExecutionId(id.nodeExecutionId);
  const task = id.taskId;
  if (task === undefined) throw invalidArgument("missing task_id");
  for (const field of ["project", "domain", "name", "version"] as const) {
    if (task[field] === "") throw invalidArgument(`missing ${field}`);
  }
  return id;
}

const describe = (id: { project: string; domain: string; name: string }) =>
  `project:"${id.project}" domain:"${id.domain}" name:"${id.name}"`;

/** The execution's row; `lock` takes its row lock, which orders all event writes of one execution. */
export async function loadExecution(
  db: Queryable,
  id: WorkflowExecutionIdentifier,
  lock = false,
): Promise<ExecutionRow> {
  const rows = await db.query<ExecutionRow>(
    `SELECT * FROM executions WHERE project = $1 AND domain = $2 AND name = $3${lock ? " FOR UPDATE" : ""}`,
    [id.project, id.domain, id.name],
  );
  if (rows.length === 0) throw notFound(`missing entity of type execution with identifier ${describe(id)}`);
  return rows[0];
}

export function executionIdOf(row: { project: string; domain: string; name: string; org: string }) {
  return create(WorkflowExecutionIdentifierSchema, {
    project: row.project,
    domain: row.domain,
    name: row.name,
    org: row.org,
  });
}

export function executionFromRow(row: ExecutionRow): Execution {
  const spec = fromBinary(ExecutionSpecSchema, row.spec);
  const closure = fromBinary(ExecutionClosureSchema, row.closure);
  // flyteadmin fills these in on read for executions stored without them.
  const system = spec.metadata?.systemMetadata;
  if (system !== undefined && system.namespace === "") system.namespace = `${row.project}-${row.domain}`;
  if (row.phase === "ABORTED" && closure.outputResult.case === undefined && row.abort_cause !== null) {
    closure.outputResult = { case: "abortMetadata", value: create(AbortMetadataSchema, { cause: row.abort_cause }) };
  }
  return create(ExecutionSchema, { id: executionIdOf(row), spec, closure });
}

export function nodeExecutionFromRow(row: NodeExecutionRow): NodeExecution {
  return create(NodeExecutionSchema, {
    id: { nodeId: row.node_id, executionId: executionIdOf(row) },
    inputUri: row.input_uri,
    closure: fromBinary(NodeExecutionClosureSchema, row.closure),
    metadata: {
      retryGroup: row.retry_group,
      isParentNode: row.is_parent,
      specNodeId: row.spec_node_id,
      isDynamic: row.is_dynamic,
      isArray: row.is_array,
      isEager: row.is_eager,
    },
  });
}

/** The task an attempt ran, from a task execution row's task columns. */
export function taskIdOf(
  row: { task_project: string; task_domain: string; task_name: string; task_version: string },
  org: string,
): Identifier {
  return create(IdentifierSchema, {
    resourceType: ResourceType.TASK,
    project: row.task_project,
    domain: row.task_domain,
    name: row.task_name,
    version: row.task_version,
    org,
  });
}

export function taskExecutionFromRow(row: TaskExecutionRow): TaskExecution {
  return create(TaskExecutionSchema, {
    id: {
      taskId: taskIdOf(row, row.org),
      nodeExecutionId: { nodeId: row.node_id, executionId: executionIdOf(row) },
      retryAttempt: row.retry_attempt,
    },
    inputUri: row.input_uri,
    closure: fromBinary(TaskExecutionClosureSchema, row.closure),
    isParent: row.is_parent,
  });
}

// Rows are found through their unique keys, one id at a time (scalar subqueries run once), so the plan
// does not depend on statistics: PGlite has no autovacuum to gather them, and a join planned on
// guesses scanned every node of the execution once per task attempt.
const EXECUTION_ROW_ID = "(SELECT id FROM executions WHERE project = $1 AND domain = $2 AND name = $3)";

const NODE_SELECT = `SELECT node_executions.*, ${EXECUTION_IDENTITY}
  FROM node_executions JOIN executions ON executions.id = node_executions.execution_id`;

export async function loadNodeExecution(
  db: Queryable,
  id: NodeExecutionIdentifier,
  lock = false,
): Promise<NodeExecutionRow | undefined> {
  const exec = id.executionId!;
  const rows = await db.query<NodeExecutionRow>(
    `${NODE_SELECT} WHERE node_executions.execution_id = ${EXECUTION_ROW_ID}
       AND node_executions.node_id = $4${lock ? " FOR UPDATE OF node_executions" : ""}`,
    [exec.project, exec.domain, exec.name, id.nodeId],
  );
  return rows[0];
}

export async function requireNodeExecution(db: Queryable, id: NodeExecutionIdentifier): Promise<NodeExecutionRow> {
  const row = await loadNodeExecution(db, id);
  if (row === undefined) {
    throw notFound(
      `missing entity of type node execution with identifier node_id:"${id.nodeId}" execution_id:{${describe(id.executionId!)}}`,
    );
  }
  return row;
}

const TASK_SELECT = `SELECT task_executions.*, node_executions.node_id, ${EXECUTION_IDENTITY}
  FROM task_executions
  JOIN node_executions ON node_executions.id = task_executions.node_execution_id
  JOIN executions ON executions.id = task_executions.execution_id`;

export async function loadTaskExecution(
  db: Queryable,
  id: TaskExecutionIdentifier,
  lock = false,
): Promise<TaskExecutionRow | undefined> {
  const exec = id.nodeExecutionId!.executionId!;
  const task = id.taskId!;
  const rows = await db.query<TaskExecutionRow>(
    `${TASK_SELECT} WHERE task_executions.node_execution_id = (SELECT id FROM node_executions
         WHERE execution_id = ${EXECUTION_ROW_ID} AND node_id = $4)
       AND task_executions.task_project = $5 AND task_executions.task_domain = $6
       AND task_executions.task_name = $7 AND task_executions.task_version = $8 AND task_executions.retry_attempt = $9
       ${lock ? "FOR UPDATE OF task_executions" : ""}`,
    [
      exec.project,
      exec.domain,
      exec.name,
      id.nodeExecutionId!.nodeId,
      task.project,
      task.domain,
      task.name,
      task.version,
      id.retryAttempt,
    ],
  );
  return rows[0];
}

export async function requireTaskExecution(db: Queryable, id: TaskExecutionIdentifier): Promise<TaskExecutionRow> {
  const row = await loadTaskExecution(db, id);
  if (row === undefined) {
    throw notFound(
      `missing entity of type task execution with identifier task:"${id.taskId!.name}" version:"${id.taskId!.version}" node_id:"${id.nodeExecutionId!.nodeId}" retry_attempt:${id.retryAttempt} execution_id:{${describe(id.nodeExecutionId!.executionId!)}}`,
    );
  }
  return row;
}

export { NODE_SELECT, TASK_SELECT };
