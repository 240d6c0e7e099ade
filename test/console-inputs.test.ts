// The console's launch form conversion (console/src/lib/inputs.ts) without a browser: every input type with
// valid and invalid text, defaults and fixed inputs, optionals, the literals read back for display, a cloned
// execution's inputs as the editors' text, and file and directory uploads (console/src/lib/upload.ts) through a
// real admin's data proxy.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import {
  buildInputs,
  editedType,
  fieldsFor,
  fromJson,
  initialValues,
  type InputField,
  parseDuration,
  parseField,
} from "../console/src/lib/inputs.js";
import { md5, toHex } from "../console/src/lib/md5.js";
import {
  type CreateLocation,
  directoryRoot,
  directoryUri,
  insideFolder,
  type Put,
  uploadDirectory,
  uploadFile,
} from "../console/src/lib/upload.js";
import { DataProxyService } from "../src/idl/gen/flyteidl/service/dataproxy_pb.js";
import { DOMAIN, PROJECT, startCluster, type TestCluster } from "./support/cluster.js";
import { literalToPlain, typeLabel } from "../console/src/lib/literals.js";
import {
  BlobType_BlobDimensionality,
  type Literal,
  type LiteralType,
  LiteralTypeSchema,
  type Parameter,
  ParameterSchema,
  SimpleType,
} from "../src/idl/index.js";

const simple = (value: SimpleType) => create(LiteralTypeSchema, { type: { case: "simple", value } });
const INT = simple(SimpleType.INTEGER);
const FLOAT = simple(SimpleType.FLOAT);
const STR = simple(SimpleType.STRING);
const BOOL = simple(SimpleType.BOOLEAN);
const DATETIME = simple(SimpleType.DATETIME);
const DURATION = simple(SimpleType.DURATION);
const STRUCT = simple(SimpleType.STRUCT);
const NONE = simple(SimpleType.NONE);
const ENUM = create(LiteralTypeSchema, { type: { case: "enumType", value: { values: ["low", "high"] } } });
const FILE = create(LiteralTypeSchema, {
  type: { case: "blob", value: { format: "csv", dimensionality: BlobType_BlobDimensionality.SINGLE } },
});
const listOf = (t: LiteralType) => create(LiteralTypeSchema, { type: { case: "collectionType", value: t } });
const mapOf = (t: LiteralType) => create(LiteralTypeSchema, { type: { case: "mapValueType", value: t } });
const unionOf = (...variants: LiteralType[]) =>
  create(LiteralTypeSchema, { type: { case: "unionType", value: { variants } } });

function param(type: LiteralType, fallback?: Literal): Parameter {
  return create(ParameterSchema, {
    var: { type, description: "" },
    behavior: fallback ? { case: "default", value: fallback } : { case: "required", value: true },
  });
}

/** The one field a single-input launch plan of `type` gets. */
function field(type: LiteralType, fallback?: Literal): InputField {
  return fieldsFor({ x: param(type, fallback) }, {})[0];
}

/** Parses `text` into a literal and reads it back as the plain value shown to users. */
function roundTrip(f: InputField, text: string) {
  const parsed = parseField(f, text);
  if (!parsed.ok) return { error: parsed.error };
  return { value: literalToPlain(parsed.literal), literal: parsed.literal };
}

