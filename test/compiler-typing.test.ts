import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type JsonObject, type MessageInitShape, create, equals } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { attributeType, literalTypeOf, scalarType } from "../src/compiler/literal-type.js";
import { formatType } from "../src/compiler/type-format.js";
import { areTypesCastable } from "../src/compiler/typing.js";
import { goFloat, literalTypeText, literalTypeToStr } from "../src/compiler/typing-prototext.js";
import {
  BlobType_BlobDimensionality as Dim,
  type Literal,
  LiteralSchema,
  type LiteralType,
  LiteralTypeSchema,
  type PrimitiveSchema,
  type PromiseAttribute,
  PromiseAttributeSchema,
  type Scalar,
  ScalarSchema,
  SchemaType_SchemaColumn_SchemaColumnType as Col,
  SimpleType,
} from "../src/idl/index.js";

// ---------------------------------------------------------------------------------------------
// LiteralType builders

type TypeInit = MessageInitShape<typeof LiteralTypeSchema>;
const lt = (init: TypeInit): LiteralType => create(LiteralTypeSchema, init);
const simple = (value: SimpleType, extra: Omit<TypeInit, "type" | "$typeName"> = {}) =>
  lt({ type: { case: "simple", value }, ...extra });

const INT = simple(SimpleType.INTEGER);
const FLOAT = simple(SimpleType.FLOAT);
const STR = simple(SimpleType.STRING);
const BOOL = simple(SimpleType.BOOLEAN);
const NONE = simple(SimpleType.NONE);
const DATETIME = simple(SimpleType.DATETIME);
const DURATION = simple(SimpleType.DURATION);
const BINARY = simple(SimpleType.BINARY);
const ERROR = simple(SimpleType.ERROR);
const STRUCT = simple(SimpleType.STRUCT);
const UNSET = lt({});

const list = (t: LiteralType) => lt({ type: { case: "collectionType", value: t } });
const map = (t: LiteralType) => lt({ type: { case: "mapValueType", value: t } });
const union = (...variants: LiteralType[]) => lt({ type: { case: "unionType", value: { variants } } });
const optional = (t: LiteralType) => union(t, NONE);
const enumOf = (...values: string[]) => lt({ type: { case: "enumType", value: { values } } });
const blob = (format = "", dimensionality = Dim.SINGLE) =>
  lt({ type: { case: "blob", value: { format, dimensionality } } });
const sd = (format = "", columns: Record<string, LiteralType> = {}) =>
  lt({
    type: {
      case: "structuredDatasetType",
      value: { format, columns: Object.entries(columns).map(([name, literalType]) => ({ name, literalType })) },
    },
  });
const schema = (columns: Record<string, Col> = {}) =>
  lt({ type: { case: "schema", value: { columns: Object.entries(columns).map(([name, type]) => ({ name, type })) } } });
const tagged = (t: LiteralType, tag: string) => lt({ type: t.type, metadata: t.metadata, structure: { tag } });
const withMeta = (t: LiteralType, metadata: JsonObject) => lt({ type: t.type, structure: t.structure, metadata });
const struct = (metadata?: JsonObject, fields?: Record<string, LiteralType>, tag = "") =>
  simple(SimpleType.STRUCT, { metadata, structure: { tag, dataclassType: fields ?? {} } });

// mashumaro-style JSON schemas of a small class hierarchy
const parentSchema: JsonObject = {
  type: "object",
  title: "Parent",
  properties: { a: { type: "integer" }, b: { type: "string" } },
  additionalProperties: false,
  required: ["a", "b"],
};
const childSchema: JsonObject = {
  type: "object",
  title: "Child",
  properties: { a: { type: "integer" }, b: { type: "string" }, c: { type: "number" } },
  additionalProperties: false,
  required: ["a", "b", "c"],
};
const nested = (innerType: string, title = "Outer"): JsonObject => ({
  type: "object",
  title,
  properties: {
    inner: {
      type: "object",
      title: "Inner",
      properties: { x: { type: innerType } },
      additionalProperties: false,
      required: ["x"],
    },
  },
  additionalProperties: false,
  required: ["inner"],
});
const pydanticRefs = (xType: string): JsonObject => ({
  $defs: { Inner: { properties: { x: { type: xType } }, required: ["x"], title: "Inner", type: "object" } },
  properties: { inner: { $ref: "#/$defs/Inner" } },
  required: ["inner"],
  title: "Outer",
  type: "object",
});
const optionalFieldSchema: JsonObject = {
  type: "object",
  properties: { a: { anyOf: [{ type: "integer" }, { type: "null" }], default: null } },
};
const requiredIntSchema: JsonObject = { type: "object", properties: { a: { type: "integer" } }, required: ["a"] };

