// Flyte list filters, sort and pagination turned into SQL, without a database: parsing, the
// allow-list, value conversion, and the error messages. test/db.test.ts runs the SQL for real.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type ColumnMap,
  EXECUTION_COLUMNS,
  InvalidArgumentError,
  LAUNCH_PLAN_COLUMNS,
  listQuery,
  MAX_FILTERS_LENGTH,
  makeFilter,
  nextPageToken,
  orderBy,
  parseFilters,
  parsePage,
  toSql,
} from "../src/db/index.js";

const columns: ColumnMap = {
  name: { column: "t.name", type: "text" },
  version: { column: "t.version", type: "text" },
  n: { column: "t.n", type: "int" },
  ok: { column: "t.ok", type: "bool" },
  created_at: { column: "t.created_at", type: "timestamp" },
  duration: { column: "t.duration_ns", type: "duration" },
  phase: { column: "t.phase", type: "enum", values: { RUNNING: "RUNNING", SUCCEEDED: "SUCCEEDED" } },
  state: { column: "COALESCE(t.state, 0)", type: "enum", values: { "0": 0, "1": 1, ACTIVE: 1 } },
  "workflow.name": { column: "w.name", type: "text" },
};

/** The InvalidArgumentError message `fn` throws. */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof InvalidArgumentError, `expected an InvalidArgumentError, got ${String(err)}`);
    assert.equal(err.code, "InvalidArgument");
    return err.message;
  }
  return assert.fail("expected an InvalidArgumentError");
}

const sqlOf = (filters: string, first = 1) => toSql(parseFilters(filters), columns, first);

describe("parseFilters", () => {
  test("reads the documented example", () => {
    const filters = parseFilters(
      "eq(version,abc)+value_in(phase,RUNNING;SUCCEEDED)+gte(created_at,2024-01-01T00:00:00Z)+contains(name,foo)",
    );
    assert.deepEqual(
      filters.map(({ fn, field, values }) => ({ fn, field, values })),
      [
        { fn: "eq", field: "version", values: ["abc"] },
        { fn: "value_in", field: "phase", values: ["RUNNING", "SUCCEEDED"] },
        { fn: "gte", field: "created_at", values: ["2024-01-01T00:00:00Z"] },
        { fn: "contains", field: "name", values: ["foo"] },
      ],
    );
    assert.equal(filters[1].expression, "value_in(phase,RUNNING;SUCCEEDED)");
  });

  test("empty means no filters", () => {
    assert.deepEqual(parseFilters(""), []);
  });

  test("one space after the comma is dropped, as flyteadmin's `,\\s?`", () => {
    assert.deepEqual(parseFilters("eq(name, foo)")[0].values, ["foo"]);
    assert.deepEqual(parseFilters("eq(name,  foo)")[0].values, [" foo"]);
    assert.deepEqual(parseFilters("eq(name,\tfoo)")[0].values, ["foo"]);
  });

  test("entity prefixes stay part of the field", () => {
    assert.equal(parseFilters("eq(workflow.name,my.wf)")[0].field, "workflow.name");
    assert.deepEqual(parseFilters("eq(workflow.name,my.wf)")[0].values, ["my.wf"]);
  });

  test("values may hold commas, parentheses, semicolons (single-value functions) and + not after )", () => {
    assert.deepEqual(parseFilters("eq(name,a,b)")[0].values, ["a,b"]);
    assert.deepEqual(parseFilters("eq(name,f(x))")[0].values, ["f(x)"]);
    assert.deepEqual(parseFilters("eq(name,a;b)")[0].values, ["a;b"]);
    assert.deepEqual(parseFilters("gte(created_at,2024-01-01T00:00:00+01:00)")[0].values, [
      "2024-01-01T00:00:00+01:00",
    ]);
    assert.equal(parseFilters("eq(name,a+b)+eq(version,c)").length, 2);
  });

  test("list functions split on ; and keep empty items, as flyteadmin", () => {
    assert.deepEqual(parseFilters("value_in(name,a;;b)")[0].values, ["a", "", "b"]);
    assert.deepEqual(parseFilters("value_not_in(name,a)")[0].values, ["a"]);
  });

  test("all functions are known", () => {
    for (const fn of ["eq", "ne", "gt", "gte", "lt", "lte", "contains", "not_like", "value_in", "value_not_in"]) {
      assert.equal(parseFilters(`${fn}(name,x)`)[0].fn, fn);
    }
  });

  test("malformed text is refused with what was expected", () => {
    const cases: [string, RegExp][] = [
      ["eq", /^invalid value for filters: "eq" is not of the form function\(field,value\)$/],
      ["eq(name,foo", /not of the form/],
      ["eq(name,foo)junk", /not of the form/],
      ["eq(name,foo)+", /"" is not of the form/],
      ["+eq(name,foo)", /unrecognized filter function: "\+eq"/],
      ["eq(name)", /has no value; expected eq\(field,value\)/],
      ["eq(name,)", /has an empty value/],
      ["eq(name, )", /has an empty value/],
      ["eq(,foo)", /"" in "eq\(,foo\)" is not a field name/],
      ["eq( name,foo)", /" name" in .* is not a field name/],
      ["eq(na-me,foo)", /is not a field name/],
      ["eq(a.b.c,foo)", /is not a field name/],
      ["eq(name;x,foo)", /is not a field name/],
    ];
    for (const [text, pattern] of cases)
      assert.match(
        refusal(() => parseFilters(text)),
        pattern,
        text,
      );
  });

  test("unknown functions are named, with the accepted list", () => {
    const message = refusal(() => parseFilters("like(name,foo)"));
    assert.equal(
      message,
      'unrecognized filter function: "like" in "like(name,foo)"; accepted: eq, ne, gt, gte, lt, lte, contains, ' +
        "not_like, value_in, value_not_in",
    );
    assert.match(
      refusal(() => parseFilters("EQ(name,foo)")),
      /unrecognized filter function: "EQ"/,
    );
    assert.match(
      refusal(() => parseFilters("eq(name,x)+(name,y)")),
      /unrecognized filter function: ""/,
    );
  });

  test("overlong filter strings are refused before parsing", () => {
    const text = `eq(name,${"x".repeat(MAX_FILTERS_LENGTH)})`;
    assert.match(
      refusal(() => parseFilters(text)),
      /characters, at most 65536 are accepted/,
    );
  });

  test("long expressions are cut short in messages", () => {
    const message = refusal(() => parseFilters(`zz(name,${"y".repeat(5000)})`));
    assert.ok(message.length < 400, message);
    assert.match(message, /…/);
  });
});