describe("console launch form: simple types", () => {
  test("integers: whole numbers within int64, as bigint", () => {
    const f = field(INT);
    assert.equal(f.kind, "integer");
    assert.deepEqual(roundTrip(f, "42").value, 42);
    assert.deepEqual(roundTrip(f, " -7 ").value, -7);
    const big = roundTrip(f, "9223372036854775807").literal!;
    assert.equal(
      big.value.case === "scalar" &&
        big.value.value.value.case === "primitive" &&
        big.value.value.value.value.value.value,
      9223372036854775807n,
    );
    assert.match(roundTrip(f, "9223372036854775808").error!, /out of range/);
    assert.match(roundTrip(f, "1.5").error!, /not a whole number/);
    assert.match(roundTrip(f, "abc").error!, /not a whole number/);
    assert.match(roundTrip(f, "").error!, /required/);
  });

  test("floats: decimals, exponents, inf and nan", () => {
    const f = field(FLOAT);
    assert.equal(roundTrip(f, "3.25").value, 3.25);
    assert.equal(roundTrip(f, "1e3").value, 1000);
    assert.equal(roundTrip(f, "-inf").value, "-Infinity");
    assert.equal(roundTrip(f, "nan").value, "NaN");
    assert.match(roundTrip(f, "1,5").error!, /not a number/);
  });

  test("strings are taken as typed, empty included", () => {
    const f = field(STR);
    assert.equal(roundTrip(f, "  hi ").value, "  hi ");
    assert.equal(roundTrip(f, "").value, "");
  });

  test("booleans: true or false", () => {
    const f = field(BOOL);
    assert.equal(f.initial, "false");
    assert.equal(roundTrip(f, "true").value, true);
    assert.match(roundTrip(f, "yes").error!, /not true or false/);
  });

  test("datetimes: ISO instants only", () => {
    const f = field(DATETIME);
    assert.equal(roundTrip(f, "2026-01-31T12:00:00Z").value, "2026-01-31T12:00:00.000Z");
    assert.equal(roundTrip(f, "2026-01-31T12:00:00+02:00").value, "2026-01-31T10:00:00.000Z");
    assert.match(roundTrip(f, "31/01/2026").error!, /not a date-time/);
    assert.match(roundTrip(f, "2026-13-45T00:00:00Z").error!, /not a date-time/);
  });

  test("durations: Go syntax or seconds", () => {
    const f = field(DURATION);
    assert.equal(roundTrip(f, "1h30m").value, "1h30m");
    assert.equal(roundTrip(f, "250ms").value, "0.25s");
    assert.equal(roundTrip(f, "90").value, "1m30s");
    assert.equal(parseDuration("1.5h"), 5_400_000);
    assert.equal(parseDuration("-2s"), -2000);
    assert.match(roundTrip(f, "two hours").error!, /not a duration/);
    assert.match(roundTrip(f, "5 minutes").error!, /not a duration/);
  });

  test("enums: one of the values", () => {
    const f = field(ENUM);
    assert.equal(f.kind, "enum");
    assert.deepEqual(f.choices, ["low", "high"]);
    assert.equal(roundTrip(f, "high").value, "high");
    assert.match(roundTrip(f, "medium").error!, /not one of low, high/);
  });

  test("files: a URI, typed as the declared blob", () => {
    const f = field(FILE);
    assert.equal(f.kind, "uri");
    const { literal, value } = roundTrip(f, "s3://bucket/data.csv");
    assert.equal(value, "s3://bucket/data.csv");
    const blob =
      literal!.value.case === "scalar" && literal!.value.value.value.case === "blob"
        ? literal!.value.value.value.value
        : undefined;
    assert.equal(blob?.metadata?.type?.format, "csv");
    assert.match(roundTrip(f, "data.csv").error!, /not a URI/);
  });
});