// ---------------------------------------------------------------------------------------------
// areTypesCastable

type Case = [name: string, upstream: LiteralType, downstream: LiteralType, castable: boolean];

const castCases: Case[] = [
  // simple types
  ["int -> int", INT, INT, true],
  ["int -> float (no widening)", INT, FLOAT, false],
  ["float -> int", FLOAT, INT, false],
  ["none -> int (not nullable)", NONE, INT, false],
  ["int with metadata -> int (metadata ignored)", withMeta(INT, { a: 1 }), INT, true],
  [
    "int -> int with annotation (annotation ignored)",
    INT,
    lt({ type: INT.type, annotation: { annotations: { k: "v" } } }),
    true,
  ],
  ["string -> string", STR, STR, true],
  ["boolean -> string", BOOL, STR, false],
  ["datetime -> datetime", DATETIME, DATETIME, true],
  ["duration -> datetime", DURATION, DATETIME, false],
  ["none -> none", NONE, NONE, true],
  ["int -> none", INT, NONE, false],
  ["unset -> none", UNSET, NONE, false],
  ["binary -> binary", BINARY, BINARY, true],
  ["error -> error", ERROR, ERROR, true],
  ["struct -> struct", STRUCT, STRUCT, true],
  ["struct -> binary", STRUCT, BINARY, false],
  ["unset -> unset", UNSET, UNSET, true],
  ["none -> unset", NONE, UNSET, false],
  // enums
  ["enum -> string", enumOf("x", "y"), STR, true],
  ["string -> enum", STR, enumOf("x", "y"), true],
  ["enum -> identical enum", enumOf("x", "y"), enumOf("x", "y"), true],
  ["enum -> other enum", enumOf("x", "y"), enumOf("m", "n"), false],
  ["enum subset -> enum superset (must be identical)", enumOf("x"), enumOf("x", "y"), false],
  ["enum -> same values in another order", enumOf("y", "x"), enumOf("x", "y"), false],
  ["enum -> int", enumOf("x"), INT, false],
  ["tagged enum -> string (enum rule precedes tags)", tagged(enumOf("x"), "E"), STR, true],
  // structure tags
  ["int tag a -> int tag b", tagged(INT, "a"), tagged(INT, "b"), false],
  ["untagged int -> int tag b", INT, tagged(INT, "b"), true],
  ["int tag a -> untagged int", tagged(INT, "a"), INT, false],
  ["int tag a -> int tag a", tagged(INT, "a"), tagged(INT, "a"), true],
  // STRUCT with JSON-schema metadata
  ["struct without schema -> struct with schema", STRUCT, struct(parentSchema), true],
  ["struct with schema -> struct without schema", struct(parentSchema), STRUCT, true],
  ["same schema", struct(parentSchema), struct(parentSchema), true],
  ["child dataclass -> parent", struct(childSchema), struct(parentSchema), true],
  ["parent dataclass -> child", struct(parentSchema), struct(childSchema), false],
  ["nested field int -> nested field string", struct(nested("integer")), struct(nested("string")), false],
  ["same shape, other class names", struct(nested("integer", "A")), struct(nested("integer", "B")), true],
  ["$ref schemas, same nested type", struct(pydanticRefs("integer")), struct(pydanticRefs("integer")), true],
  ["$ref schemas, nested type differs", struct(pydanticRefs("integer")), struct(pydanticRefs("string")), false],
  ["required int field -> optional int field", struct(requiredIntSchema), struct(optionalFieldSchema), true],
  ["optional int field -> required int field", struct(optionalFieldSchema), struct(requiredIntSchema), false],
  ["struct tag mismatch", struct(parentSchema, {}, "A"), struct(parentSchema, {}, "B"), false],
  ["struct -> int", STRUCT, INT, false],
  [
    "dataclass_type differs, no schema (structure ignored)",
    struct(undefined, { a: INT }),
    struct(undefined, { b: STR }),
    true,
  ],
  // collections
  ["list<int> -> list<int>", list(INT), list(INT), true],
  ["empty list (list<none>) -> list<int>", list(NONE), list(INT), true],
  ["list<int> -> list<float>", list(INT), list(FLOAT), false],
  ["list<int> -> int", list(INT), INT, false],
  ["int -> list<int>", INT, list(INT), false],
  ["list<int> -> list<list<int>>", list(INT), list(list(INT)), false],
  ["none -> list<list<int>> (not nullable)", NONE, list(list(INT)), false],
  ["list<list<none>> -> list<list<int>>", list(list(NONE)), list(list(INT)), true],
  ["list<int> -> list<optional<int>>", list(INT), list(optional(INT)), true],
  ["list<int> -> list<union<int, string>>", list(INT), list(union(INT, STR)), true],
  ["list<union<int>> -> list<int> (no nested unwrap)", list(union(INT)), list(INT), false],
  [
    "list<union<int, string>> -> list<union<string, int, bool>>",
    list(union(INT, STR)),
    list(union(STR, INT, BOOL)),
    true,
  ],
  ["list<union<int, string>> -> list<union<int>>", list(union(INT, STR)), list(union(INT)), false],
  [
    "list<list<union<int, string>>> -> list<list<union<string, int>>>",
    list(list(union(INT, STR))),
    list(list(union(STR, INT))),
    true,
  ],
  ["list<int> -> map<int>", list(INT), map(INT), false],
  ["list<file(csv)> -> list<file>", list(blob("csv")), list(blob()), true],
  // maps
  ["map<int> -> map<int>", map(INT), map(INT), true],
  ["map<int> -> map<float>", map(INT), map(FLOAT), false],
  ["empty map (map<none>) -> map<float>", map(NONE), map(FLOAT), true],
  ["map<int> -> int", map(INT), INT, false],
  ["map<int> -> map<map<int>>", map(INT), map(map(INT)), false],
  ["map<int> -> list<int>", map(INT), list(INT), false],
  ["map<list<int>> -> map<list<optional<int>>>", map(list(INT)), map(list(optional(INT))), true],
  // unions
  ["string -> union<int, string> (tagged)", STR, union(tagged(INT, "int"), tagged(STR, "str")), true],
  [
    "string -> union<string tag1, string tag2> (ambiguous)",
    STR,
    union(tagged(STR, "str1"), tagged(STR, "str2")),
    false,
  ],
  [
    "union -> union with a superset of variants",
    union(tagged(STR, "str1"), tagged(STR, "str2")),
    union(tagged(STR, "str1"), tagged(INT, "int1"), tagged(STR, "str2")),
    true,
  ],
  [
    "union -> union, tag mismatch",
    union(tagged(STR, "str1"), tagged(STR, "str2")),
    union(tagged(INT, "str2"), tagged(STR, "str3")),
    false,
  ],
  ["union -> union, type mismatch", union(tagged(STR, "test")), union(tagged(INT, "test")), false],
  ["single-variant union -> its type", union(tagged(STR, "string")), tagged(STR, "string"), true],
  ["union<int> -> int", union(INT), INT, true],
  ["union<int> -> union<int, string>", union(INT), union(INT, STR), true],
  ["optional<int> -> int", optional(INT), INT, false],
  ["union<int, string> -> string", union(INT, STR), STR, false],
  ["int -> optional<int>", INT, optional(INT), true],
  ["none -> optional<int>", NONE, optional(INT), true],
  ["optional<int> -> optional<int>", optional(INT), optional(INT), true],
  ["optional<int> -> union<int, string, none> (wider)", optional(INT), union(INT, STR, NONE), true],
  ["union<int, string, none> -> optional<int> (narrower)", union(INT, STR, NONE), optional(INT), false],
  ["float -> optional<int>", FLOAT, optional(INT), false],
  ["none -> optional<structured_dataset> (ambiguous: datasets are nullable)", NONE, optional(sd()), false],
  ["list<int> -> optional<list<int>>", list(INT), optional(list(INT)), true],
  ["empty list -> union<list<int>, list<string>> (ambiguous)", list(NONE), union(list(INT), list(STR)), false],
  ["int -> empty union", INT, union(), false],
  ["enum -> union<string, int>", enumOf("a"), union(STR, INT), true],
  // blobs
  ["file(csv) -> file(csv)", blob("csv"), blob("csv"), true],
  ["file -> file(csv) (format wildcard upstream)", blob(""), blob("csv"), true],
  ["file(csv) -> file (format wildcard downstream)", blob("csv"), blob(""), true],
  ["file(csv) -> file(json)", blob("csv"), blob("json"), false],
  ["file(CSV) -> file(csv) (case-sensitive)", blob("CSV"), blob("csv"), false],
  ["file(csv) -> directory(csv) (dimensionality ignored)", blob("csv"), blob("csv", Dim.MULTIPART), true],
  ["none -> file (not nullable)", NONE, blob(), false],
  ["string -> file", STR, blob(), false],
  ["file -> string", blob(), STR, false],
  // structured datasets
  ["sd(parquet) -> sd(parquet)", sd("parquet"), sd("parquet"), true],
  ["sd(PARQUET) -> sd(parquet) (case-insensitive)", sd("PARQUET"), sd("parquet"), true],
  ["sd(csv) -> sd(parquet)", sd("csv"), sd("parquet"), false],
  ["sd() -> sd(csv)", sd(""), sd("csv"), true],
  ["sd(csv) -> sd()", sd("csv"), sd(""), true],
  ["none -> sd (nullable)", NONE, sd("parquet"), true],
  ["sd(a, b) -> sd(a) (column subset)", sd("", { a: INT, b: STR }), sd("", { a: INT }), true],
  ["sd(a) -> sd(a, b) (missing column)", sd("", { a: INT }), sd("", { a: INT, b: STR }), false],
  ["sd(a: int) -> sd(a: float)", sd("", { a: INT }), sd("", { a: FLOAT }), false],
  ["sd(a: int) -> sd without columns", sd("", { a: INT }), sd(""), true],
  ["sd without columns -> sd(a: int)", sd(""), sd("", { a: INT }), true],
  ["sd(a: int) -> sd(a: optional<int>)", sd("", { a: INT }), sd("", { a: optional(INT) }), true],
  ["sd(a: list<none>) -> sd(a: list<int>)", sd("", { a: list(NONE) }), sd("", { a: list(INT) }), true],
  ["sd(parquet, a) -> sd(csv, a)", sd("parquet", { a: INT }), sd("csv", { a: INT }), false],
  ["schema(a: int) -> sd(a: int)", schema({ a: Col.INTEGER }), sd("", { a: INT }), true],
  ["schema(a: int) -> sd(parquet; a: int)", schema({ a: Col.INTEGER }), sd("parquet", { a: INT }), true],
  ["schema(a: int) -> sd(csv; a: int)", schema({ a: Col.INTEGER }), sd("csv", { a: INT }), false],
  ["schema(a: int) -> sd(a: string)", schema({ a: Col.INTEGER }), sd("", { a: STR }), false],
  ["int -> sd", INT, sd(), false],
  // schemas
  ["schema(a, b) -> schema(a)", schema({ a: Col.INTEGER, b: Col.STRING }), schema({ a: Col.INTEGER }), true],
  ["schema(a: int) -> schema(a: string)", schema({ a: Col.INTEGER }), schema({ a: Col.STRING }), false],
  ["schema() -> schema(a: int)", schema(), schema({ a: Col.INTEGER }), true],
  ["schema(a) -> schema(b)", schema({ a: Col.INTEGER }), schema({ b: Col.INTEGER }), false],
  ["sd(parquet; a: int) -> schema(a: int)", sd("parquet", { a: INT }), schema({ a: Col.INTEGER }), true],
  ["sd(a: datetime) -> schema(a: datetime)", sd("", { a: DATETIME }), schema({ a: Col.DATETIME }), true],
  ["sd(csv) -> schema", sd("csv"), schema(), false],
  ["sd(a: int) -> schema(b: int)", sd("", { a: INT }), schema({ b: Col.INTEGER }), false],
  ["none -> schema (not nullable)", NONE, schema(), false],
  ["file -> schema", blob(), schema(), false],
];

