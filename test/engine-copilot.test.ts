// The raw-container (flytecopilot) data contract, driven by a real raw-container task spec from Flyte's
// test data (compiler-goldens/004_ellipse-area-metadata-shell_1.pb, see fixtures/NOTICE): inputs become
// files, a real shell program computes the outputs, and its files become the outputs LiteralMap.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { create, fromBinary } from "@bufbuild/protobuf";
import { DurationSchema, timestampFromDate } from "@bufbuild/protobuf/wkt";
import YAML from "yaml";
import { goPlainFloat, readCopilotOutputs, writeCopilotInputs } from "../src/engine/plugins/copilot.js";
import {
  BlobType_BlobDimensionality,
  type DataLoadingConfig,
  DataLoadingConfig_LiteralMapFormat,
  DataLoadingConfigSchema,
  type Literal,
  LiteralMapSchema,
  LiteralSchema,
  SimpleType,
  type TaskTemplate,
  TaskSpecSchema,
  VariableMapSchema,
} from "../src/idl/index.js";
import { joinUri, LocalBlobStore } from "../src/storage/index.js";

const run = promisify(execFile);
const fixture = fileURLToPath(
  new URL("fixtures/flyte-1.16/compiler-goldens/004_ellipse-area-metadata-shell_1.pb", import.meta.url),
);

type ScalarValue = NonNullable<Extract<Literal["value"], { case: "scalar" }>["value"]["value"]>;
const scalar = (value: ScalarValue): Literal => create(LiteralSchema, { value: { case: "scalar", value: { value } } });
const prim = (value: Extract<ScalarValue, { case: "primitive" }>["value"]["value"]) =>
  scalar({ case: "primitive", value: { value } } as ScalarValue);
const float = (value: number) => prim({ case: "floatValue", value });
const literalMap = (literals: Record<string, Literal>) => create(LiteralMapSchema, { literals });
const simpleOutputs = (types: Record<string, SimpleType>) =>
  create(VariableMapSchema, {
    variables: Object.fromEntries(
      Object.entries(types).map(([name, simple]) => [
        name,
        { type: { type: { case: "simple" as const, value: simple } } },
      ]),
    ),
  });

describe("copilot with Flyte's ellipse-area raw-container task", () => {
  let root: string;
  let store: LocalBlobStore;
  let template: TaskTemplate;
  let config: DataLoadingConfig;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), "tsflyte-copilot-"));
    store = new LocalBlobStore(join(root, "store"));
    template = fromBinary(TaskSpecSchema, await readFile(fixture)).template!;
    assert.ok(template.target.case === "container" && template.target.value.dataConfig?.enabled);
    config = template.target.value.dataConfig;
  });
  after(async () => {
    store.close();
    await rm(root, { recursive: true, force: true });
  });

  test("the inputs are files, the program's files are the outputs", async () => {
    const inputsDir = join(root, "ellipse", "inputs");
    const outputsDir = join(root, "ellipse", "outputs");
    await mkdir(outputsDir, { recursive: true });
    const inputs = literalMap({ a: float(3), b: float(4.5) });
    await writeCopilotInputs(inputsDir, config, inputs, store);

    assert.deepEqual((await readdir(inputsDir)).sort(), ["a", "b", "inputs.json", "inputs.pb"]);
    assert.equal(await readFile(join(inputsDir, "a"), "utf8"), "3");
    assert.equal(await readFile(join(inputsDir, "b"), "utf8"), "4.5");
    assert.equal(await readFile(join(inputsDir, "inputs.json"), "utf8"), '{"a":3,"b":4.5}');
    assert.deepEqual(fromBinary(LiteralMapSchema, await readFile(join(inputsDir, "inputs.pb"))), inputs);

    // What the fixture's image runs (calculate-ellipse-area.sh <inputs> <outputs>), with awk for bc.
    const script = [
      'awk "BEGIN { printf \\"%.6f\\n\\", 4 * atan2(1, 1) * $(cat "$1/a") * $(cat "$1/b") }" > "$2/area"',
      'echo "[from shell rawcontainer]" > "$2/metadata"',
    ].join("\n");
    await run("sh", ["-c", script, "sh", inputsDir, outputsDir]);

    const result = await readCopilotOutputs(
      outputsDir,
      template.interface!.outputs!,
      store,
      joinUri(store.baseUri, "raw"),
    );
    assert.ok("outputs" in result, "error" in result ? result.error.message : "");
    assert.deepEqual(
      result.outputs,
      literalMap({
        area: float(42.411501),
        metadata: prim({ case: "stringValue", value: "[from shell rawcontainer]" }),
      }),
    );
  });

  test("a missing output file is an error naming the output", async () => {
    const dir = join(root, "missing");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "area"), "1.5");
    const result = await readCopilotOutputs(dir, template.interface!.outputs!, store, store.baseUri);
    assert.ok("error" in result);
    assert.equal(result.error.code, "OutputUploadFailed");
    assert.match(result.error.message, /output "metadata": the container wrote no file .*metadata/);
  });

  test("unparsable text is an error naming the output, its type and the text", async () => {
    const dir = join(root, "unparsable");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "area"), "twelve\n");
    await writeFile(join(dir, "metadata"), "fine");
    const result = await readCopilotOutputs(dir, template.interface!.outputs!, store, store.baseUri);
    assert.ok("error" in result);
    assert.match(result.error.message, /output "area" \(FLOAT\): cannot parse "twelve"; write a number/);
  });

  test("a _ERROR file becomes the task's error", async () => {
    const dir = join(root, "user-error");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "_ERROR"), "ellipse has a negative axis");
    assert.deepEqual(await readCopilotOutputs(dir, template.interface!.outputs!, store, store.baseUri), {
      error: { code: "OutputUploadFailed", message: "User Error: ellipse has a negative axis" },
    });
  });

  test("an output file with an extension is found when it is the only one; oversized primitives are refused", async () => {
    const dir = join(root, "extension");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "area.txt"), " 2.5 \n");
    await writeFile(join(dir, "metadata.json"), "x".repeat(1025));
    const result = await readCopilotOutputs(dir, template.interface!.outputs!, store, store.baseUri);
    assert.ok("error" in result);
    assert.doesNotMatch(result.error.message, /"area"/);
    assert.match(result.error.message, /output "metadata" \(STRING\): .*1025 bytes, more than the 1024/);
    await writeFile(join(dir, "metadata.json"), "short");
    assert.deepEqual(await readCopilotOutputs(dir, template.interface!.outputs!, store, store.baseUri), {
      outputs: literalMap({ area: float(2.5), metadata: prim({ case: "stringValue", value: "short" }) }),
    });
  });
});

