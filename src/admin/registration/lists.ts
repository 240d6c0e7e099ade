// The list RPCs' shared mechanics: Flyte's filter grammar, sort and offset pagination through the
// metastore's safe query builder. User text only ever selects allow-listed columns or is bound as
// a parameter.

import type { Sort as AdminSort } from "../../idl/index.js";
import {
  type ColumnMap,
  type Filter,
  listQuery,
  nextPageToken,
  type OrderOptions,
  parseFilters,
  parsePage,
  type Queryable,
  type Sort,
  type SqlFragment,
} from "../../db/index.js";
import { missing } from "./errors.js";

export function toSort(sort: AdminSort | undefined): Sort | undefined {
  return sort === undefined ? undefined : { key: sort.key, direction: sort.direction };
}

export interface ListOptions {
  /** Trusted SELECT … FROM … up to the WHERE clause. */
  from: string;
  /** Trusted scope condition (project/domain/name of the request) with its parameters. */
  where: SqlFragment;
  /** The request's filter string; "" for none. */
  filters: string;
  /** Filters added by the server (e.g. state = ACTIVE), checked like the request's. */
  extraFilters?: Filter[];
  columns: ColumnMap;
  sort: AdminSort | undefined;
  order: OrderOptions;
  limit: number;
  token: string;
}

/** One page of rows and the token of the next page ("" when this page was not full). */
export async function listPage<Row>(db: Queryable, options: ListOptions): Promise<{ rows: Row[]; token: string }> {
  const page = parsePage(options.limit, options.token);
  const filters = [...parseFilters(options.filters), ...(options.extraFilters ?? [])];
  const query = listQuery({
    from: options.from,
    where: options.where,
    filters,
    columns: options.columns,
    sort: toSort(options.sort),
    order: options.order,
    page,
  });
  const rows = await db.query<Row>(query.sql, query.params);
  return { rows, token: nextPageToken(page, rows.length) };
}

/** The project/domain[/name] scope of a list request, as flyteadmin's identifier filters. */
export function scope(table: string, project: string, domain: string, name = ""): SqlFragment {
  if (!project) throw missing("project");
  if (!domain) throw missing("domain");
  const params = [project, domain];
  let sql = `${table}.project = $1 AND ${table}.domain = $2`;
  if (name) {
    params.push(name);
    sql += ` AND ${table}.name = $3`;
  }
  return { sql, params };
}

const ID_COLUMNS: ColumnMap = {
  project: { column: "ids.project", type: "text" },
  domain: { column: "ids.domain", type: "text" },
  name: { column: "ids.name", type: "text" },
  created_at: { column: "ids.created_at", type: "timestamp" },
  updated_at: { column: "ids.updated_at", type: "timestamp" },
};

/**
 * The distinct (project, domain, name) of one entity table (List*Ids). flyteadmin ignores the
 * request's filters here, and so does this. Sorting by created_at uses each name's newest version.
 */
export async function listIds(
  db: Queryable,
  table: "tasks" | "workflows" | "launch_plans",
  request: { project: string; domain: string; limit: number; token: string; sortBy?: AdminSort },
) {
  const { rows, token } = await listPage<{ project: string; domain: string; name: string }>(db, {
    from:
      "SELECT ids.project, ids.domain, ids.name FROM (SELECT project, domain, name, " +
      `MAX(created_at) AS created_at, MAX(updated_at) AS updated_at FROM ${table} GROUP BY project, domain, name) AS ids`,
    where: scope("ids", request.project, request.domain),
    filters: "",
    columns: ID_COLUMNS,
    sort: request.sortBy,
    order: { defaultSort: { key: "name", direction: "ASCENDING" }, tiebreak: "ids.name" },
    limit: request.limit,
    token: request.token,
  });
  return { entities: rows.map((r) => ({ project: r.project, domain: r.domain, name: r.name })), token };
}
