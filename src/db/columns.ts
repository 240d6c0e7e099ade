import type { Column, ColumnMap } from "./filters.js";

// The filter and sort allow-lists of admin's list RPCs, with flyteadmin's field names mapped to
// this schema's columns. Columns are qualified by table name, so a list query names its tables
// (no aliases) and joins those that a map reaches into:
//   executions:      LEFT JOIN launch_plans ON launch_plans.id = executions.launch_plan_id
//                    LEFT JOIN workflows ON workflows.id = executions.workflow_id
//                    LEFT JOIN tasks ON tasks.id = executions.task_id
//   launch plans:    JOIN workflows ON workflows.id = launch_plans.workflow_id
//   named entities:  FROM (SELECT DISTINCT project, domain, name FROM <entity table>) AS entities
//                    LEFT JOIN named_entity_metadata ON (its key = resource type + entities.*)

export const WORKFLOW_EXECUTION_PHASES = [
  "UNDEFINED",
  "QUEUED",
  "RUNNING",
  "SUCCEEDING",
  "SUCCEEDED",
  "FAILING",
  "FAILED",
  "ABORTED",
  "TIMED_OUT",
  "ABORTING",
] as const;

export const NODE_EXECUTION_PHASES = [
  "UNDEFINED",
  "QUEUED",
  "RUNNING",
  "SUCCEEDED",
  "FAILING",
  "FAILED",
  "ABORTED",
  "SKIPPED",
  "TIMED_OUT",
  "DYNAMIC_RUNNING",
  "RECOVERED",
] as const;

export const TASK_EXECUTION_PHASES = [
  "UNDEFINED",
  "QUEUED",
  "RUNNING",
  "SUCCEEDED",
  "ABORTED",
  "FAILED",
  "INITIALIZING",
  "WAITING_FOR_RESOURCES",
  "RETRYABLE_FAILED",
] as const;

const ERROR_KINDS = ["UNKNOWN", "USER", "SYSTEM"];

/** An enum stored by name. */
function byName(table: string, column: string, names: readonly string[]): Column {
  return { column: `${table}.${column}`, type: "enum", values: Object.fromEntries(names.map((n) => [n, n])) };
}

/** An enum stored by number, filtered by number (as flyteadmin) or by name. */
function byNumber(table: string, column: string, names: readonly string[], sql = `${table}.${column}`): Column {
  const values: Record<string, number> = {};
  names.forEach((name, number) => {
    values[name] = number;
    values[String(number)] = number;
  });
  return { column: sql, type: "enum", values };
}

type PlainType = Exclude<Column["type"], "enum">;

/** Columns of `table` by field name; a [column, type] pair where the field is named otherwise. */
function plain(table: string, types: Record<string, PlainType | [string, PlainType]>): ColumnMap {
  const map: Record<string, Column> = {};
  for (const [field, spec] of Object.entries(types)) {
    const [column, type] = Array.isArray(spec) ? spec : [field, spec];
    map[field] = { column: `${table}.${column}`, type };
  }
  return map;
}

/** Adds `<entity>.<field>` spellings: flyteadmin accepts the listed entity's own prefix too. */
function withPrefix(entity: string, map: ColumnMap): ColumnMap {
  return {
    ...map,
    ...Object.fromEntries(Object.entries(map).map(([field, column]) => [`${entity}.${field}`, column])),
  };
}

/** `<entity>.<field>` entries reaching into a joined table. */
function joined(entity: string, map: ColumnMap): ColumnMap {
  return Object.fromEntries(Object.entries(map).map(([field, column]) => [`${entity}.${field}`, column]));
}

const identity = (table: string) =>
  plain(table, {
    project: "text",
    domain: "text",
    name: "text",
    version: "text",
    created_at: "timestamp",
    updated_at: "timestamp",
  });

const TASK_FIELDS = { ...identity("tasks"), ...plain("tasks", { type: "text", short_description: "text" }) };
const WORKFLOW_FIELDS = { ...identity("workflows"), ...plain("workflows", { short_description: "text" }) };
const LAUNCH_PLAN_FIELDS = {
  ...identity("launch_plans"),
  ...plain("launch_plans", { launch_condition_type: "text" }),
  state: byNumber("launch_plans", "state", ["INACTIVE", "ACTIVE"]),
  schedule_type: byName("launch_plans", "schedule_type", ["NONE", "CRON", "RATE"]),
};

export const TASK_COLUMNS: ColumnMap = withPrefix("task", TASK_FIELDS);

export const WORKFLOW_COLUMNS: ColumnMap = withPrefix("workflow", WORKFLOW_FIELDS);

