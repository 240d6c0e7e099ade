import { InvalidArgumentError } from "./errors.js";
import { type ColumnMap, type Filter, type SqlFragment, toSql } from "./filters.js";

/**
 * admin.Sort. Its direction enum has DESCENDING = 0 (the proto default) and ASCENDING = 1; the
 * names are accepted as well.
 */
export interface Sort {
  key: string;
  direction?: number | "DESCENDING" | "ASCENDING";
}

/** A page of a list: offset pagination, as flyteadmin does it. */
export interface Page {
  limit: number;
  offset: number;
}

export interface OrderOptions {
  /** Used when the request has no sort (flyteadmin leaves the order unspecified then). */
  defaultSort?: Sort;
  /** Trusted SQL appended to every order, e.g. `executions.id`, so that pages never overlap. */
  tiebreak?: string;
}

function direction(sort: Sort): "ASC" | "DESC" {
  switch (sort.direction ?? 0) {
    case 0:
    case "DESCENDING":
      return "DESC";
    case 1:
    case "ASCENDING":
      return "ASC";
    default:
      throw new InvalidArgumentError(
        `invalid sort direction ${JSON.stringify(sort.direction)} for key '${sort.key}'; accepted: ` +
          "DESCENDING (0), ASCENDING (1)",
      );
  }
}

/**
 * The ORDER BY clause for a request's sort (or the default), with the key mapped through the same
 * allow-list as filters; "" when there is nothing to order by.
 */
export function orderBy(sort: Sort | undefined, columns: ColumnMap, options: OrderOptions = {}): string {
  const chosen = sort ?? options.defaultSort;
  const terms: string[] = [];
  let dir: "ASC" | "DESC" = "ASC";
  if (chosen) {
    if (!Object.hasOwn(columns, chosen.key)) {
      throw new InvalidArgumentError(
        `invalid sort key '${chosen.key}'; accepted keys: ${Object.keys(columns).join(", ")}`,
      );
    }
    dir = direction(chosen);
    terms.push(`${columns[chosen.key].column} ${dir}`);
  }
  if (options.tiebreak) terms.push(`${options.tiebreak} ${dir}`);
  return terms.length > 0 ? `ORDER BY ${terms.join(", ")}` : "";
}

/**
 * Validates a request's limit and page token. The token is the decimal offset of the page ("" for
 * the first), which is what flyteadmin hands out, so tokens stay valid across implementations.
 */
export function parsePage(limit: number, token: string): Page {
  if (!Number.isInteger(limit) || limit <= 0) throw new InvalidArgumentError("invalid value for limit");
  if (token === "") return { limit, offset: 0 };
  const offset = /^\d{1,15}$/.test(token) ? Number(token) : Number.NaN;
  if (!Number.isSafeInteger(offset)) {
    throw new InvalidArgumentError(
      `invalid pagination token ${JSON.stringify(token.slice(0, 40))}: expected a token from a previous page`,
    );
  }
  return { limit, offset };
}

/** The response token: the next page's offset when this page came back full, else "". */
export function nextPageToken(page: Page, count: number): string {
  return count >= page.limit ? String(page.offset + count) : "";
}

export interface ListQuery {
  /** Trusted SQL up to where the WHERE clause goes, e.g. `SELECT … FROM executions LEFT JOIN …`. */
  from: string;
  /** A trusted extra condition with its own parameters numbered from $1. */
  where?: SqlFragment;
  filters: readonly Filter[];
  columns: ColumnMap;
  sort?: Sort;
  order?: OrderOptions;
  page: Page;
}

/** Assembles a list statement: condition, request filters, order and page, numbering all parameters. */
export function listQuery(query: ListQuery): SqlFragment {
  const fixed = query.where ?? { sql: "TRUE", params: [] };
  const filters = toSql(query.filters, query.columns, fixed.params.length + 1);
  const params = [...fixed.params, ...filters.params, query.page.limit, query.page.offset];
  const order = orderBy(query.sort, query.columns, query.order);
  const sql =
    `${query.from} WHERE (${fixed.sql}) AND ${filters.sql}` +
    `${order ? ` ${order}` : ""} LIMIT $${params.length - 1} OFFSET $${params.length}`;
  return { sql, params };
}