describe("areTypesCastable", () => {
  it("has a broad table", () => assert.ok(castCases.length >= 60, `${castCases.length} cases`));
  for (const [name, upstream, downstream, expected] of castCases) {
    it(`${expected ? "casts" : "does not cast"}: ${name}`, () => {
      assert.equal(areTypesCastable(upstream, downstream), expected);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// formatType

describe("formatType", () => {
  const cases: [LiteralType | undefined, string][] = [
    [INT, "int"],
    [FLOAT, "float"],
    [STR, "string"],
    [BOOL, "boolean"],
    [DATETIME, "datetime"],
    [DURATION, "duration"],
    [NONE, "none"],
    [STRUCT, "struct"],
    [BINARY, "binary"],
    [ERROR, "error"],
    [undefined, "unknown"],
    [UNSET, "unknown"],
    [list(INT), "list<int>"],
    [map(list(FLOAT)), "map<string, list<float>>"],
    [union(INT, STR), "union<int, string>"],
    [optional(INT), "optional<int>"],
    [union(NONE, list(INT)), "optional<list<int>>"],
    [union(INT, STR, NONE), "optional<union<int, string>>"],
    [union(NONE), "union<none>"],
    [union(), "union<>"],
    [enumOf("red", "green"), "enum<red|green>"],
    [blob(), "file"],
    [blob("csv"), "file(csv)"],
    [blob("", Dim.MULTIPART), "directory"],
    [blob("parquet", Dim.MULTIPART), "directory(parquet)"],
    [sd(), "structured_dataset"],
    [sd("parquet"), "structured_dataset(parquet)"],
    [sd("parquet", { a: INT, b: STR }), "structured_dataset(parquet; a: int, b: string)"],
    [sd("", { a: INT }), "structured_dataset(a: int)"],
    [schema(), "schema"],
    [schema({ a: Col.INTEGER, b: Col.STRING, c: Col.DURATION }), "schema(a: int, b: string, c: duration)"],
    [struct(parentSchema), "struct Parent"],
    [struct(undefined, { x: INT, y: list(FLOAT) }), "struct{x: int, y: list<float>}"],
    [struct(parentSchema, { a: INT, b: STR }), "struct Parent{a: int, b: string}"],
    [struct({ title: "Struct" }, { a: INT }), "struct{a: int}"],
    [tagged(INT, "int"), "int"],
    [list(map(optional(enumOf("a", "b")))), "list<map<string, optional<enum<a|b>>>>"],
  ];
  for (const [type, expected] of cases) {
    it(expected, () => assert.equal(formatType(type), expected));
  }
  it("never dumps JSON", () => {
    for (const [type] of cases) assert.doesNotMatch(formatType(type), /\$typeName|\{"|"\w+":/);
  });
});

// ---------------------------------------------------------------------------------------------
// literalTypeOf / scalarType

const lit = (init: MessageInitShape<typeof LiteralSchema>): Literal => create(LiteralSchema, init);
const sc = (value: MessageInitShape<typeof ScalarSchema>["value"]): Scalar => create(ScalarSchema, { value });
const scalarLit = (value: MessageInitShape<typeof ScalarSchema>["value"]) =>
  lit({ value: { case: "scalar", value: { value } } });
const prim = (value: MessageInitShape<typeof PrimitiveSchema>["value"]) =>
  scalarLit({ case: "primitive", value: { value } });
const int = (n: number) => prim({ case: "integer", value: BigInt(n) });
const str = (s: string) => prim({ case: "stringValue", value: s });
const flt = (n: number) => prim({ case: "floatValue", value: n });
const coll = (...literals: Literal[]) => lit({ value: { case: "collection", value: { literals } } });
const mapLit = (literals: Record<string, Literal>) => lit({ value: { case: "map", value: { literals } } });
const noneLit = scalarLit({ case: "noneType", value: {} });

function assertType(actual: LiteralType, expected: LiteralType) {
  assert.ok(
    equals(LiteralTypeSchema, actual, expected),
    `got ${formatType(actual)} (${literalTypeText(actual)}), want ${formatType(expected)} (${literalTypeText(expected)})`,
  );
}

describe("literalTypeOf", () => {
  const cases: [string, Literal, LiteralType][] = [
    ["integer", int(1), INT],
    ["float", flt(1.5), FLOAT],
    ["string", str("a"), STR],
    ["boolean", prim({ case: "boolean", value: true }), BOOL],
    ["datetime", prim({ case: "datetime", value: timestampFromMs(0) }), DATETIME],
    ["duration", prim({ case: "duration", value: { seconds: 1n } }), DURATION],
    ["primitive without value", prim({ case: undefined }), NONE],
    [
      "blob",
      scalarLit({
        case: "blob",
        value: { uri: "s3://x", metadata: { type: { format: "csv", dimensionality: Dim.MULTIPART } } },
      }),
      blob("csv", Dim.MULTIPART),
    ],
    ["blob metadata without type", scalarLit({ case: "blob", value: { uri: "s3://x", metadata: {} } }), blob()],
    [
      "binary with msgpack tag",
      scalarLit({ case: "binary", value: { value: new Uint8Array([0x80]), tag: "msgpack" } }),
      STRUCT,
    ],
    ["binary without tag", scalarLit({ case: "binary", value: { value: new Uint8Array([1]), tag: "" } }), BINARY],
    [
      "binary with another tag",
      scalarLit({ case: "binary", value: { value: new Uint8Array([1]), tag: "pickle" } }),
      BINARY,
    ],
    [
      "schema",
      scalarLit({ case: "schema", value: { uri: "s3://x", type: { columns: [{ name: "a", type: Col.FLOAT }] } } }),
      schema({ a: Col.FLOAT }),
    ],
    ["schema without type", scalarLit({ case: "schema", value: { uri: "s3://x" } }), schema()],
    [
      "structured dataset",
      scalarLit({
        case: "structuredDataset",
        value: {
          uri: "s3://x",
          metadata: { structuredDatasetType: { format: "parquet", columns: [{ name: "a", literalType: INT }] } },
        },
      }),
      sd("parquet", { a: INT }),
    ],
    ["structured dataset without metadata", scalarLit({ case: "structuredDataset", value: { uri: "s3://x" } }), sd()],
    ["none", noneLit, NONE],
    ["error", scalarLit({ case: "error", value: { failedNodeId: "n0", message: "boom" } }), ERROR],
    ["generic", scalarLit({ case: "generic", value: { a: 1 } }), STRUCT],
    [
      "union (type carried)",
      scalarLit({ case: "union", value: { value: int(3), type: tagged(INT, "int") } }),
      union(tagged(INT, "int")),
    ],
    ["list of ints", coll(int(1), int(2)), list(INT)],
    ["empty list", coll(), list(NONE)],
    ["mixed list: variants sorted by prototext", coll(str("a"), int(1), flt(2), int(3)), list(union(FLOAT, INT, STR))],
    ["list with none", coll(int(1), noneLit), list(union(INT, NONE))],
    ["list of lists, empty inner list ignored", coll(coll(int(1)), coll()), list(list(INT))],
    ["list of empty lists", coll(coll(), coll()), list(list(NONE))],
    ["list of lists of different types", coll(coll(int(1)), coll(str("a"))), list(union(list(INT), list(STR)))],
    [
      "list of lists, one heterogeneous (Go flattens the nested union)",
      coll(coll(int(1), str("a")), coll(int(2))),
      list(list(union(list(INT), INT, STR))),
    ],
    ["map of ints", mapLit({ a: int(1), b: int(2) }), map(INT)],
    ["empty map", mapLit({}), map(NONE)],
    ["map of mixed values", mapLit({ a: str("x"), b: int(1) }), map(union(INT, STR))],
    ["map of lists", mapLit({ a: coll(flt(1)) }), map(list(FLOAT))],
    [
      "offloaded literal: its inferred type",
      lit({ value: { case: "offloadedMetadata", value: { uri: "s3://x", inferredType: list(INT) } } }),
      list(INT),
    ],
  ];
  for (const [name, literal, expected] of cases) {
    it(name, () => assertType(literalTypeOf(literal), expected));
  }

  it("returns an unset type where Flyte infers nothing", () => {
    assert.equal(literalTypeOf(lit({})).type.case, undefined);
    assert.equal(literalTypeOf(scalarLit({ case: "blob", value: { uri: "s3://x" } })).type.case, undefined);
    assert.equal(literalTypeOf(scalarLit({ case: undefined })).type.case, undefined);
    assert.equal(
      literalTypeOf(lit({ value: { case: "offloadedMetadata", value: { uri: "s3://x" } } })).type.case,
      undefined,
    );
  });

  it("scalarType works on bare scalars", () => {
    assertType(scalarType(sc({ case: "primitive", value: { value: { case: "integer", value: 1n } } })), INT);
    assertType(scalarType(sc({ case: "noneType", value: {} })), NONE);
    assert.equal(scalarType(sc({ case: undefined })).type.case, undefined);
  });

  it("copies the types it takes from the literal", () => {
    const carried = tagged(INT, "int");
    const inferred = literalTypeOf(scalarLit({ case: "union", value: { value: int(1), type: carried } }));
    const variant = inferred.type.case === "unionType" ? inferred.type.value.variants[0] : undefined;
    assert.ok(variant && variant !== carried && equals(LiteralTypeSchema, variant, carried));
  });

  it("inferred constants cast where Flyte lets them", () => {
    assert.ok(areTypesCastable(literalTypeOf(coll()), list(STR)));
    assert.ok(areTypesCastable(literalTypeOf(coll(int(1), noneLit)), list(optional(INT))));
    assert.ok(!areTypesCastable(literalTypeOf(coll(int(1), flt(1))), list(FLOAT)));
    assert.ok(areTypesCastable(literalTypeOf(scalarLit({ case: "union", value: { value: int(1), type: INT } })), INT));
    assert.ok(areTypesCastable(literalTypeOf(mapLit({})), map(list(INT))));
  });
});

// ---------------------------------------------------------------------------------------------
// attributeType

const attr = (...path: (string | number)[]): PromiseAttribute[] =>
  path.map((p) =>
    create(PromiseAttributeSchema, {
      value: typeof p === "string" ? { case: "stringValue", value: p } : { case: "intValue", value: p },
    }),
  );

function resolved(type: LiteralType, path: PromiseAttribute[]): LiteralType {
  const result = attributeType(type, path);
  assert.ok("type" in result, `unexpected error: ${"error" in result ? result.error : ""}`);
  return result.type;
}

function failure(type: LiteralType, path: PromiseAttribute[]): string {
  const result = attributeType(type, path);
  assert.ok("error" in result, `expected an error, got ${"type" in result ? formatType(result.type) : ""}`);
  return result.error;
}

describe("attributeType", () => {
  const point = struct(
    { type: "object", title: "Point", properties: { x: { type: "integer" }, y: { type: "array" } } },
    { x: INT, y: list(STR) },
  );
  const outer = struct(undefined, { inner: struct(undefined, { z: FLOAT }), points: list(point) });

  it("empty path: the type itself", () => assertType(resolved(list(INT), []), list(INT)));
  it("list index: element type", () => assertType(resolved(list(INT), attr(0)), INT));
  it("map key: value type", () => assertType(resolved(map(list(FLOAT)), attr("k")), list(FLOAT)));
  it("map key then list index", () => assertType(resolved(map(list(FLOAT)), attr("k", 1)), FLOAT));
  it("dataclass field", () => assertType(resolved(point, attr("x")), INT));
  it("dataclass field then list index", () => assertType(resolved(point, attr("y", 0)), STR));
  it("nested dataclasses", () => assertType(resolved(outer, attr("inner", "z")), FLOAT));
  it("dataclass in a list", () => assertType(resolved(outer, attr("points", 2, "x")), INT));
  it("list with a string attribute: element type (Flyte does not check the attribute kind)", () =>
    assertType(resolved(list(INT), attr("a")), INT));
  it("STRUCT without dataclass_type: unchanged, so it stays a STRUCT", () =>
    assertType(resolved(STRUCT, attr("a", "b")), STRUCT));
  it("scalar: unchanged (Flyte leaves it to the cast)", () => assertType(resolved(INT, attr("a")), INT));
  it("walks until the scalar, then keeps it", () => assertType(resolved(list(map(INT)), attr(0, "k", "z")), INT));

  it("missing dataclass field", () => {
    assert.equal(failure(point, attr("b")), 'struct Point has no field "b"; fields: x, y');
  });
  it("missing nested field names the nested type", () => {
    assert.equal(failure(outer, attr("inner", "q")), 'struct has no field "q"; fields: z');
  });
  it("integer attribute on a dataclass", () => {
    assert.match(failure(point, attr(0)), /^struct Point has no index \[0\] .*; fields: x, y$/);
  });
});

// ---------------------------------------------------------------------------------------------
// Go text forms used for ordering and messages

describe("prototext of types", () => {
  it("renders like Go's String()", () => {
    assert.equal(literalTypeText(INT), "simple:INTEGER");
    assert.equal(literalTypeText(NONE), "simple:NONE");
    assert.equal(literalTypeText(UNSET), "");
    assert.equal(literalTypeText(undefined), "<nil>");
    assert.equal(literalTypeText(list(INT)), "collection_type:{simple:INTEGER}");
    assert.equal(literalTypeText(blob("csv", Dim.MULTIPART)), 'blob:{format:"csv" dimensionality:MULTIPART}');
    assert.equal(literalTypeText(blob()), "blob:{}");
    assert.equal(literalTypeText(enumOf("a", "b")), 'enum_type:{values:"a" values:"b"}');
    assert.equal(
      literalTypeText(union(INT, tagged(STR, "s"))),
      'union_type:{variants:{simple:INTEGER} variants:{simple:STRING structure:{tag:"s"}}}',
    );
    assert.equal(
      literalTypeText(withMeta(STRUCT, { b: [1, "x"], a: { c: true, d: null } })),
      'simple:STRUCT metadata:{fields:{key:"a" value:{struct_value:{fields:{key:"c" value:{bool_value:true}} ' +
        'fields:{key:"d" value:{null_value:NULL_VALUE}}}}} fields:{key:"b" value:{list_value:{values:{number_value:1} ' +
        'values:{string_value:"x"}}}}}',
    );
    assert.equal(
      literalTypeText(sd("parquet", { a: INT })),
      'structured_dataset_type:{columns:{name:"a" literal_type:{simple:INTEGER}} format:"parquet"}',
    );
    assert.equal(literalTypeText(schema({ a: Col.INTEGER })), 'schema:{columns:{name:"a"}}');
  });

  it("escapes strings like Go", () => {
    assert.equal(literalTypeText(enumOf('q"\\\n\t\u0001é')), 'enum_type:{values:"q\\"\\\\\\n\\t\\x01é"}');
  });

  it("formats floats like strconv 'g'", () => {
    assert.equal(goFloat(1), "1");
    assert.equal(goFloat(1.5), "1.5");
    assert.equal(goFloat(123456), "123456");
    assert.equal(goFloat(1e6), "1e+06");
    assert.equal(goFloat(1234567), "1.234567e+06");
    assert.equal(goFloat(0.0001), "0.0001");
    assert.equal(goFloat(0.00001), "1e-05");
    assert.equal(goFloat(-2.5e-10), "-2.5e-10");
    assert.equal(goFloat(1e21), "1e+21");
    assert.equal(goFloat(Number.NaN), "nan");
  });

  it("LiteralTypeToStr renders STRUCT with its dataclass fields", () => {
    assert.equal(literalTypeToStr(undefined), "None");
    assert.equal(literalTypeToStr(INT), "simple:INTEGER");
    assert.equal(
      literalTypeToStr(struct(parentSchema, { b: STR, a: INT })),
      "Simple: STRUCT structure{dataclass_type:{key:a value:{simple:INTEGER}, dataclass_type:{key:b value:{simple:STRING}}",
    );
  });
});