describe("copilot inputs", () => {
  let root: string;
  let store: LocalBlobStore;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), "tsflyte-copilot-in-"));
    store = new LocalBlobStore(join(root, "store"));
  });
  after(async () => {
    store.close();
    await rm(root, { recursive: true, force: true });
  });
  const configWith = (format: DataLoadingConfig_LiteralMapFormat) =>
    create(DataLoadingConfigSchema, { enabled: true, inputPath: "/var/inputs", outputPath: "/var/outputs", format });

  test("primitives, blobs, directories, collections and maps as copilot lays them out", async () => {
    const single = joinUri(store.baseUri, "data", "in.csv");
    await store.put(single, Buffer.from("a,b\n1,2\n"));
    const multipart = joinUri(store.baseUri, "data", "dir");
    await store.put(joinUri(multipart, "part-0"), Buffer.from("zero"));
    await store.put(joinUri(multipart, "sub", "part-1"), Buffer.from("one"));
    const blob = (uri: string, dimensionality: BlobType_BlobDimensionality) =>
      scalar({ case: "blob", value: { uri, metadata: { type: { format: "csv", dimensionality } } } } as ScalarValue);
    const inputs = literalMap({
      n: prim({ case: "integer", value: 9007199254740993n }),
      s: prim({ case: "stringValue", value: "hello world" }),
      ok: prim({ case: "boolean", value: false }),
      big: float(1e21),
      when: prim({ case: "datetime", value: { ...timestampFromDate(new Date("2024-05-01T12:00:00Z")), nanos: 5 } }),
      wait: prim({ case: "duration", value: create(DurationSchema, { seconds: 3723n }) }),
      file: blob(single, BlobType_BlobDimensionality.SINGLE),
      dir: blob(multipart, BlobType_BlobDimensionality.MULTIPART),
      xs: create(LiteralSchema, { value: { case: "collection", value: { literals: [float(1), float(2)] } } }),
      m: create(LiteralSchema, {
        value: { case: "map", value: { literals: { k: prim({ case: "stringValue", value: "v" }) } } },
      }),
      none: scalar({ case: "noneType", value: {} } as ScalarValue),
      obj: scalar({ case: "generic", value: { a: [1, "x"] } } as ScalarValue),
    });
    const dir = join(root, "all");
    await writeCopilotInputs(dir, configWith(DataLoadingConfig_LiteralMapFormat.JSON), inputs, store);
    const text = (...path: string[]) => readFile(join(dir, ...path), "utf8");
    assert.equal(await text("n"), "9007199254740993");
    assert.equal(await text("s"), "hello world");
    assert.equal(await text("ok"), "false");
    assert.equal(await text("big"), "1000000000000000000000");
    assert.equal(await text("when"), "2024-05-01T12:00:00.000000005Z");
    assert.equal(await text("wait"), "1h2m3s");
    assert.equal(await text("file"), "a,b\n1,2\n");
    assert.equal(await text("dir", "part-0"), "zero");
    assert.equal(await text("dir", "sub", "part-1"), "one");
    assert.equal(await text("xs", "0"), "1");
    assert.equal(await text("xs", "1"), "2");
    assert.equal(await text("m", "k"), "v");
    assert.equal(await text("none"), "null");
    assert.equal(await text("obj"), '{"a":[1,"x"]}');

    const json = await text("inputs.json");
    assert.ok(json.includes('"n":9007199254740993'), json);
    // JSON.parse rounds the int64 past 2^53; the text check above pins its exact digits.
    const { n: _, ...parsed } = JSON.parse(json);
    assert.deepEqual(parsed, {
      big: 1e21,
      dir: join(dir, "dir"),
      file: join(dir, "file"),
      m: { k: "v" },
      none: null,
      obj: { a: [1, "x"] },
      ok: false,
      s: "hello world",
      wait: 3723000000000,
      when: "2024-05-01T12:00:00.000000005Z",
      xs: [1, 2],
    });

    const local = fromBinary(LiteralMapSchema, await readFile(join(dir, "inputs.pb")));
    const localFile = local.literals.file.value;
    assert.ok(localFile.case === "scalar" && localFile.value.value.case === "blob");
    assert.equal(localFile.value.value.value.uri, join(dir, "file"));
    assert.equal(localFile.value.value.value.metadata?.type?.format, "csv");
    assert.deepEqual(local.literals.n, inputs.literals.n);
  });

  test("YAML writes inputs.yaml, PROTO only inputs.pb", async () => {
    const inputs = literalMap({ a: float(1.5), name: prim({ case: "stringValue", value: "x" }) });
    const yamlDir = join(root, "yaml");
    await writeCopilotInputs(yamlDir, configWith(DataLoadingConfig_LiteralMapFormat.YAML), inputs, store);
    assert.deepEqual(YAML.parse(await readFile(join(yamlDir, "inputs.yaml"), "utf8")), { a: 1.5, name: "x" });
    const protoDir = join(root, "proto");
    await writeCopilotInputs(protoDir, configWith(DataLoadingConfig_LiteralMapFormat.PROTO), inputs, store);
    assert.deepEqual((await readdir(protoDir)).sort(), ["a", "inputs.pb", "name"]);
  });

  test("an input copilot cannot write is refused naming it", async () => {
    const inputs = literalMap({ u: scalar({ case: "union", value: { value: float(1) } } as ScalarValue) });
    await assert.rejects(
      writeCopilotInputs(join(root, "union"), configWith(0), inputs, store),
      /copilot input "u": a union scalar/,
    );
  });
});

