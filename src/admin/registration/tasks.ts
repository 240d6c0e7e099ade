// CreateTask, GetTask, ListTasks, ListTaskIds (flyteadmin task_manager.go, task_validator.go).

import { clone, create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ConnectError, Code } from "@connectrpc/connect";
import { compileTask, formatCompileErrors } from "../../compiler/index.js";
import { SqlState, sqlState, TASK_COLUMNS } from "../../db/index.js";
import { DescriptionEntitySchema } from "../../idl/gen/flyteidl/admin/description_entity_pb.js";
import {
  type CompiledTask,
  CompiledTaskSchema,
  type Identifier,
  IdentifierSchema,
  type NamedEntityIdentifierListRequest,
  NamedEntityIdentifierListSchema,
  type ObjectGetRequest,
  type ResourceListRequest,
  ResourceType,
  type Task,
  TaskClosureSchema,
  type TaskCreateRequest,
  TaskCreateResponseSchema,
  TaskListSchema,
  TaskSchema,
} from "../../idl/index.js";
import type { AdminContext } from "../context.js";
import { describeDifferences, digestOf, sameDigest } from "./digest.js";
import { invalidArgument, missing, notFound } from "./errors.js";
import { validateIdentifier, validateProjectAndDomain } from "./identifiers.js";
import { listIds, listPage, scope } from "./lists.js";
import { validateTaskResources } from "./task-resources.js";

interface TaskRow {
  project: string;
  domain: string;
  name: string;
  version: string;
  closure: Uint8Array;
  digest: Uint8Array;
  short_description: string;
  created_at: Date;
}

const SELECT =
  "SELECT tasks.project, tasks.domain, tasks.name, tasks.version, tasks.closure, tasks.digest, " +
  "tasks.short_description, tasks.created_at FROM tasks";

function taskFromRow(row: TaskRow): Task {
  const closure = fromBinary(TaskClosureSchema, row.closure);
  closure.createdAt = timestampFromDate(row.created_at);
  return create(TaskSchema, {
    id: {
      resourceType: ResourceType.TASK,
      project: row.project,
      domain: row.domain,
      name: row.name,
      version: row.version,
    },
    closure,
    shortDescription: row.short_description,
  });
}

/** The stored task of an exact id, or undefined. */
export async function findTask(ctx: AdminContext, id: Identifier): Promise<TaskRow | undefined> {
  const rows = await ctx.db.query<TaskRow>(
    `${SELECT} WHERE project = $1 AND domain = $2 AND name = $3 AND version = $4`,
    [id.project, id.domain, id.name, id.version],
  );
  return rows[0];
}

/** The compiled task stored under an exact id, or undefined. */
export async function findCompiledTask(ctx: AdminContext, id: Identifier): Promise<CompiledTask | undefined> {
  const row = await findTask(ctx, id);
  return row === undefined ? undefined : fromBinary(TaskClosureSchema, row.closure).compiledTask;
}

/** task_validator.go's template checks that the compiler does not make. */
function validateTemplate(request: TaskCreateRequest): void {
  const template = request.spec?.template;
  if (template === undefined) throw missing("spec");
  if (template.type === "") throw missing("type");
  if (template.metadata === undefined) throw missing("metadata");
  if (template.metadata.runtime !== undefined && template.metadata.runtime.version === "") {
    throw missing("runtime version");
  }
  if (template.interface === undefined) throw missing("typed interface");
  if (template.target.case === "container" && template.target.value.image === "") throw missing("image");
  if (template.target.case === "k8sPod" && template.target.value.podSpec === undefined) {
    throw invalidArgument(
      "invalid TaskSpecification, pod tasks should specify their target as a K8sPod with a defined pod spec",
    );
  }
  validateTaskResources(request.id!, template);
}