describe("toSql", () => {
  test("maps every function to a comparison with a typed placeholder", () => {
    const cases: [string, string, unknown[]][] = [
      ["eq(name,a)", "t.name = $1::text", ["a"]],
      ["ne(name,a)", "t.name <> $1::text", ["a"]],
      ["gt(n,5)", "t.n > $1::bigint", ["5"]],
      ["gte(n,-5)", "t.n >= $1::bigint", ["-5"]],
      ["lt(n,+7)", "t.n < $1::bigint", ["7"]],
      ["lte(n,0)", "t.n <= $1::bigint", ["0"]],
      ["contains(name,foo)", "t.name LIKE $1::text", ["%foo%"]],
      ["not_like(name,.flytegen%)", "t.name NOT LIKE $1::text", [".flytegen%"]],
      ["value_in(name,a;b)", "t.name = ANY($1::text[])", [["a", "b"]]],
      ["value_not_in(n,1;2)", "t.n <> ALL($1::bigint[])", [["1", "2"]]],
      ["eq(ok,TRUE)", "t.ok = $1::boolean", [true]],
      ["eq(phase,RUNNING)", "t.phase = $1::text", ["RUNNING"]],
      ["value_in(state,ACTIVE;0)", "COALESCE(t.state, 0) = ANY($1::bigint[])", [[1, 0]]],
      ["eq(workflow.name,my.wf)", "w.name = $1::text", ["my.wf"]],
    ];
    for (const [filter, sql, params] of cases) assert.deepEqual(sqlOf(filter), { sql, params }, filter);
  });

  test("ANDs the filters and numbers placeholders from firstParam", () => {
    assert.deepEqual(sqlOf("eq(name,a)+gt(n,1)+value_in(phase,RUNNING)", 4), {
      sql: "t.name = $4::text AND t.n > $5::bigint AND t.phase = ANY($6::text[])",
      params: ["a", "1", ["RUNNING"]],
    });
    assert.deepEqual(toSql([], columns), { sql: "TRUE", params: [] });
  });

  test("contains escapes LIKE wildcards so that it means substring", () => {
    assert.deepEqual(sqlOf("contains(name,50%_off\\)").params, ["%50\\%\\_off\\\\%"]);
  });

  test("not_like keeps the caller's wildcards but refuses a pattern PostgreSQL would reject", () => {
    assert.deepEqual(sqlOf("not_like(name,a\\%b%)").params, ["a\\%b%"]);
    assert.deepEqual(sqlOf("not_like(name,a\\\\)").params, ["a\\\\"]);
    for (const bad of ["abc\\", "\\", "a\\\\\\"]) {
      assert.match(
        refusal(() => sqlOf(`not_like(name,${bad})`)),
        /the pattern ends with an unescaped backslash/,
        bad,
      );
    }
  });

  test("timestamps must be real RFC 3339 instants", () => {
    for (const ok of [
      "2024-01-01T00:00:00Z",
      "2024-02-29T23:59:59.999999999Z",
      "2024-01-01t00:00:00z",
      "2024-01-01T00:00:00-07:30",
      "2024-01-01 00:00:00Z",
    ]) {
      assert.equal(sqlOf(`gte(created_at,${ok})`).params.length, 1, ok);
    }
    assert.deepEqual(sqlOf("gte(created_at,2024-01-01t00:00:00z)").params, ["2024-01-01T00:00:00Z"]);
    for (const bad of [
      "2024-01-01",
      "yesterday",
      "2023-02-29T00:00:00Z",
      "2024-13-01T00:00:00Z",
      "2024-01-32T00:00:00Z",
      "2024-01-01T24:00:00Z",
      "2024-01-01T00:60:00Z",
      "2024-01-01T00:00:60Z",
      "2024-01-01T00:00:00",
      "2024-01-01T00:00:00+25:00",
      "0000-01-01T00:00:00Z",
      "2024-01-01T00:00:00.Z",
      "2024-01-01T00:00:00.1234567890Z",
      "1700000000",
    ]) {
      assert.match(
        refusal(() => sqlOf(`gte(created_at,${bad})`)),
        /is not a valid created_at; expected an RFC 3339 timestamp/,
        bad,
      );
    }
  });

  test("durations are seconds or Go durations, in nanoseconds", () => {
    const cases: [string, string][] = [
      ["60", "60000000000"],
      ["1.5", "1500000000"],
      [".5", "500000000"],
      ["1h30m", "5400000000000"],
      ["250ms", "250000000"],
      ["1.5s", "1500000000"],
      ["-2m", "-120000000000"],
      ["1us", "1000"],
      ["1µs", "1000"],
      ["3ns", "3"],
      ["0", "0"],
    ];
    for (const [value, nanos] of cases) assert.deepEqual(sqlOf(`gt(duration,${value})`).params, [nanos], value);
    for (const bad of ["1d", "h", "1h 30m", "1..5", "ms", ".s", "1e3", "9999999999h", "1hx"]) {
      assert.match(
        refusal(() => sqlOf(`gt(duration,${bad})`)),
        /expected seconds \(90, 1\.5\) or a duration/,
        bad,
      );
    }
  });

  test("integers must fit int8", () => {
    assert.deepEqual(sqlOf("eq(n,9223372036854775807)").params, ["9223372036854775807"]);
    assert.deepEqual(sqlOf("eq(n,-9223372036854775808)").params, ["-9223372036854775808"]);
    for (const bad of ["9223372036854775808", "1.5", "0x10", "1e3", "١٢", "abc", "12345678901234567890123"]) {
      assert.match(
        refusal(() => sqlOf(`eq(n,${bad})`)),
        /expected an integer/,
        bad,
      );
    }
  });

  test("enums accept their keys only and say which", () => {
    assert.equal(
      refusal(() => sqlOf("eq(phase,running)")),
      'filter "eq(phase,running)": "running" is not a valid phase; accepted: RUNNING, SUCCEEDED',
    );
    assert.match(
      refusal(() => sqlOf("value_in(phase,RUNNING;toString)")),
      /"toString" is not a valid phase/,
    );
    assert.match(
      refusal(() => sqlOf("eq(ok,yes)")),
      /expected true or false/,
    );
  });

  test("functions must suit the column type", () => {
    assert.equal(
      refusal(() => sqlOf("gt(phase,RUNNING)")),
      'filter "gt(phase,RUNNING)": gt does not apply to phase (enum); accepted: eq, ne, value_in, value_not_in',
    );
    assert.match(
      refusal(() => sqlOf("contains(n,1)")),
      /contains does not apply to n \(int\)/,
    );
    assert.match(
      refusal(() => sqlOf("not_like(created_at,2024%)")),
      /not_like does not apply to created_at/,
    );
    assert.match(
      refusal(() => sqlOf("lt(ok,true)")),
      /lt does not apply to ok \(bool\)/,
    );
  });

  test("unknown fields and entities are refused with the accepted fields", () => {
    assert.equal(
      refusal(() => sqlOf("eq(digest,x)")),
      "'digest' is invalid filter (filter \"eq(digest,x)\"); accepted fields: name, version, n, ok, created_at, " +
        "duration, phase, state, workflow.name",
    );
    assert.match(
      refusal(() => sqlOf("eq(task.name,x)")),
      /^'task' entity is not allowed in filters/,
    );
    assert.match(
      refusal(() => sqlOf("eq(workflow.version,x)")),
      /^'workflow.version' is invalid filter/,
    );
    for (const field of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      assert.match(
        refusal(() => sqlOf(`eq(${field},x)`)),
        /is invalid filter/,
        field,
      );
    }
  });

  test("NUL and unpaired surrogates are refused; other Unicode passes through", () => {
    assert.match(
      refusal(() => sqlOf("eq(name,a\u0000b)")),
      /valid Unicode text without NUL/,
    );
    assert.match(
      refusal(() => sqlOf("eq(name,\ud800)")),
      /valid Unicode text without NUL/,
    );
    assert.match(
      refusal(() => sqlOf("value_in(name,ok;\udc00x)")),
      /valid Unicode/,
    );
    assert.deepEqual(sqlOf("eq(name,😀 naïve Ωmega \u202e)").params, ["😀 naïve Ωmega \u202e"]);
  });

  test("filters built in code are checked the same way", () => {
    assert.deepEqual(toSql([makeFilter("eq", "name", "p'q"), makeFilter("value_in", "n", ["1", "2"])], columns), {
      sql: "t.name = $1::text AND t.n = ANY($2::bigint[])",
      params: ["p'q", ["1", "2"]],
    });
    assert.match(
      refusal(() => toSql([makeFilter("eq", "name", ["a", "b"])], columns)),
      /takes exactly one value/,
    );
    assert.match(
      refusal(() => toSql([makeFilter("eq", "nope", "a")], columns)),
      /'nope' is invalid filter/,
    );
  });

  test("the SQL never holds anything but allow-listed columns, operators and placeholders", () => {
    const hostile = ["' OR 1=1 --", "x); DROP TABLE t; --", "/*", "$1", "\\'", "%'--"];
    for (const value of hostile) {
      for (const fn of ["eq", "ne", "contains", "not_like", "value_in", "value_not_in"]) {
        const { sql } = toSql([makeFilter(fn as "eq", "name", value)], columns);
        assert.doesNotMatch(sql.replace(/\$\d+::[a-z]+(\[\])?/g, "?"), /['";\-/*\\$%]/, `${fn} ${value}`);
      }
    }
  });
});

describe("flyteadmin field names map to the schema", () => {
  test("executions accept flyteadmin's spellings and joined entities", () => {
    const sql = toSql(
      parseFilters(
        "eq(execution.phase,RUNNING)+eq(launch_plan.name,lp)+eq(workflow.version,v1)+eq(task.name,t)+" +
          "gte(execution_created_at,2024-01-01T00:00:00Z)+eq(user,me)+eq(mode,RELAUNCH)+gt(duration,10)",
      ),
      EXECUTION_COLUMNS,
    );
    assert.equal(
      sql.sql,
      "executions.phase = $1::text AND launch_plans.name = $2::text AND workflows.version = $3::text AND " +
        "tasks.name = $4::text AND executions.created_at >= $5::timestamptz AND executions.principal = $6::text AND " +
        "executions.mode = $7::bigint AND executions.duration_ns > $8::bigint",
    );
    assert.deepEqual(sql.params.slice(6), [3, "10000000000"]);
  });

  test("launch plans filter active state by number, as flyteadmin", () => {
    assert.deepEqual(toSql(parseFilters("eq(state,1)+eq(schedule_type,CRON)"), LAUNCH_PLAN_COLUMNS), {
      sql: "launch_plans.state = $1::bigint AND launch_plans.schedule_type = $2::text",
      params: [1, "CRON"],
    });
  });
});

describe("orderBy", () => {
  test("maps the key through the allow-list; DESCENDING is the proto default", () => {
    assert.equal(orderBy({ key: "created_at" }, columns), "ORDER BY t.created_at DESC");
    assert.equal(orderBy({ key: "created_at", direction: 0 }, columns), "ORDER BY t.created_at DESC");
    assert.equal(orderBy({ key: "name", direction: 1 }, columns), "ORDER BY t.name ASC");
    assert.equal(orderBy({ key: "name", direction: "ASCENDING" }, columns), "ORDER BY t.name ASC");
    assert.equal(orderBy({ key: "state", direction: "DESCENDING" }, columns), "ORDER BY COALESCE(t.state, 0) DESC");
  });

  test("falls back to the default sort, and appends the tiebreak in the same direction", () => {
    const options = { defaultSort: { key: "created_at" }, tiebreak: "t.id" };
    assert.equal(orderBy(undefined, columns, options), "ORDER BY t.created_at DESC, t.id DESC");
    assert.equal(orderBy({ key: "name", direction: 1 }, columns, options), "ORDER BY t.name ASC, t.id ASC");
    assert.equal(orderBy(undefined, columns, { tiebreak: "t.id" }), "ORDER BY t.id ASC");
    assert.equal(orderBy(undefined, columns), "");
  });

  test("refuses unknown keys and directions", () => {
    assert.match(
      refusal(() => orderBy({ key: "digest" }, columns)),
      /^invalid sort key 'digest'; accepted keys: name,/,
    );
    assert.match(
      refusal(() => orderBy({ key: "" }, columns)),
      /^invalid sort key ''/,
    );
    assert.match(
      refusal(() => orderBy({ key: "name; DROP TABLE t" }, columns)),
      /invalid sort key/,
    );
    assert.match(
      refusal(() => orderBy({ key: "constructor" }, columns)),
      /invalid sort key/,
    );
    assert.match(
      refusal(() => orderBy({ key: "name", direction: 2 }, columns)),
      /invalid sort direction 2/,
    );
  });
});

describe("pagination", () => {
  test("the token is the decimal offset, '' for the first page", () => {
    assert.deepEqual(parsePage(10, ""), { limit: 10, offset: 0 });
    assert.deepEqual(parsePage(10, "30"), { limit: 10, offset: 30 });
    assert.deepEqual(parsePage(1, "0"), { limit: 1, offset: 0 });
  });

  test("bad limits and tokens are InvalidArgument", () => {
    for (const limit of [0, -1, 1.5, Number.NaN]) {
      assert.equal(
        refusal(() => parsePage(limit, "")),
        "invalid value for limit",
      );
    }
    for (const token of ["-1", "abc", "1.5", " 1", "1e3", "0x10", "99999999999999999999", "1;DROP"]) {
      assert.match(
        refusal(() => parsePage(10, token)),
        /^invalid pagination token /,
        token,
      );
    }
  });

  test("a next token is handed out only after a full page", () => {
    assert.equal(nextPageToken({ limit: 3, offset: 0 }, 3), "3");
    assert.equal(nextPageToken({ limit: 3, offset: 6 }, 3), "9");
    assert.equal(nextPageToken({ limit: 3, offset: 6 }, 2), "");
    assert.equal(nextPageToken({ limit: 3, offset: 9 }, 0), "");
  });

  test("listQuery numbers the fixed condition, the filters and the page in one sequence", () => {
    const query = listQuery({
      from: "SELECT t.* FROM t",
      where: { sql: "t.project = $1 AND t.parent IS NULL", params: ["p"] },
      filters: parseFilters("eq(name,a)+value_in(n,1;2)"),
      columns,
      sort: { key: "created_at", direction: 1 },
      order: { tiebreak: "t.id" },
      page: { limit: 20, offset: 40 },
    });
    assert.deepEqual(query, {
      sql:
        "SELECT t.* FROM t WHERE (t.project = $1 AND t.parent IS NULL) AND t.name = $2::text AND " +
        "t.n = ANY($3::bigint[]) ORDER BY t.created_at ASC, t.id ASC LIMIT $4 OFFSET $5",
      params: ["p", "a", ["1", "2"], 20, 40],
    });
    assert.equal(
      listQuery({ from: "SELECT 1 FROM t", filters: [], columns, page: { limit: 1, offset: 0 } }).sql,
      "SELECT 1 FROM t WHERE (TRUE) AND TRUE LIMIT $1 OFFSET $2",
    );
  });
});
