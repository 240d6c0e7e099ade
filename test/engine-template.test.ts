// Container template substitution, table-tested against the cases of Flyte's template_test.go
// (flyteplugins pluginmachinery/core/template) plus Go's formatting of each literal kind.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { DurationSchema, TimestampSchema, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type Literal, type LiteralMap, LiteralMapSchema, LiteralSchema } from "../src/idl/index.js";
import {
  cleanUniqueKey,
  goDuration,
  goFloat,
  renderTemplate,
  TemplateError,
  type TemplateVars,
} from "../src/engine/plugins/template.js";

type Primitive = NonNullable<Extract<Literal["value"], { case: "scalar" }>["value"]["value"]>;
const scalar = (value: Primitive): Literal => create(LiteralSchema, { value: { case: "scalar", value: { value } } });
const prim = (value: Extract<Primitive, { case: "primitive" }>["value"]["value"]) =>
  scalar({ case: "primitive", value: { value } } as Primitive);
const int = (n: number | bigint) => prim({ case: "integer", value: BigInt(n) });
const str = (s: string) => prim({ case: "stringValue", value: s });
const list = (...items: Literal[]) =>
  create(LiteralSchema, { value: { case: "collection", value: { literals: items } } });
const literals = (entries: Record<string, Literal>): LiteralMap => create(LiteralMapSchema, { literals: entries });

const base: TemplateVars = {
  inputPath: "input/blah",
  inputPrefix: "input",
  outputPrefix: "output/blah",
  rawOutputDataPrefix: "s3://custom-bucket",
  checkpointOutputPrefix: "s3://new-checkpoint/prefix",
  perRetryUniqueKey: "per_retry_unique_key",
  namespace: "test-namespace",
  inputs: literals({}),
};
const render = (part: string, vars: Partial<TemplateVars> = {}) => renderTemplate([part], { ...base, ...vars })[0];

describe("renderTemplate: path placeholders", () => {
  const cases: [string, string, Partial<TemplateVars>?][] = [
    ["hello", "hello"],
    ["{{ .Input }}", "input/blah"],
    ["{{.input}}", "input/blah"],
    ["{{$input}}", "input/blah"],
    ["{{ $Input }}", "input/blah"],
    ["{{       .Input }}", "input/blah"],
    ["--something={{.Input}}", "--something=input/blah"],
    ["{{input}}", "{{input}}"], // needs . or $
    ["{$input}}", "{$input}}"],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Flyte's "bad input template" case, not a JS template
    ["${{input}}", "${{input}}"],
    ["{{ .InputPrefix }}", "input"],
    ["{{.OutputPrefix}}", "output/blah"],
    ["{{ .outputPrefix }}", "output/blah"],
    ["--switch {{ .rawOutputDataPrefix }}", "--switch s3://custom-bucket"],
    ["{{ $RawOutputDataPrefix }}", "s3://custom-bucket"],
    ["--checkpoint={{ .checkpointoutputprefix }}", "--checkpoint=s3://new-checkpoint/prefix"],
    ["--prev={{ .PrevCheckpointPrefix }}", '--prev=""'],
    ["--prev={{ .PrevCheckpointPrefix }}", '--prev=""', { prevCheckpointPrefix: "" }],
    ["--prev={{ .prevcheckpointprefix }}", "--prev=s3://prev", { prevCheckpointPrefix: "s3://prev" }],
    ["{{ .PerretryuNIqueKey }}", "per_retry_unique_key"],
    ["{{ .perRetryUniqueKey }}", "per_retry_unique_key", { perRetryUniqueKey: "per-retry-unique-key" }],
    ["{{ .perRetryUniqueKey }}", "aper_retry_unique_key", { perRetryUniqueKey: "33 per retry-unique-key" }],
    ["{{ .taskTemplatePath }}", "s3://task-path", { taskTemplatePath: "s3://task-path" }],
    ["{{.Namespace}}", "test-namespace"],
    ["{{ .wrongOutputDataPrefix }}", "{{ .wrongOutputDataPrefix }}"], // unknown placeholders stay, as in Flyte
    ["{{.Foo}}-{{.input}}", "{{.Foo}}-input/blah"],
    ["{{ .Inputs.x }}", "{{ .Inputs.x }}"], // no inputs at all: Flyte leaves input placeholders alone
    ["{{.input}} {{.INPUT}}", "input/blah input/blah"],
    ["{{.outputPrefix}}", "s3://b/$1/$&", { outputPrefix: "s3://b/$1/$&" }], // inserted literally
  ];
  for (const [part, expected, vars] of cases) {
    test(`${JSON.stringify(part)}${vars ? ` with ${JSON.stringify(vars)}` : ""} -> ${expected}`, () => {
      assert.equal(render(part, vars), expected);
    });
  }

  test("the namespace embedded in other values is rendered too (replaced last)", () => {
    const vars = {
      rawOutputDataPrefix: "s3://raw-data/prefix/{{ .Namespace }}",
      prevCheckpointPrefix: "s3://prev-checkpoint/prefix/{{ .Namespace}}",
      checkpointOutputPrefix: "s3://new-checkpoint/prefix/{{.namespace}}",
    };
    assert.deepEqual(
      renderTemplate(
        ["--prev={{ .prevcheckpointprefix }}", "{{ .checkpointoutputprefix }}", "{{.rawoutputdataprefix}}"],
        {
          ...base,
          ...vars,
        },
      ),
      [
        "--prev=s3://prev-checkpoint/prefix/test-namespace",
        "s3://new-checkpoint/prefix/test-namespace",
        "s3://raw-data/prefix/test-namespace",
      ],
    );
  });

  test("flytekit's standard args render completely", () => {
    const args = [
      "pyflyte-execute",
      "--inputs",
      "{{.input}}",
      "--output-prefix",
      "{{.outputPrefix}}",
      "--raw-output-data-prefix",
      "{{.rawOutputDataPrefix}}",
      "--checkpoint-path",
      "{{.checkpointOutputPrefix}}",
      "--prev-checkpoint",
      "{{.prevCheckpointPrefix}}",
    ];
    assert.deepEqual(renderTemplate(args, base), [
      "pyflyte-execute",
      "--inputs",
      "input/blah",
      "--output-prefix",
      "output/blah",
      "--raw-output-data-prefix",
      "s3://custom-bucket",
      "--checkpoint-path",
      "s3://new-checkpoint/prefix",
      "--prev-checkpoint",
      '""',
    ]);
  });

  test("an empty command renders to an empty list", () => {
    assert.deepEqual(renderTemplate([], base), []);
  });

  test("{{.TaskTemplatePath}} without a path is a TemplateError naming it", () => {
    assert.throws(
      () => render("{{ .taskTemplatePath }}"),
      (error: unknown) => error instanceof TemplateError && error.placeholder === "{{.TaskTemplatePath}}",
    );
  });

  test("cleanUniqueKey follows Flyte's two regexes", () => {
    assert.equal(cleanUniqueKey("doesn't start with a number"), "doesn_t_start_with_a_number");
    assert.equal(cleanUniqueKey("  1 3 nd spaces "), "and_spaces_");
    assert.equal(cleanUniqueKey("_ok"), "_ok");
  });
});