export const LAUNCH_PLAN_COLUMNS: ColumnMap = {
  ...withPrefix("launch_plan", LAUNCH_PLAN_FIELDS),
  ...joined("workflow", WORKFLOW_FIELDS),
};

export const EXECUTION_COLUMNS: ColumnMap = {
  ...withPrefix("execution", {
    ...plain("executions", {
      project: "text",
      domain: "text",
      name: "text",
      user: ["principal", "text"],
      launch_entity: "text",
      cluster: "text",
      error_code: "text",
      abort_cause: "text",
      launch_plan_id: "int",
      workflow_id: "int",
      task_id: "int",
      source_execution_id: "int",
      parent_node_execution_id: "int",
      created_at: "timestamp",
      execution_created_at: ["created_at", "timestamp"],
      updated_at: "timestamp",
      execution_updated_at: ["updated_at", "timestamp"],
      started_at: "timestamp",
      duration: ["duration_ns", "duration"],
    }),
    phase: byName("executions", "phase", WORKFLOW_EXECUTION_PHASES),
    error_kind: byName("executions", "error_kind", ERROR_KINDS),
    state: byNumber("executions", "state", ["ACTIVE", "ARCHIVED"]),
    mode: byNumber("executions", "mode", [
      "MANUAL",
      "SCHEDULED",
      "SYSTEM",
      "RELAUNCH",
      "CHILD_WORKFLOW",
      "RECOVERED",
      "TRIGGER",
    ]),
  }),
  ...joined("launch_plan", identity("launch_plans")),
  ...joined("workflow", WORKFLOW_FIELDS),
  ...joined("task", TASK_FIELDS),
};

export const NODE_EXECUTION_COLUMNS: ColumnMap = withPrefix("node_execution", {
  ...plain("node_executions", {
    node_id: "text",
    spec_node_id: "text",
    retry_group: "text",
    is_parent: "bool",
    is_dynamic: "bool",
    is_array: "bool",
    cache_status: "text",
    error_code: "text",
    created_at: "timestamp",
    node_execution_created_at: ["created_at", "timestamp"],
    updated_at: "timestamp",
    node_execution_updated_at: ["updated_at", "timestamp"],
    started_at: "timestamp",
    duration: ["duration_ns", "duration"],
  }),
  phase: byName("node_executions", "phase", NODE_EXECUTION_PHASES),
  error_kind: byName("node_executions", "error_kind", ERROR_KINDS),
});

export const TASK_EXECUTION_COLUMNS: ColumnMap = {
  ...withPrefix("task_execution", {
    ...plain("task_executions", {
      retry_attempt: "int",
      phase_version: "int",
      error_code: "text",
      created_at: "timestamp",
      task_execution_created_at: ["created_at", "timestamp"],
      updated_at: "timestamp",
      task_execution_updated_at: ["updated_at", "timestamp"],
      started_at: "timestamp",
      duration: ["duration_ns", "duration"],
    }),
    phase: byName("task_executions", "phase", TASK_EXECUTION_PHASES),
    error_kind: byName("task_executions", "error_kind", ERROR_KINDS),
  }),
  ...plain("task_executions", {
    "task.project": ["task_project", "text"],
    "task.domain": ["task_domain", "text"],
    "task.name": ["task_name", "text"],
    "task.version": ["task_version", "text"],
  }),
};

export const PROJECT_COLUMNS: ColumnMap = withPrefix("project", {
  ...plain("projects", { identifier: "text", name: "text", description: "text", created_at: "timestamp" }),
  state: byNumber("projects", "state", ["ACTIVE", "ARCHIVED", "SYSTEM_GENERATED"]),
});

export const NAMED_ENTITY_COLUMNS: ColumnMap = {
  ...withPrefix("entities", plain("entities", { project: "text", domain: "text", name: "text" })),
  ...withPrefix("named_entity_metadata", {
    description: { column: "COALESCE(named_entity_metadata.description, '')", type: "text" },
    // No metadata row means ACTIVE, as flyteadmin's COALESCE(state, 0).
    state: byNumber(
      "named_entity_metadata",
      "state",
      ["ACTIVE", "ARCHIVED", "SYSTEM_GENERATED"],
      "COALESCE(named_entity_metadata.state, 0)",
    ),
  }),
};

// Description entities are immutable: no updated_at.
export const DESCRIPTION_ENTITY_COLUMNS: ColumnMap = withPrefix(
  "description_entity",
  plain("description_entities", {
    project: "text",
    domain: "text",
    name: "text",
    version: "text",
    short_description: "text",
    created_at: "timestamp",
  }),
);

export const SIGNAL_COLUMNS: ColumnMap = withPrefix(
  "signal",
  plain("signals", { signal_id: "text", created_at: "timestamp", updated_at: "timestamp" }),
);
