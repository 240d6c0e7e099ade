import { InvalidArgumentError } from "./errors.js";

// Flyte's list filters (flyteadmin pkg/manager/impl/util/filters.go, pkg/common/filters.go):
// `func(field,value)` expressions joined by `+`, list values separated by `;`. There is no quoting
// in flyteadmin and none here; field names only ever reach SQL through an allow-list and values
// only as bind parameters.

export const FILTER_FUNCTIONS = [
  "eq",
  "ne",
  "gt",
  "gte",
  "lt",
  "lte",
  "contains",
  "not_like",
  "value_in",
  "value_not_in",
] as const;
export type FilterFunction = (typeof FILTER_FUNCTIONS)[number];

export interface Filter {
  fn: FilterFunction;
  /** As written, e.g. `phase` or `launch_plan.name`; looked up in the allow-list by toSql. */
  field: string;
  /** One value, or the `;`-separated values of value_in / value_not_in. */
  values: string[];
  /** The expression as written, to point at in error messages. */
  expression: string;
}

/**
 * How a filter field maps to SQL. `column` is trusted SQL written by us (a qualified column or
 * an expression such as `COALESCE(m.state, 0)`); the request only ever selects an entry.
 * - text: any string; the only type `contains` and `not_like` apply to.
 * - int: a decimal integer within int8.
 * - bool: `true` or `false`.
 * - timestamp: RFC 3339, e.g. `2024-01-01T00:00:00Z` or `…T01:00:00.5+01:00`.
 * - duration: seconds (`90`, `1.5`) or a Go duration (`1h30m`, `250ms`), compared as nanoseconds.
 * - enum: one of the keys of `values`, stored as the value it maps to (text or integer).
 */
export type Column =
  | { column: string; type: "text" | "int" | "bool" | "timestamp" | "duration" }
  | { column: string; type: "enum"; values: Readonly<Record<string, string | number>> };

export type ColumnMap = Readonly<Record<string, Column>>;

/** SQL with `$n` placeholders and the values to bind to them, in order. */
export interface SqlFragment {
  sql: string;
  params: unknown[];
}

/** Longest filter string accepted; real ones are a few hundred characters. */
export const MAX_FILTERS_LENGTH = 65_536;

const LIST_FUNCTIONS: ReadonlySet<FilterFunction> = new Set(["value_in", "value_not_in"]);
const FIELD = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;
// What `\s` means in Go's RE2, where flyteadmin's `,\s?` allows one such character after the comma.
const GO_SPACE = /^[\t\n\f\r ]/;
const ACCEPTED_FUNCTIONS = FILTER_FUNCTIONS.join(", ");

const invalid = (message: string) => new InvalidArgumentError(message);

/** An expression quoted for an error message: escaped, and cut short when long. */
function show(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text);
}

/**
 * Parses a request's `filters` string, e.g.
 * `eq(version,abc)+value_in(phase,RUNNING;SUCCEEDED)+gte(created_at,2024-01-01T00:00:00Z)`.
 * "" means no filters. Only the syntax is checked here; fields and values are checked against an
 * allow-list by {@link toSql}.
 *
 * Compared with flyteadmin's unanchored regular expression this is stricter (nothing may follow
 * the closing parenthesis, the field must be a name) and reads a few strings flyteadmin rejects:
 * expressions are split only at a `+` right after a `)`, so a value may contain `+` (time zone
 * offsets); the field ends at the first comma, so a value may contain commas; and `;` separates
 * values only for value_in / value_not_in.
 */
export function parseFilters(text: string): Filter[] {
  if (text === "") return [];
  if (text.length > MAX_FILTERS_LENGTH) {
    throw invalid(`invalid value for filters: ${text.length} characters, at most ${MAX_FILTERS_LENGTH} are accepted`);
  }
  return text.split(/(?<=\))\+/).map(parseExpression);
}

