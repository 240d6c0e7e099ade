// GetDescriptionEntity and ListDescriptionEntities (flyteadmin description_entity_manager.go): the
// TaskSpec/WorkflowSpec `description` of each registered version, stored at registration.
import { create, fromBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { DESCRIPTION_ENTITY_COLUMNS } from "../../db/index.js";
import {
  type DescriptionEntity,
  type DescriptionEntityListRequest,
  DescriptionEntityListSchema,
  DescriptionEntitySchema,
} from "../../idl/gen/flyteidl/admin/description_entity_pb.js";
import { IdentifierSchema, type ObjectGetRequest, ResourceType } from "../../idl/index.js";
import type { AdminContext } from "../context.js";
import { invalidArgument, missing } from "./errors.js";
import { identifierText } from "./identifiers.js";
import { listPage, scope } from "./lists.js";

interface DescriptionRow {
  resource_type: number;
  project: string;
  domain: string;
  name: string;
  version: string;
  description: Uint8Array;
}

const SELECT =
  "SELECT description_entities.resource_type, description_entities.project, description_entities.domain, " +
  "description_entities.name, description_entities.version, description_entities.description FROM description_entities";

/** Only tasks and workflows carry descriptions. */
function checkResourceType(type: ResourceType): void {
  if (type !== ResourceType.TASK && type !== ResourceType.WORKFLOW) {
    throw invalidArgument(
      `description entities are kept for TASK and WORKFLOW only, not ${ResourceType[type] ?? type}; ` +
        "ask for one of those resource types",
    );
  }
}

/** The stored entity, with the id of the version it describes. */
function entityFromRow(row: DescriptionRow): DescriptionEntity {
  const entity = fromBinary(DescriptionEntitySchema, row.description);
  entity.id = create(IdentifierSchema, {
    resourceType: row.resource_type,
    project: row.project,
    domain: row.domain,
    name: row.name,
    version: row.version,
    org: entity.id?.org ?? "",
  });
  return entity;
}

export async function getDescriptionEntity(ctx: AdminContext, request: ObjectGetRequest) {
  const id = request.id;
  if (id === undefined) throw missing("id");
  checkResourceType(id.resourceType);
  for (const field of ["project", "domain", "name", "version"] as const) if (id[field] === "") throw missing(field);
  const rows = await ctx.db.query<DescriptionRow>(
    `${SELECT} WHERE resource_type = $1 AND project = $2 AND domain = $3 AND name = $4 AND version = $5`,
    [id.resourceType, id.project, id.domain, id.name, id.version],
  );
  if (rows.length === 0) {
    throw new ConnectError(
      `missing entity of type description entity with identifier ${identifierText(id, false)}; ` +
        "it exists only for versions registered with a description in their spec",
      Code.NotFound,
    );
  }
  return entityFromRow(rows[0]);
}

export async function listDescriptionEntities(ctx: AdminContext, request: DescriptionEntityListRequest) {
  const id = request.id;
  if (id === undefined) throw missing("id");
  checkResourceType(request.resourceType);
  if (id.name === "") throw missing("name");
  const where = scope("description_entities", id.project, id.domain, id.name);
  const { rows, token } = await listPage<DescriptionRow>(ctx.db, {
    from: SELECT,
    where: {
      sql: `${where.sql} AND description_entities.resource_type = $${where.params.length + 1}`,
      params: [...where.params, request.resourceType],
    },
    filters: request.filters,
    columns: DESCRIPTION_ENTITY_COLUMNS,
    sort: request.sortBy,
    order: { defaultSort: { key: "created_at", direction: "DESCENDING" }, tiebreak: "description_entities.id" },
    limit: request.limit,
    token: request.token,
  });
  return create(DescriptionEntityListSchema, { descriptionEntities: rows.map(entityFromRow), token });
}