describe("console launch form: JSON editors", () => {
  test("lists check every element and name the one that is wrong", () => {
    const f = field(listOf(INT));
    assert.equal(f.kind, "json");
    assert.deepEqual(roundTrip(f, "[1, 2, 3]").value, [1, 2, 3]);
    assert.match(roundTrip(f, '[1, "two"]').error!, /value\[1\]: expected an integer/);
    assert.match(roundTrip(f, "{}").error!, /expected a JSON array/);
    assert.match(roundTrip(f, "[1,").error!, /not valid JSON/);
    assert.match(roundTrip(f, "[9007199254740993]").error!, /within ±2\^53/);
  });

  test("maps and nested types", () => {
    const f = field(mapOf(listOf(FLOAT)));
    assert.deepEqual(roundTrip(f, '{"a": [1.5], "b": []}').value, { a: [1.5], b: [] });
    assert.match(roundTrip(f, '{"a": [true]}').error!, /value\.a\[0\]: expected a number/);
    assert.match(roundTrip(f, "[]").error!, /expected a JSON object/);
  });

  test("structs take any JSON object", () => {
    const f = field(STRUCT);
    assert.deepEqual(roundTrip(f, '{"id": "A-1", "items": [{"sku": "x"}]}').value, {
      id: "A-1",
      items: [{ sku: "x" }],
    });
    assert.match(roundTrip(f, "[1]").error!, /expected a JSON object/);
  });

  test("unions take the first variant that fits", () => {
    const f = field(unionOf(INT, STR));
    assert.equal(f.kind, "json");
    const asInt = roundTrip(f, "5").literal!;
    const union =
      asInt.value.case === "scalar" && asInt.value.value.value.case === "union"
        ? asInt.value.value.value.value
        : undefined;
    assert.equal(typeLabel(union?.type), "int");
    assert.equal(roundTrip(f, '"five"').value, "five");
    assert.match(roundTrip(f, "true").error!, /fits none of the union's types/);
  });

  test("fromJson refuses types the console cannot enter", () => {
    const result = fromJson(simple(SimpleType.BINARY), "x");
    assert.equal(result.ok, false);
  });
});

describe("console launch form: fields", () => {
  test("optional<T> edits as T, where empty means None", () => {
    const f = field(unionOf(INT, NONE));
    assert.equal(f.kind, "integer");
    assert.equal(f.optional, true);
    assert.equal(f.required, false);
    assert.equal(roundTrip(f, "").value, null);
    assert.equal(roundTrip(f, "3").value, 3);
    assert.match(roundTrip(f, "x").error!, /not a whole number/);
    assert.equal(typeLabel(f.type), "optional<int>");
  });

  test("defaults are prefilled as text; fixed inputs are read-only and not sent", () => {
    const dflt = parseField(field(DURATION), "2h");
    assert.ok(dflt.ok);
    const list = parseField(field(listOf(STR)), '["a","b"]');
    assert.ok(list.ok);
    const fields = fieldsFor(
      { window: param(DURATION, dflt.literal), tags: param(listOf(STR), list.literal), n: param(INT) },
      { region: list.literal },
    );
    const byName = Object.fromEntries(fields.map((f) => [f.name, f]));
    assert.equal(byName.window.initial, "2h");
    assert.equal(byName.window.required, false);
    assert.equal(byName.tags.initial, JSON.stringify(["a", "b"], null, 2));
    assert.equal(byName.n.required, true);
    assert.equal(byName.region.fixed, true);
    const built = buildInputs(fields, { n: "4" });
    assert.ok(built.ok);
    assert.deepEqual(Object.keys(built.inputs.literals).sort(), ["n", "tags", "window"]);
  });

  test("buildInputs reports every invalid field by name", () => {
    const fields = fieldsFor({ a: param(INT), b: param(BOOL), c: param(STR) }, {});
    const built = buildInputs(fields, { a: "x", b: "maybe", c: "" });
    assert.equal(built.ok, false);
    assert.deepEqual(Object.keys(built.ok ? {} : built.errors).sort(), ["a", "b"]);
  });
});

describe("console launch form: cloning an execution", () => {
  test("the execution's inputs become the editors' text; fields it lacks keep their defaults", () => {
    const dflt = parseField(field(DURATION), "2h");
    assert.ok(dflt.ok);
    const fields = fieldsFor(
      {
        n: param(INT),
        window: param(DURATION, dflt.literal),
        tags: param(listOf(STR)),
        maybe: param(unionOf(INT, NONE)),
        f: param(FILE),
      },
      { region: dflt.literal },
    );
    const given = buildInputs(fields, {
      n: "7",
      window: "2h",
      tags: '["x", "y"]',
      maybe: "",
      f: "s3://bucket/data.csv",
    });
    assert.ok(given.ok);
    const { window: _default, ...cloned } = given.inputs.literals;
    // Admin's full inputs include fixed ones: the form still shows the launch plan's.
    const values = initialValues(fields, { ...cloned, region: cloned.n });
    assert.equal(values.n, "7");
    assert.equal(values.window, "2h", "not in the execution: the launch plan's default");
    assert.deepEqual(JSON.parse(values.tags), ["x", "y"]);
    assert.equal(values.maybe, "", "None is an empty optional editor");
    assert.equal(values.f, "s3://bucket/data.csv");
    assert.equal(values.region, fields.find((f) => f.name === "region")?.initial, "a fixed input keeps its value");
    // What the form would send again is what the execution had.
    const again = buildInputs(fields, values);
    assert.ok(again.ok);
    assert.deepEqual(literalToPlain(again.inputs.literals.tags), ["x", "y"]);
  });

  test("an optional file edits as the file's blob type, which decides file or folder upload", () => {
    const folder = create(LiteralTypeSchema, {
      type: { case: "blob", value: { format: "", dimensionality: BlobType_BlobDimensionality.MULTIPART } },
    });
    const f = field(unionOf(folder, NONE));
    assert.equal(f.kind, "uri");
    assert.equal(editedType(f).type.case, "blob");
    assert.equal(field(FILE).type, editedType(field(FILE)));
  });
});

describe("console uploads: MD5 and naming", () => {
  test("md5 matches node's crypto across block boundaries", () => {
    for (const size of [0, 1, 55, 56, 63, 64, 65, 119, 120, 4096, 100_003]) {
      const bytes = Uint8Array.from({ length: size }, (_, i) => (i * 31 + 7) & 255);
      assert.equal(toHex(md5(bytes)), createHash("md5").update(bytes).digest("hex"), `${size} bytes`);
    }
  });

  test("a directory's root is named by its content, whatever order the files come in", () => {
    const a = { path: "a.txt", digest: md5(new TextEncoder().encode("a")) };
    const b = { path: "sub/b.txt", digest: md5(new TextEncoder().encode("b")) };
    assert.equal(directoryRoot([a, b]), directoryRoot([b, a]));
    assert.notEqual(directoryRoot([a, b]), directoryRoot([a, { ...b, digest: md5(new Uint8Array([1])) }]));
    assert.match(directoryRoot([a]), /^console-dir-[0-9a-f]{32}$/);
  });

  test("paths inside the chosen folder, and the folder's URI from one file's", () => {
    assert.equal(insideFolder("parts/sub/a.txt"), "sub/a.txt");
    assert.equal(insideFolder("a.txt"), "a.txt");
    assert.equal(directoryUri("s3://b/p/d/console-dir-1/sub/a.txt", "sub/a.txt"), "s3://b/p/d/console-dir-1");
    assert.throws(() => directoryUri("s3://b/elsewhere.txt", "sub/a.txt"), /not under one folder/);
  });
});

describe("console uploads through a real data proxy", () => {
  let cluster: TestCluster;
  let createLocation: CreateLocation;
  const scope = { project: PROJECT, domain: DOMAIN };
  // What the browser's XMLHttpRequest does, with fetch: PUT the bytes with the signed headers.
  const put: Put = async (url, headers, bytes, progress) => {
    const response = await fetch(url, { method: "PUT", headers, body: bytes });
    if (!response.ok) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
    progress(bytes.length);
  };

  before(async () => {
    cluster = await startCluster({ engine: false });
    const client = createClient(
      DataProxyService,
      createConnectTransport({ baseUrl: cluster.admin.url, httpVersion: "1.1", useBinaryFormat: true }),
    );
    createLocation = async (request) => {
      const location = await client.createUploadLocation(request);
      return { signedUrl: location.signedUrl, nativeUrl: location.nativeUrl, headers: location.headers };
    };
  });

  after(async () => {
    await cluster?.close();
  });

  test("a file lands in admin's store at the native URI, with progress up to its size", async () => {
    const bytes = new TextEncoder().encode("alpha\nbeta\n");
    const seen: [number, number][] = [];
    const uri = await uploadFile(scope, { path: "lines.txt", bytes }, createLocation, put, (sent, total) =>
      seen.push([sent, total]),
    );
    assert.match(uri, /\/flytesnacks\/development\/[A-Z2-7=]+\/lines\.txt$/);
    assert.deepEqual(new Uint8Array(await cluster.admin.context.store.get(uri)), bytes);
    assert.deepEqual(seen.at(-1), [bytes.length, bytes.length]);
  });

  test("a folder's files land under one root, which is the directory's URI", async () => {
    const files = [
      { path: "a.txt", bytes: new TextEncoder().encode("one") },
      { path: "sub/b.txt", bytes: new TextEncoder().encode("two!") },
    ];
    const seen: number[] = [];
    const uri = await uploadDirectory(scope, files, createLocation, put, (sent) => seen.push(sent));
    assert.match(uri, /\/console-dir-[0-9a-f]{32}$/);
    assert.equal(new TextDecoder().decode(await cluster.admin.context.store.get(`${uri}/sub/b.txt`)), "two!");
    assert.equal(seen.at(-1), 7, "progress counts both files");
    // The same folder again goes to the same place: admin accepts the rewrite of identical content.
    assert.equal(await uploadDirectory(scope, files, createLocation, put, () => {}), uri);
    await assert.rejects(
      uploadDirectory(scope, [], createLocation, put, () => {}),
      /the folder is empty/,
    );
  });

  test("bytes that do not match the signed MD5 are refused, and the error says so", async () => {
    const tampered: Put = (url, headers, bytes, progress) => put(url, headers, Uint8Array.of(...bytes, 0), progress);
    await assert.rejects(
      uploadFile(scope, { path: "x.txt", bytes: new TextEncoder().encode("x") }, createLocation, tampered, () => {}),
      /HTTP 400: .*md5/i,
    );
  });
});