function parseExpression(expression: string): Filter {
  const open = expression.indexOf("(");
  if (open < 0 || !expression.endsWith(")")) {
    throw invalid(`invalid value for filters: ${show(expression)} is not of the form function(field,value)`);
  }
  const fn = expression.slice(0, open);
  if (!(FILTER_FUNCTIONS as readonly string[]).includes(fn)) {
    throw invalid(`unrecognized filter function: ${show(fn)} in ${show(expression)}; accepted: ${ACCEPTED_FUNCTIONS}`);
  }
  const inside = expression.slice(open + 1, -1);
  const comma = inside.indexOf(",");
  if (comma < 0) {
    throw invalid(`invalid value for filters: ${show(expression)} has no value; expected ${fn}(field,value)`);
  }
  const field = inside.slice(0, comma);
  if (!FIELD.test(field)) {
    throw invalid(
      `invalid value for filters: ${show(field)} in ${show(expression)} is not a field name ` +
        "(letters, digits and _, optionally after an entity prefix such as launch_plan.)",
    );
  }
  let value = inside.slice(comma + 1);
  if (GO_SPACE.test(value)) value = value.slice(1);
  if (value === "") throw invalid(`invalid value for filters: ${show(expression)} has an empty value`);
  const typed = fn as FilterFunction;
  return { fn: typed, field, values: LIST_FUNCTIONS.has(typed) ? value.split(";") : [value], expression };
}

/** A filter built in code, e.g. the project/domain/name of the request, checked like parsed ones. */
export function makeFilter(fn: FilterFunction, field: string, value: string | readonly string[]): Filter {
  const values = typeof value === "string" ? [value] : [...value];
  return { fn, field, values, expression: `${fn}(${field},${values.join(";")})` };
}

// --- to SQL -----------------------------------------------------------------------------------

const EQUALITIES: ReadonlySet<FilterFunction> = new Set(["eq", "ne", "value_in", "value_not_in"]);
const ORDERINGS: ReadonlySet<FilterFunction> = new Set([...EQUALITIES, "gt", "gte", "lt", "lte"]);
const EVERY_FUNCTION: ReadonlySet<FilterFunction> = new Set(FILTER_FUNCTIONS);

function allowedFunctions(column: Column): ReadonlySet<FilterFunction> {
  switch (column.type) {
    case "text":
      return EVERY_FUNCTION;
    case "enum":
    case "bool":
      return EQUALITIES;
    default:
      return ORDERINGS;
  }
}

const OPERATORS: Partial<Record<FilterFunction, string>> = {
  eq: "=",
  ne: "<>",
  gt: ">",
  gte: ">=",
  lt: "<",
  lte: "<=",
};

/**
 * Turns filters into one SQL condition (the filters ANDed; `TRUE` when there are none) whose
 * placeholders start at `$firstParam`. A field must be a key of `columns`; its value must suit the
 * column's type. Anything else is an InvalidArgumentError naming the filter, the problem and what
 * is accepted.
 */
export function toSql(filters: readonly Filter[], columns: ColumnMap, firstParam = 1): SqlFragment {
  const params: unknown[] = [];
  const bind = (value: unknown, cast: string) => {
    params.push(value);
    return `$${firstParam + params.length - 1}::${cast}`;
  };
  const conditions = filters.map((filter) => {
    const column = lookupColumn(filter, columns);
    if (!allowedFunctions(column).has(filter.fn)) {
      throw invalid(
        `filter ${show(filter.expression)}: ${filter.fn} does not apply to ${filter.field} (${column.type}); ` +
          `accepted: ${[...allowedFunctions(column)].join(", ")}`,
      );
    }
    if (!LIST_FUNCTIONS.has(filter.fn) && filter.values.length !== 1) {
      throw invalid(`filter ${show(filter.expression)}: ${filter.fn} takes exactly one value`);
    }
    const converted = filter.values.map((value) => convertValue(value, column, filter));
    const cast = sqlType(column);
    switch (filter.fn) {
      case "value_in":
        return `${column.column} = ANY(${bind(converted, `${cast}[]`)})`;
      case "value_not_in":
        return `${column.column} <> ALL(${bind(converted, `${cast}[]`)})`;
      case "contains":
        // flyteadmin passes the value into LIKE unescaped; escaping makes contains mean "has this
        // substring" even for values with % or _ (backslash is PostgreSQL's default LIKE escape).
        return `${column.column} LIKE ${bind(`%${String(converted[0]).replace(/[\\%_]/g, "\\$&")}%`, cast)}`;
      case "not_like":
        // The pattern is used as given (flyteadmin's not_like takes % and _ from the caller), but
        // one that ends in a lone escape character would be an error inside PostgreSQL.
        if (/(^|[^\\])(\\\\)*\\$/.test(filter.values[0])) {
          throw invalid(`filter ${show(filter.expression)}: the pattern ends with an unescaped backslash`);
        }
        return `${column.column} NOT LIKE ${bind(converted[0], cast)}`;
      default:
        return `${column.column} ${OPERATORS[filter.fn]} ${bind(converted[0], cast)}`;
    }
  });
  return { sql: conditions.length > 0 ? conditions.join(" AND ") : "TRUE", params };
}

