// Matchable attributes in the metastore (flyteadmin repositories/gormimpl/resource_repo.go): one
// row per (resource type, project, domain, workflow, launch plan), '' meaning "any" at that level.
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import type { Queryable } from "../../db/index.js";
import {
  MatchableResource,
  type MatchingAttributes,
  MatchingAttributesSchema,
} from "../../idl/gen/flyteidl/admin/matchable_resource_pb.js";

export interface AttributesKey {
  resourceType: MatchableResource;
  project: string;
  domain: string;
  workflow: string;
  launchPlan: string;
  org: string;
}

export interface StoredAttributes extends AttributesKey {
  attributes: MatchingAttributes;
}

interface Row {
  resource_type: string;
  project: string;
  domain: string;
  workflow: string;
  launch_plan: string;
  org: string;
  attributes: Uint8Array;
}

/** Stored by enum name, as flyteadmin does, so rows read the same in either database. */
export const resourceTypeName = (type: MatchableResource) => MatchableResource[type] ?? String(type);

const fromRow = (row: Row): StoredAttributes => ({
  resourceType: MatchableResource[row.resource_type as keyof typeof MatchableResource],
  project: row.project,
  domain: row.domain,
  workflow: row.workflow,
  launchPlan: row.launch_plan,
  org: row.org,
  attributes: fromBinary(MatchingAttributesSchema, row.attributes),
});

const COLUMNS = "resource_type, project, domain, workflow, launch_plan, org, attributes";

/** Creates or replaces the attributes of exactly this key. */
export async function putAttributes(db: Queryable, key: AttributesKey, attributes: MatchingAttributes): Promise<void> {
  await db.query(
    `INSERT INTO resource_attributes (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7) ` +
      "ON CONFLICT (resource_type, project, domain, workflow, launch_plan) " +
      "DO UPDATE SET attributes = EXCLUDED.attributes, org = EXCLUDED.org, updated_at = now()",
    [
      resourceTypeName(key.resourceType),
      key.project,
      key.domain,
      key.workflow,
      key.launchPlan,
      key.org,
      toBinary(MatchingAttributesSchema, attributes),
    ],
  );
}

/** The attributes stored under exactly this key, or undefined. */
export async function getExactAttributes(db: Queryable, key: AttributesKey): Promise<StoredAttributes | undefined> {
  const rows = await db.query<Row>(
    `SELECT ${COLUMNS} FROM resource_attributes WHERE resource_type = $1 AND project = $2 AND domain = $3 ` +
      "AND workflow = $4 AND launch_plan = $5",
    [resourceTypeName(key.resourceType), key.project, key.domain, key.workflow, key.launchPlan],
  );
  return rows[0] === undefined ? undefined : fromRow(rows[0]);
}

/** Deletes exactly this key; false when there was nothing to delete. */
export async function deleteAttributes(db: Queryable, key: AttributesKey): Promise<boolean> {
  const rows = await db.query(
    "DELETE FROM resource_attributes WHERE resource_type = $1 AND project = $2 AND domain = $3 AND workflow = $4 " +
      "AND launch_plan = $5 RETURNING 1",
    [resourceTypeName(key.resourceType), key.project, key.domain, key.workflow, key.launchPlan],
  );
  return rows.length > 0;
}

/** Every stored configuration of one resource type, most general first. */
export async function listAttributes(db: Queryable, resourceType: MatchableResource): Promise<StoredAttributes[]> {
  const rows = await db.query<Row>(
    `SELECT ${COLUMNS} FROM resource_attributes WHERE resource_type = $1 ORDER BY project, domain, workflow, launch_plan`,
    [resourceTypeName(resourceType)],
  );
  return rows.map(fromRow);
}

/**
 * Every row that applies to (project, domain, workflow, launch plan), most specific first, as
 * flyteadmin's ResourceRepo.Get selects them: the domain must be equal ('' asks for project-level
 * rows), the other levels equal or '' (any); launch plan, then workflow, then project level wins.
 */
export async function matchingAttributes(
  db: Queryable,
  resourceType: MatchableResource,
  scope: { project: string; domain: string; workflow?: string; launchPlan?: string },
): Promise<StoredAttributes[]> {
  const rows = await db.query<Row>(
    `SELECT ${COLUMNS} FROM resource_attributes WHERE resource_type = $1 AND project IN ($2, '') ` +
      "AND domain = $3 AND workflow IN ($4, '') AND launch_plan IN ($5, '') " +
      "ORDER BY launch_plan <> '' DESC, workflow <> '' DESC, project <> '' DESC",
    [resourceTypeName(resourceType), scope.project, scope.domain, scope.workflow ?? "", scope.launchPlan ?? ""],
  );
  return rows.map(fromRow);
}