describe("renderTemplate: {{.Inputs.<name>}}", () => {
  const ts = (iso: string, nanos = 0) => ({ ...timestampFromDate(new Date(iso)), nanos });
  const dur = (seconds: number, nanos = 0) => create(DurationSchema, { seconds: BigInt(seconds), nanos });
  const blob = (uri: string) => scalar({ case: "blob", value: { uri } } as Primitive);
  const cases: [string, Literal, string][] = [
    ["integer", int(15), "15"],
    ["negative int64 beyond 2^53", int(-9007199254740993n), "-9007199254740993"],
    ["string", str("my_table"), "my_table"],
    ["bool", prim({ case: "boolean", value: true }), "true"],
    ["float", prim({ case: "floatValue", value: 1.1 }), "1.1"],
    ["whole float", prim({ case: "floatValue", value: 2 }), "2"],
    ["float 1e6 uses Go's exponent form", prim({ case: "floatValue", value: 1e6 }), "1e+06"],
    ["float below 1e6", prim({ case: "floatValue", value: 123456 }), "123456"],
    ["float 1e-5", prim({ case: "floatValue", value: 0.00001 }), "1e-05"],
    ["float 1e-4", prim({ case: "floatValue", value: 0.0001 }), "0.0001"],
    [
      "datetime with nanos",
      prim({ case: "datetime", value: ts("1900-01-01T01:01:01Z", 1) }),
      "1900-01-01T01:01:01.000000001Z",
    ],
    ["datetime whole", prim({ case: "datetime", value: ts("2024-05-01T12:00:00Z") }), "2024-05-01T12:00:00Z"],
    [
      "datetime millis",
      prim({ case: "datetime", value: ts("2024-05-01T12:00:00Z", 500_000_000) }),
      "2024-05-01T12:00:00.5Z",
    ],
    ["duration", prim({ case: "duration", value: dur(3723) }), "1h2m3s"],
    ["duration 1.5s", prim({ case: "duration", value: dur(1, 500_000_000) }), "1.5s"],
    ["blob", blob("s3://bucket/file.csv"), "s3://bucket/file.csv"],
    ["blob with spaces", blob("asdf fdsa"), "asdf fdsa"],
    [
      "schema",
      scalar({ case: "schema", value: { uri: "s3://some-bucket/fdsa/x.parquet" } } as Primitive),
      "s3://some-bucket/fdsa/x.parquet",
    ],
    ["collection", list(str("a"), str("b")), "[a,b]"],
    ["nested collection", list(list(str("a"), str("b")), list(int(1), int(2))), "[[a,b],[1,2]]"],
    ["empty collection", list(), "[]"],
  ];
  for (const [what, literal, expected] of cases) {
    test(`${what} -> ${expected}`, () => {
      assert.equal(render("{{ .Inputs.x }}", { inputs: literals({ x: literal }) }), expected);
    });
  }

  test("several inputs in one SQL-like part", () => {
    const inputs = literals({
      ds: prim({ case: "datetime", value: ts("1900-01-01T01:01:01Z", 1) }),
      table: str("my_table"),
      hr: str("hr"),
      min: int(15),
    });
    assert.equal(
      render(
        "FROM hive.events.{{ .Inputs.table }} WHERE ds = '{{ .Inputs.ds }}' AND hr = '{{ .Inputs.hr }}' AND min = {{ .Inputs.min }}",
        { inputs },
      ),
      "FROM hive.events.my_table WHERE ds = '1900-01-01T01:01:01.000000001Z' AND hr = 'hr' AND min = 15",
    );
  });

  test("a malformed input placeholder is left alone", () => {
    const inputs = literals({ arr: int(1) });
    assert.equal(
      render("--someArg {{ .Inputs.blah blah }} {{ .PerretryuNIqueKey }}", { inputs }),
      "--someArg {{ .Inputs.blah blah }} per_retry_unique_key",
    );
  });

  const refused: [string, Literal, RegExp][] = [
    ["an unknown input", int(1), /no input named "missing" \(inputs: x\)/],
    ["a map", create(LiteralSchema, { value: { case: "map", value: { literals: { a: int(1) } } } }), /is a map/],
    ["a struct", scalar({ case: "generic", value: { a: 1 } } as Primitive), /is a generic value/],
    ["a union", scalar({ case: "union", value: { value: int(1) } } as Primitive), /is a union value/],
    [
      "a structured dataset",
      scalar({ case: "structuredDataset", value: { uri: "s3://x" } } as Primitive),
      /is a structuredDataset value/,
    ],
    [
      "a msgpack binary",
      scalar({ case: "binary", value: { value: new Uint8Array([0x80]), tag: "msgpack" } } as Primitive),
      /binary value \(tag "msgpack"\)/,
    ],
    [
      "a datetime after 9999",
      prim({ case: "datetime", value: create(TimestampSchema, { seconds: 253402300800n }) }),
      /outside years 1 to 9999/,
    ],
    [
      "a collection holding a map",
      list(create(LiteralSchema, { value: { case: "map", value: { literals: {} } } })),
      /is a map/,
    ],
  ];
  for (const [what, literal, message] of refused) {
    test(`${what} is a TemplateError naming the placeholder`, () => {
      const part = what === "an unknown input" ? "{{ .Inputs.missing }}" : "{{ .Inputs.x }}";
      assert.throws(
        () => render(`--arg=${part}`, { inputs: literals({ x: literal }) }),
        (error: unknown) =>
          error instanceof TemplateError &&
          error.placeholder === part &&
          message.test(error.message) &&
          error.message.includes(part),
      );
    });
  }
});

