// ListNamedEntities, GetNamedEntity, UpdateNamedEntity (flyteadmin named_entity_manager.go): the
// names under which tasks, workflows and launch plans have versions, with shared metadata.

import { create } from "@bufbuild/protobuf";
import { makeFilter, NAMED_ENTITY_COLUMNS, type Queryable } from "../../db/index.js";
import {
  type NamedEntity,
  type NamedEntityGetRequest,
  type NamedEntityListRequest,
  NamedEntityListSchema,
  NamedEntitySchema,
  NamedEntityState,
  type NamedEntityUpdateRequest,
  NamedEntityUpdateResponseSchema,
  ResourceType,
} from "../../idl/index.js";
import type { AdminContext } from "../context.js";
import { type EntityType, invalidValue, missing, notFound } from "./errors.js";
import { listPage, scope } from "./lists.js";

// Trusted table names and type numbers chosen by the request's enum value, never its text.
const TABLES: Partial<Record<ResourceType, { table: string; type: EntityType }>> = {
  [ResourceType.TASK]: { table: "tasks", type: "TASK" },
  [ResourceType.WORKFLOW]: { table: "workflows", type: "WORKFLOW" },
  [ResourceType.LAUNCH_PLAN]: { table: "launch_plans", type: "LAUNCH_PLAN" },
};

function entityTable(resourceType: ResourceType) {
  const entry = TABLES[resourceType];
  if (entry === undefined) throw invalidValue("resource_type");
  return entry;
}

interface EntityRow {
  project: string;
  domain: string;
  name: string;
  description: string | null;
  state: number | null;
}

const fromSql = (resourceType: ResourceType, table: string) =>
  "SELECT entities.project, entities.domain, entities.name, named_entity_metadata.description, " +
  `named_entity_metadata.state FROM (SELECT DISTINCT project, domain, name FROM ${table}) AS entities ` +
  `LEFT JOIN named_entity_metadata ON named_entity_metadata.resource_type = ${Number(resourceType)} ` +
  "AND named_entity_metadata.project = entities.project AND named_entity_metadata.domain = entities.domain " +
  "AND named_entity_metadata.name = entities.name";

function entityFromRow(resourceType: ResourceType, row: EntityRow): NamedEntity {
  return create(NamedEntitySchema, {
    resourceType,
    id: { project: row.project, domain: row.domain, name: row.name },
    metadata: { description: row.description ?? "", state: row.state ?? NamedEntityState.NAMED_ENTITY_ACTIVE },
  });
}

export async function listNamedEntities(ctx: AdminContext, request: NamedEntityListRequest) {
  const { table } = entityTable(request.resourceType);
  const { rows, token } = await listPage<EntityRow>(ctx.db, {
    from: fromSql(request.resourceType, table),
    where: scope("entities", request.project, request.domain),
    filters: request.filters,
    // Without filters flyteadmin hides the `.flytegen.*` wrappers made for single-task runs.
    extraFilters: request.filters === "" ? [makeFilter("not_like", "name", ".flytegen%")] : [],
    columns: NAMED_ENTITY_COLUMNS,
    sort: request.sortBy,
    order: { defaultSort: { key: "name", direction: "ASCENDING" }, tiebreak: "entities.name" },
    limit: request.limit,
    token: request.token,
  });
  return create(NamedEntityListSchema, {
    entities: rows.map((row) => entityFromRow(request.resourceType, row)),
    token,
  });
}

async function findEntity(db: Queryable, request: NamedEntityGetRequest | NamedEntityUpdateRequest) {
  const { table, type } = entityTable(request.resourceType);
  const id = request.id;
  if (id === undefined) throw missing("id");
  if (!id.project) throw missing("project");
  if (!id.domain) throw missing("domain");
  if (!id.name) throw missing("name");
  const rows = await db.query<EntityRow>(
    `${fromSql(request.resourceType, table)} WHERE entities.name = $3 AND ${scope("entities", id.project, id.domain).sql}`,
    [id.project, id.domain, id.name],
  );
  if (rows.length === 0) throw notFound(type, id);
  return rows[0];
}

export async function getNamedEntity(ctx: AdminContext, request: NamedEntityGetRequest) {
  return entityFromRow(request.resourceType, await findEntity(ctx.db, request));
}

export async function updateNamedEntity(ctx: AdminContext, request: NamedEntityUpdateRequest) {
  if (request.metadata === undefined) throw missing("metadata");
  const { project, domain, name } = await findEntity(ctx.db, request);
  await ctx.db.query(
    "INSERT INTO named_entity_metadata (resource_type, project, domain, name, org, description, state) " +
      "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (resource_type, project, domain, name) " +
      "DO UPDATE SET description = EXCLUDED.description, state = EXCLUDED.state, updated_at = now()",
    [
      request.resourceType,
      project,
      domain,
      name,
      request.id?.org ?? "",
      request.metadata.description,
      request.metadata.state,
    ],
  );
  return create(NamedEntityUpdateResponseSchema);
}