describe("copilot outputs", () => {
  let root: string;
  let store: LocalBlobStore;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), "tsflyte-copilot-out-"));
    store = new LocalBlobStore(join(root, "store"));
  });
  after(async () => {
    store.close();
    await rm(root, { recursive: true, force: true });
  });

  test("blob outputs are uploaded under the raw prefix, directories as multipart", async () => {
    const dir = join(root, "blobs");
    await mkdir(join(dir, "model", "nested"), { recursive: true });
    await writeFile(join(dir, "report"), "report body");
    await writeFile(join(dir, "model", "weights.bin"), "w");
    await writeFile(join(dir, "model", "nested", "config.json"), "{}");
    const blobVar = (dimensionality: BlobType_BlobDimensionality) => ({
      type: { type: { case: "blob" as const, value: { format: "txt", dimensionality } } },
    });
    const outputs = create(VariableMapSchema, {
      variables: {
        report: blobVar(BlobType_BlobDimensionality.SINGLE),
        model: blobVar(BlobType_BlobDimensionality.MULTIPART),
      },
    });
    const raw = joinUri(store.baseUri, "raw", "ab", "exec-n0-0");
    const result = await readCopilotOutputs(dir, outputs, store, raw);
    assert.ok("outputs" in result, "error" in result ? result.error.message : "");
    const uriOf = (name: string) => {
      const literal = result.outputs.literals[name].value;
      assert.ok(literal.case === "scalar" && literal.value.value.case === "blob");
      return literal.value.value.value;
    };
    assert.equal(uriOf("report").uri, joinUri(raw, "report"));
    assert.equal(uriOf("report").metadata?.type?.dimensionality, BlobType_BlobDimensionality.SINGLE);
    assert.equal(uriOf("model").uri, joinUri(raw, "model"));
    assert.equal(uriOf("model").metadata?.type?.dimensionality, BlobType_BlobDimensionality.MULTIPART);
    assert.equal(Buffer.from(await store.get(joinUri(raw, "report"))).toString(), "report body");
    assert.equal(Buffer.from(await store.get(joinUri(raw, "model", "nested", "config.json"))).toString(), "{}");
  });

  test("collections and other non-primitive outputs are refused naming the output", async () => {
    const dir = join(root, "unsupported");
    await mkdir(dir, { recursive: true });
    const outputs = create(VariableMapSchema, {
      variables: {
        xs: {
          type: { type: { case: "collectionType", value: { type: { case: "simple", value: SimpleType.INTEGER } } } },
        },
      },
    });
    const result = await readCopilotOutputs(dir, outputs, store, store.baseUri);
    assert.ok("error" in result);
    assert.match(
      result.error.message,
      /output "xs": raw containers return only primitives and blobs, not collectionType/,
    );
  });

  test("each simple type parses as Go's parsers do", async () => {
    const cases: [SimpleType, string, Literal | RegExp][] = [
      [SimpleType.INTEGER, "42\n", prim({ case: "integer", value: 42n })],
      [SimpleType.INTEGER, "-9223372036854775808", prim({ case: "integer", value: -9223372036854775808n })],
      [SimpleType.INTEGER, "9223372036854775808", /within 64 bits/],
      [SimpleType.INTEGER, "4.2", /base-10 integer/],
      [SimpleType.FLOAT, "1e-3", float(0.001)],
      [SimpleType.FLOAT, "-Inf", float(Number.NEGATIVE_INFINITY)],
      [SimpleType.FLOAT, "1e400", /number/],
      [SimpleType.BOOLEAN, "T", prim({ case: "boolean", value: true })],
      [SimpleType.BOOLEAN, "False", prim({ case: "boolean", value: false })],
      [SimpleType.BOOLEAN, "yes", /true or false/],
      [SimpleType.STRING, "  padded\t\n", prim({ case: "stringValue", value: "padded" })],
      [
        SimpleType.DURATION,
        "1h2m3.5s",
        prim({ case: "duration", value: create(DurationSchema, { seconds: 3723n, nanos: 500_000_000 }) }),
      ],
      [
        SimpleType.DURATION,
        "-1.5ms",
        prim({ case: "duration", value: create(DurationSchema, { seconds: 0n, nanos: -1_500_000 }) }),
      ],
      [SimpleType.DURATION, "0", prim({ case: "duration", value: create(DurationSchema, {}) })],
      [SimpleType.DURATION, "5", /a duration such as/],
      [
        SimpleType.DATETIME,
        "2024-05-01T14:00:00.25+02:00",
        prim({
          case: "datetime",
          value: { ...timestampFromDate(new Date("2024-05-01T12:00:00Z")), nanos: 250_000_000 },
        }),
      ],
      [SimpleType.DATETIME, "2023-02-29T00:00:00Z", /RFC 3339/],
      [SimpleType.STRUCT, '{"a": 1}', scalar({ case: "generic", value: { a: 1 } } as ScalarValue)],
      [SimpleType.STRUCT, "[1]", /a JSON object/],
      [SimpleType.NONE, "", scalar({ case: "noneType", value: {} } as ScalarValue)],
    ];
    for (const [index, [type, text, expected]] of cases.entries()) {
      const dir = join(root, `simple-${index}`);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, "v"), text);
      const result = await readCopilotOutputs(dir, simpleOutputs({ v: type }), store, store.baseUri);
      const label = `${SimpleType[type]} ${JSON.stringify(text)}`;
      if (expected instanceof RegExp) {
        assert.ok("error" in result, label);
        assert.match(result.error.message, expected, label);
        assert.match(result.error.message, new RegExp(`output "v" \\(${SimpleType[type]}\\)`), label);
      } else {
        assert.ok("outputs" in result, `${label}: ${"error" in result ? result.error.message : ""}`);
        assert.deepEqual(result.outputs.literals.v, expected, label);
      }
    }
  });

  test("goPlainFloat never uses an exponent", () => {
    const cases: [number, string][] = [
      [3, "3"],
      [4.5, "4.5"],
      [-0.000001, "-0.000001"],
      [1e21, "1000000000000000000000"],
      [1.25e-7, "0.000000125"],
      [123.456, "123.456"],
      [Number.NaN, "NaN"],
    ];
    for (const [value, expected] of cases) assert.equal(goPlainFloat(value), expected);
  });
});