describe("Go formatting helpers", () => {
  test("goFloat matches fmt %v", () => {
    const cases: [number, string][] = [
      [0, "0"],
      [-0, "-0"],
      [1.5, "1.5"],
      [-2.25, "-2.25"],
      [1234567, "1.234567e+06"],
      [999999, "999999"],
      [1e21, "1e+21"],
      [1.7976931348623157e308, "1.7976931348623157e+308"],
      [5e-324, "5e-324"],
      [Number.NaN, "NaN"],
      [Number.POSITIVE_INFINITY, "+Inf"],
      [Number.NEGATIVE_INFINITY, "-Inf"],
    ];
    for (const [value, expected] of cases) assert.equal(goFloat(value), expected, String(value));
  });

  test("goDuration matches time.Duration.String", () => {
    const d = (seconds: bigint, nanos = 0) => create(DurationSchema, { seconds, nanos });
    const cases: [ReturnType<typeof d>, string][] = [
      [d(0n), "0s"],
      [d(0n, 1), "1ns"],
      [d(0n, 1_100), "1.1µs"],
      [d(0n, 2_200_000), "2.2ms"],
      [d(60n), "1m0s"],
      [d(3600n), "1h0m0s"],
      [d(3723n, 500_000_000), "1h2m3.5s"],
      [d(-90n), "-1m30s"],
      [d(-1n, -500_000_000), "-1.5s"],
      [d(9223372036n, 854775807), "2562047h47m16.854775807s"],
    ];
    for (const [value, expected] of cases) assert.equal(goDuration(value), expected);
    assert.throws(() => goDuration(d(9223372037n)), RangeError);
  });
});