export async function createTask(ctx: AdminContext, request: TaskCreateRequest) {
  validateIdentifier(request.id, ResourceType.TASK);
  const id = request.id!;
  // The project is checked by the insert below (one statement instead of two); the domain here.
  if (!ctx.config.domains.includes(id.domain))
    await validateProjectAndDomain(ctx.db, ctx.config, id.project, id.domain);
  validateTemplate(request);
  const spec = request.spec!;
  const template = spec.template!;
  // The request's id wins over whatever id the file carried (flyteadmin setDefaults).
  template.id = clone(IdentifierSchema, id);
  const compiled = compileTask(template);
  if ("errors" in compiled) {
    throw invalidArgument(`task failed compilation with ${formatCompileErrors(compiled.errors)}`);
  }
  const digest = digestOf(CompiledTaskSchema, compiled.task);
  const closure = create(TaskClosureSchema, { compiledTask: compiled.task });
  const shortDescription = spec.description?.shortDescription ?? "";

  const compareWithExisting = async () => {
    const existing = await findTask(ctx, id);
    if (existing === undefined) return;
    const identical = () => new ConnectError("task with identical structure already exists", Code.AlreadyExists);
    if (sameDigest(existing.digest, digest)) throw identical();
    const before = fromBinary(TaskClosureSchema, existing.closure).compiledTask ?? create(CompiledTaskSchema);
    const differences = describeDifferences(CompiledTaskSchema, before, compiled.task);
    if (differences === "") throw identical();
    throw invalidArgument(
      `${id.name} task with different structure already exists. (Please register a new version of the task):\n${differences}`,
    );
  };
  // No look-ups first: the insert only happens for an ACTIVE project, its unique key finds an
  // existing version, and the common case (a new version) costs one statement. Task and
  // description go in together (one statement is atomic).
  const values = [
    id.project,
    id.domain,
    id.name,
    id.version,
    id.org,
    template.type,
    digest,
    toBinary(TaskClosureSchema, closure),
    shortDescription,
  ];
  const insertTask =
    "INSERT INTO tasks (project, domain, name, version, org, type, digest, closure, short_description) " +
    "SELECT $1, $2, $3, $4, $5, $6, $7::bytea, $8::bytea, $9 " +
    "WHERE EXISTS (SELECT 1 FROM projects WHERE identifier = $1 AND state = 0) RETURNING 1";
  let inserted: unknown[];
  try {
    if (spec.description === undefined) {
      inserted = await ctx.db.query(insertTask, values);
    } else {
      const description = clone(DescriptionEntitySchema, spec.description);
      description.id = clone(IdentifierSchema, id);
      inserted = await ctx.db.query(
        `WITH task AS (${insertTask}), ` +
          "description AS (INSERT INTO description_entities (resource_type, project, domain, name, version, org, short_description, description) " +
          "SELECT $10::smallint, $1, $2, $3, $4, $5, $9, $11::bytea FROM task ON CONFLICT DO NOTHING) " +
          "SELECT 1 FROM task",
        [...values, ResourceType.TASK, toBinary(DescriptionEntitySchema, description)],
      );
    }
  } catch (err) {
    // This id is registered already (or a concurrent registration won the race): say how it compares.
    if (sqlState(err) === SqlState.uniqueViolation) await compareWithExisting();
    throw err;
  }
  if (inserted.length === 0) {
    // Not inserted: the project is missing or not ACTIVE, which this reports as flyteadmin words it.
    await validateProjectAndDomain(ctx.db, ctx.config, id.project, id.domain);
    throw invalidArgument(`project [${id.project}] is not active`);
  }
  return create(TaskCreateResponseSchema);
}

export async function getTask(ctx: AdminContext, request: ObjectGetRequest) {
  const id = request.id;
  if (id === undefined) throw missing("id");
  const row = await findTask(ctx, id);
  if (row === undefined) throw notFound("TASK", id);
  return taskFromRow(row);
}

export async function listTasks(ctx: AdminContext, request: ResourceListRequest) {
  if (request.id === undefined) throw missing("id");
  const { rows, token } = await listPage<TaskRow>(ctx.db, {
    from: SELECT,
    where: scope("tasks", request.id.project, request.id.domain, request.id.name),
    filters: request.filters,
    columns: TASK_COLUMNS,
    sort: request.sortBy,
    order: { defaultSort: { key: "created_at", direction: "DESCENDING" }, tiebreak: "tasks.id" },
    limit: request.limit,
    token: request.token,
  });
  return create(TaskListSchema, { tasks: rows.map(taskFromRow), token });
}

export async function listTaskIds(ctx: AdminContext, request: NamedEntityIdentifierListRequest) {
  return create(NamedEntityIdentifierListSchema, await listIds(ctx.db, "tasks", request));
}