function lookupColumn(filter: Filter, columns: ColumnMap): Column {
  // Own keys only: a field named "constructor" or "__proto__" must not find Object's members.
  if (Object.hasOwn(columns, filter.field)) return columns[filter.field];
  const accepted = `accepted fields: ${Object.keys(columns).join(", ")}`;
  const dot = filter.field.indexOf(".");
  if (dot >= 0) {
    const entity = filter.field.slice(0, dot);
    if (!Object.keys(columns).some((key) => key.startsWith(`${entity}.`))) {
      throw invalid(`'${entity}' entity is not allowed in filters (filter ${show(filter.expression)}); ${accepted}`);
    }
  }
  throw invalid(`'${filter.field}' is invalid filter (filter ${show(filter.expression)}); ${accepted}`);
}

function sqlType(column: Column): string {
  switch (column.type) {
    case "text":
      return "text";
    case "int":
    case "duration":
      return "bigint";
    case "bool":
      return "boolean";
    case "timestamp":
      return "timestamptz";
    case "enum":
      return Object.values(column.values).every((value) => typeof value === "number") ? "bigint" : "text";
  }
}

const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

function convertValue(value: string, column: Column, filter: Filter): unknown {
  const bad = (accepted: string) =>
    invalid(`filter ${show(filter.expression)}: ${show(value)} is not a valid ${filter.field}; ${accepted}`);
  // PostgreSQL text cannot hold NUL, and an unpaired surrogate has no UTF-8 form: refused here
  // rather than failing (or being silently replaced) inside the database.
  if (value.includes("\0") || /\p{Cs}/u.test(value)) throw bad("values must be valid Unicode text without NUL");
  switch (column.type) {
    case "text":
      return value;
    case "int": {
      if (!/^[+-]?\d{1,19}$/.test(value)) throw bad("expected an integer");
      const number = BigInt(value);
      if (number < INT8_MIN || number > INT8_MAX) throw bad("expected an integer within 64 bits");
      return number.toString();
    }
    case "bool": {
      const lower = value.toLowerCase();
      if (lower !== "true" && lower !== "false") throw bad("expected true or false");
      return lower === "true";
    }
    case "timestamp": {
      const timestamp = parseTimestamp(value);
      if (timestamp === undefined) throw bad("expected an RFC 3339 timestamp such as 2024-01-01T00:00:00Z");
      return timestamp;
    }
    case "duration": {
      const nanos = parseDuration(value);
      if (nanos === undefined) throw bad("expected seconds (90, 1.5) or a duration such as 1h30m or 250ms");
      return nanos.toString();
    }
    case "enum":
      if (!Object.hasOwn(column.values, value)) throw bad(`accepted: ${Object.keys(column.values).join(", ")}`);
      return column.values[value];
  }
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/**
 * Validates an RFC 3339 timestamp field by field (so that PostgreSQL never sees an impossible date
 * and fails) and returns it in a form PostgreSQL reads as timestamptz.
 */
function parseTimestamp(value: string): string | undefined {
  const match = RFC3339.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const offsetOk = match[8] === undefined || (Number(match[9]) <= 23 && Number(match[10]) <= 59);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth) return undefined;
  if (hour > 23 || minute > 59 || second > 59 || !offsetOk) return undefined;
  return value.toUpperCase().replace(" ", "T");
}

const NANOS_PER_UNIT: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  μs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** Seconds, as flyteadmin reads a bare number, or a Go duration string, in nanoseconds. */
function parseDuration(value: string): bigint | undefined {
  const sign = value.startsWith("-") ? -1n : 1n;
  let body = value.replace(/^[+-]/, "");
  if (/^(\d+(\.\d*)?|\.\d+)$/.test(body)) body += "s";
  // Sticky, so that the components must follow each other with nothing in between.
  const component = /(\d+)?(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/y;
  let total = 0n;
  let consumed = 0;
  for (let match = component.exec(body); match; match = component.exec(body)) {
    const [, whole = "", fraction = "", unit] = match;
    if (whole === "" && fraction === "") return undefined;
    const scale = NANOS_PER_UNIT[unit];
    total += BigInt(whole || "0") * scale;
    if (fraction !== "") total += BigInt(Math.round(Number(`0.${fraction}`) * Number(scale)));
    consumed = component.lastIndex;
  }
  if (consumed === 0 || consumed !== body.length) return undefined;
  total *= sign;
  return total < INT8_MIN || total > INT8_MAX ? undefined : total;
}
