import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type MessageInitShape, create, equals, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  BlobType_BlobDimensionality,
  type Literal,
  LiteralSchema,
  type LiteralType,
  LiteralTypeSchema,
  type PrimitiveSchema,
  type ScalarSchema,
  SimpleType,
} from "../src/idl/index.js";
import {
  type AnyType,
  ListType,
  MapType,
  StructType,
  type Type,
  TypeMismatchError,
  UnionType,
  type ValueOf,
  t,
} from "../src/sdk/types/index.js";

// ---------------------------------------------------------------------------------------------
// Helpers

const lit = (init: MessageInitShape<typeof LiteralSchema>): Literal => create(LiteralSchema, init);
const ltype = (init: MessageInitShape<typeof LiteralTypeSchema>): LiteralType => create(LiteralTypeSchema, init);
const scalar = (init: MessageInitShape<typeof ScalarSchema>) => lit({ value: { case: "scalar", value: init } });
const primitive = (value: MessageInitShape<typeof PrimitiveSchema>["value"]) =>
  scalar({ value: { case: "primitive", value: { value } } });
const simple = (value: SimpleType) => ltype({ type: { case: "simple", value } });

/** value -> Literal -> protobuf bytes -> Literal -> value, which must come back equal. */
function roundTrip<T>(type: Type<T, boolean>, value: T): T {
  const bytes = toBinary(LiteralSchema, type.toLiteral(value));
  const decoded = fromBinary(LiteralSchema, bytes);
  // Bytes rather than `equals`, which (like ===) finds NaN unequal to itself.
  assert.deepEqual(toBinary(LiteralSchema, decoded), bytes, `${type.name}: literal changed through protobuf bytes`);
  const back = type.fromLiteral(decoded);
  assert.deepStrictEqual(back, value);
  return back;
}

function assertLiteral(actual: Literal, expected: Literal): void {
  assert.ok(
    equals(LiteralSchema, actual, expected),
    `literal differs:\n  actual   ${JSON.stringify(actual, bigints)}\n  expected ${JSON.stringify(expected, bigints)}`,
  );
}

function assertLiteralType(actual: LiteralType, expected: LiteralType): void {
  assert.ok(
    equals(LiteralTypeSchema, actual, expected),
    `literal type differs:\n  actual   ${JSON.stringify(actual, bigints)}\n  expected ${JSON.stringify(expected, bigints)}`,
  );
}

function bigints(_key: string, value: unknown) {
  return typeof value === "bigint" ? `${value}n` : value;
}

/** Asserts a TypeMismatchError with exactly this message. */
function assertMismatch(run: () => unknown, message: string | RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof TypeMismatchError, `not a TypeMismatchError: ${error}`);
    if (typeof message === "string") assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

/** MessagePack bytes as a Binary literal, the form flytekit >= 1.14 uses for dataclasses. */
const msgpack = (bytes: number[], tag = "msgpack") =>
  scalar({ value: { case: "binary", value: { value: new Uint8Array(bytes), tag } } });
const utf8 = (text: string) => [...new TextEncoder().encode(text)];
const fixstr = (text: string) => [0xa0 | utf8(text).length, ...utf8(text)];

// Compile-time checks of the value types the `t` constructors infer.
type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
const typeChecks: [
  Equal<ValueOf<ReturnType<typeof t.list<ReturnType<typeof t.int>>>>, number[]>,
  Equal<ValueOf<ReturnType<typeof t.int>>, number>,
  Equal<ValueOf<ReturnType<typeof t.datetime>>, Date>,
  Equal<ValueOf<ReturnType<typeof t.none>>, null>,
  Equal<ValueOf<ReturnType<typeof t.file>>, string>,
] = [true, true, true, true, true];
const structType = t.struct({ a: t.int(), b: t.optional(t.string()), c: t.list(t.float()).default([]) });
const enumType = t.enum(["a", "b"]);
const unionType = t.union(t.int(), t.string());
const mapType = t.map(t.list(t.boolean()));
const moreTypeChecks: [
  Equal<ValueOf<typeof structType>, { a: number; b?: string | null; c?: number[] }>,
  Equal<ValueOf<typeof enumType>, "a" | "b">,
  Equal<ValueOf<typeof unionType>, number | string>,
  Equal<ValueOf<typeof mapType>, Record<string, boolean[]>>,
  Equal<ValueOf<ReturnType<typeof t.optional<ReturnType<typeof t.int>>>>, number | null>,
] = [true, true, true, true, true];

const MAX = Number.MAX_SAFE_INTEGER;

/** [first, <hole>, last]: a sparse array, as `new Array(n)` filled in part leaves. */
function withHole(first: number, last: number): number[] {
  const items = new Array<number>(3);
  items[0] = first;
  items[2] = last;
  return items;
}

// ---------------------------------------------------------------------------------------------

describe("round trips through protobuf bytes", () => {
  it("int, including the safe integer limits", () => {
    for (const v of [0, 1, -7, 2 ** 31, MAX, -MAX]) roundTrip(t.int(), v);
  });

  it("float, including NaN and infinities", () => {
    for (const v of [0, 2.5, -1e-300, 1e308, 3, Number.NaN, Infinity, -Infinity]) roundTrip(t.float(), v);
  });

  it("string, including empty and unicode", () => {
    for (const v of ["", "hello", "héllo wörld", "日本語", "emoji 🌍🚀", "line\nbreak\u0000nul"])
      roundTrip(t.string(), v);
  });

  it("boolean", () => {
    roundTrip(t.boolean(), true);
    roundTrip(t.boolean(), false);
  });

  it("datetime, to the millisecond and at the range ends", () => {
    for (const iso of ["2024-02-29T12:34:56.789Z", "1970-01-01T00:00:00.000Z", "1969-12-31T23:59:59.999Z"]) {
      roundTrip(t.datetime(), new Date(iso));
    }
    roundTrip(t.datetime(), new Date(new Date(0).setUTCFullYear(1, 0, 1)));
    roundTrip(t.datetime(), new Date(Date.UTC(9999, 11, 31, 23, 59, 59, 999)));
  });

  it("duration in milliseconds, including fractions and negatives", () => {
    for (const v of [0, 1, 999, 1500, 90_000, 5_400_000, 1.5, 0.000001, -2500, -0.5]) roundTrip(t.duration(), v);
  });

  it("none", () => {
    roundTrip(t.none(), null);
  });

  it("file and directory", () => {
    for (const v of ["/tmp/a.txt", "s3://bucket/key with space", "relative/path"]) {
      roundTrip(t.file(), v);
      roundTrip(t.directory(), v);
    }
  });

  it("enum", () => {
    roundTrip(t.enum(["red", "green"]), "green");
  });

  it("lists and maps, including empty ones", () => {
    roundTrip(t.list(t.int()), []);
    roundTrip(t.list(t.int()), [1, 2, 3]);
    roundTrip(t.list(t.list(t.string())), [[], ["a"], ["b", "c"]]);
    roundTrip(t.map(t.float()), {});
    roundTrip(t.map(t.float()), { a: 1.5, "ключ 🔑": -2, "": 0 });
    roundTrip(t.map(t.map(t.boolean())), { x: {}, y: { z: true } });
  });

  it("a map key named __proto__ stays a key", () => {
    const value = JSON.parse('{"__proto__": 1, "b": 2}') as Record<string, number>;
    const back = roundTrip(t.map(t.int()), value);
    assert.deepEqual(Object.keys(back), ["__proto__", "b"]);
  });

  it("structs, nested, with optional fields", () => {
    const item = t.struct({ sku: t.string(), qty: t.int(), price: t.float() });
    const order = t.struct({
      id: t.string(),
      items: t.list(t.map(item)),
      when: t.datetime(),
      window: t.duration(),
      note: t.optional(t.string()),
      tags: t.optional(t.list(t.string())),
      level: t.enum(["low", "high"]),
      file: t.file(),
      nothing: t.none(),
    });
    roundTrip(order, {
      id: "o-1 ✓",
      items: [{ first: { sku: "a", qty: 2, price: 9.99 } }, {}],
      when: new Date("2026-01-02T03:04:05.678Z"),
      window: 7,
      note: null,
      tags: ["x"],
      level: "high",
      file: "s3://b/f",
      nothing: null,
    });
    roundTrip(t.struct({}), {});
  });

  it("undefined reads as null where null is allowed, holes in arrays included", () => {
    const type = t.list(t.optional(t.int()));
    assert.deepStrictEqual(type.fromLiteral(type.toLiteral(withHole(1, 3))), [1, null, 3]);
    assert.equal(t.none().toJson(undefined as never), null);
  });

  it("a struct value may leave out optional and defaulted fields", () => {
    const type = t.struct({ a: t.int(), b: t.optional(t.string()), c: t.int().default(5) });
    assert.deepStrictEqual(type.fromLiteral(type.toLiteral({ a: 1 })), { a: 1, b: null, c: 5 });
  });

  it("unions and optionals, inside lists too", () => {
    const u = t.union(t.int(), t.string(), t.list(t.boolean()));
    for (const v of [3, "three", [true, false], []]) roundTrip(u, v);
    roundTrip(t.optional(t.int()), 4);
    roundTrip(t.optional(t.int()), null);
    roundTrip(t.optional(t.list(t.int())), [1, 2]);
    roundTrip(t.optional(t.list(t.int())), null);
    roundTrip(t.list(t.union(t.int(), t.string())), [1, "a", 2]);
    roundTrip(t.list(t.optional(t.struct({ a: t.int() }))), [{ a: 1 }, null]);
    roundTrip(t.map(t.optional(t.datetime())), { a: new Date(0), b: null });
  });
});

describe("literal shapes match flytekit", () => {
  it("primitives", () => {
    assertLiteral(t.int().toLiteral(42), primitive({ case: "integer", value: 42n }));
    assertLiteral(t.int().toLiteral(-MAX), primitive({ case: "integer", value: -9007199254740991n }));
    assertLiteral(t.float().toLiteral(2.5), primitive({ case: "floatValue", value: 2.5 }));
    assertLiteral(t.float().toLiteral(3), primitive({ case: "floatValue", value: 3 }));
    assertLiteral(t.string().toLiteral("ß"), primitive({ case: "stringValue", value: "ß" }));
    assertLiteral(t.boolean().toLiteral(true), primitive({ case: "boolean", value: true }));
    assertLiteral(t.enum(["red", "green"]).toLiteral("red"), primitive({ case: "stringValue", value: "red" }));
  });

  it("datetime is a Timestamp, duration a Duration", () => {
    assertLiteral(
      t.datetime().toLiteral(new Date("2024-01-02T03:04:05.678Z")),
      primitive({ case: "datetime", value: { seconds: 1704164645n, nanos: 678_000_000 } }),
    );
    assertLiteral(
      t.datetime().toLiteral(new Date("1969-12-31T23:59:59.500Z")),
      primitive({ case: "datetime", value: { seconds: -1n, nanos: 500_000_000 } }),
    );
    assertLiteral(
      t.duration().toLiteral(90_500),
      primitive({ case: "duration", value: { seconds: 90n, nanos: 500_000_000 } }),
    );
    assertLiteral(
      t.duration().toLiteral(-1500),
      primitive({ case: "duration", value: { seconds: -1n, nanos: -500_000_000 } }),
    );
    assertLiteral(
      t.duration().toLiteral(0.25),
      primitive({ case: "duration", value: { seconds: 0n, nanos: 250_000 } }),
    );
  });

  it("none is Scalar.none_type", () => {
    assertLiteral(t.none().toLiteral(null), scalar({ value: { case: "noneType", value: {} } }));
  });

  it('file and directory are blobs with format ""', () => {
    assertLiteral(
      t.file().toLiteral("s3://b/k.csv"),
      scalar({
        value: {
          case: "blob",
          value: {
            uri: "s3://b/k.csv",
            metadata: { type: { format: "", dimensionality: BlobType_BlobDimensionality.SINGLE } },
          },
        },
      }),
    );
    assertLiteral(
      t.directory().toLiteral("/data/dir"),
      scalar({
        value: {
          case: "blob",
          value: {
            uri: "/data/dir",
            metadata: { type: { format: "", dimensionality: BlobType_BlobDimensionality.MULTIPART } },
          },
        },
      }),
    );
  });

  it("list is a collection, map a literal map", () => {
    const one = primitive({ case: "integer", value: 1n });
    const two = primitive({ case: "integer", value: 2n });
    assertLiteral(
      t.list(t.int()).toLiteral([1, 2]),
      lit({ value: { case: "collection", value: { literals: [one, two] } } }),
    );
    assertLiteral(t.list(t.int()).toLiteral([]), lit({ value: { case: "collection", value: { literals: [] } } }));
    assertLiteral(
      t.map(t.int()).toLiteral({ a: 1, b: 2 }),
      lit({ value: { case: "map", value: { literals: { a: one, b: two } } } }),
    );
  });

  it("struct is a google.protobuf.Struct in mashumaro's JSON form", () => {
    const type = t.struct({
      n: t.int(),
      d: t.duration(),
      at: t.datetime(),
      f: t.file(),
      o: t.optional(t.string()),
      xs: t.list(t.struct({ k: t.enum(["p", "q"]) })),
    });
    const value = { n: 3, d: 1500, at: new Date("2024-01-02T03:04:05.006Z"), f: "s3://b/f", xs: [{ k: "q" as const }] };
    assertLiteral(
      type.toLiteral(value),
      scalar({
        value: {
          case: "generic",
          value: {
            n: 3,
            d: 1.5,
            at: "2024-01-02T03:04:05.006000+00:00",
            f: { path: "s3://b/f" },
            o: null,
            xs: [{ k: "q" }],
          },
        },
      }),
    );
    assert.deepEqual(t.struct({ at: t.datetime() }).toFieldJson({ at: new Date("2024-01-02T03:04:05Z") }), {
      at: "2024-01-02T03:04:05+00:00",
    });
  });

  it("union carries the value and the chosen variant's tagged type", () => {
    const u = t.union(t.int(), t.string());
    assertLiteral(
      u.toLiteral("x"),
      scalar({
        value: {
          case: "union",
          value: {
            value: primitive({ case: "stringValue", value: "x" }),
            type: { type: { case: "simple", value: SimpleType.STRING }, structure: { tag: "str" } },
          },
        },
      }),
    );
    assertLiteral(
      t.optional(t.int()).toLiteral(null),
      scalar({
        value: {
          case: "union",
          value: {
            value: scalar({ value: { case: "noneType", value: {} } }),
            type: { type: { case: "simple", value: SimpleType.NONE }, structure: { tag: "none" } },
          },
        },
      }),
    );
  });

  it("a value takes the first variant that accepts it", () => {
    const floatFirst = t.union(t.float(), t.int());
    const scalarOf = (l: Literal) => (l.value.case === "scalar" ? l.value.value.value : undefined);
    const chosen = scalarOf(floatFirst.toLiteral(3));
    assert.ok(chosen?.case === "union");
    assert.equal(chosen.value.type?.structure?.tag, "float");
  });
});

describe("literal types match flytekit", () => {
  it("simple types", () => {
    assertLiteralType(t.int().literalType(), simple(SimpleType.INTEGER));
    assertLiteralType(t.float().literalType(), simple(SimpleType.FLOAT));
    assertLiteralType(t.string().literalType(), simple(SimpleType.STRING));
    assertLiteralType(t.boolean().literalType(), simple(SimpleType.BOOLEAN));
    assertLiteralType(t.datetime().literalType(), simple(SimpleType.DATETIME));
    assertLiteralType(t.duration().literalType(), simple(SimpleType.DURATION));
    assertLiteralType(t.none().literalType(), simple(SimpleType.NONE));
  });

  it("enum, blobs, collections", () => {
    assertLiteralType(
      t.enum(["red", "green"]).literalType(),
      ltype({ type: { case: "enumType", value: { values: ["red", "green"] } } }),
    );
    assertLiteralType(
      t.file().literalType(),
      ltype({ type: { case: "blob", value: { format: "", dimensionality: BlobType_BlobDimensionality.SINGLE } } }),
    );
    assertLiteralType(
      t.directory().literalType(),
      ltype({ type: { case: "blob", value: { format: "", dimensionality: BlobType_BlobDimensionality.MULTIPART } } }),
    );
    assertLiteralType(
      t.list(t.map(t.int())).literalType(),
      ltype({
        type: { case: "collectionType", value: { type: { case: "mapValueType", value: simple(SimpleType.INTEGER) } } },
      }),
    );
  });

  it("union variants are tagged with flytekit's transformer names", () => {
    const u = t.union(
      t.int(),
      t.float(),
      t.string(),
      t.boolean(),
      t.datetime(),
      t.duration(),
      t.list(t.int()),
      t.map(t.int()),
      t.enum(["a"]),
      t.file(),
      t.directory(),
      t.struct({}),
      t.none(),
    );
    const lt = u.literalType();
    assert.ok(lt.type.case === "unionType");
    assert.deepEqual(
      lt.type.value.variants.map((v) => v.structure?.tag),
      [
        "int",
        "float",
        "str",
        "bool",
        "datetime",
        "timedelta",
        "Typed List",
        "Typed Dict",
        "DefaultEnumTransformer",
        "FlyteFilePath",
        "FlyteDirectory",
        "Object-Dataclass-Transformer",
        "none",
      ],
    );
    assertLiteralType(
      t.optional(t.list(t.string())).literalType(),
      ltype({
        type: {
          case: "unionType",
          value: {
            variants: [
              { type: { case: "collectionType", value: simple(SimpleType.STRING) }, structure: { tag: "Typed List" } },
              { type: { case: "simple", value: SimpleType.NONE }, structure: { tag: "none" } },
            ],
          },
        },
      }),
    );
  });

  it("struct: STRUCT with the JSON schema as metadata and field types in dataclass_type", () => {
    const type = t.struct({
      a: t.int(),
      b: t.list(t.string()),
      c: t.optional(t.float()),
      d: t.duration().default(1000),
    });
    assertLiteralType(
      type.literalType(),
      ltype({
        type: { case: "simple", value: SimpleType.STRUCT },
        metadata: {
          type: "object",
          title: "Struct",
          properties: {
            a: { type: "integer" },
            b: { type: "array", items: { type: "string" } },
            c: { anyOf: [{ type: "number" }, { type: "null" }], default: null },
            d: { type: "number", format: "time-delta", default: 1 },
          },
          additionalProperties: false,
          required: ["a", "b"],
        },
        structure: {
          tag: "",
          dataclassType: {
            a: simple(SimpleType.INTEGER),
            b: ltype({ type: { case: "collectionType", value: simple(SimpleType.STRING) } }),
            c: t.optional(t.float()).literalType(),
            d: simple(SimpleType.DURATION),
          },
        },
      }),
    );
  });

  it("a struct inside a union keeps its schema but its structure holds just the tag", () => {
    const lt = t.optional(t.struct({ a: t.int() })).literalType();
    assert.ok(lt.type.case === "unionType");
    const variant = lt.type.value.variants[0];
    assert.equal(variant.metadata?.title, "Struct");
    assert.deepEqual(variant.structure?.dataclassType, {});
    assert.equal(variant.structure?.tag, "Object-Dataclass-Transformer");
  });

  it("nested field schemas follow mashumaro", () => {
    const type = t.struct({
      m: t.map(t.boolean()),
      e: t.enum(["x", "y"]),
      at: t.datetime(),
      inner: t.struct({ s: t.string() }),
    });
    assert.deepEqual(type.fieldSchema().properties, {
      m: { type: "object", additionalProperties: { type: "boolean" }, propertyNames: { type: "string" } },
      e: { enum: ["x", "y"] },
      at: { type: "string", format: "date-time" },
      inner: {
        type: "object",
        title: "Struct",
        properties: { s: { type: "string" } },
        additionalProperties: false,
        required: ["s"],
      },
    });
  });
});

describe("names", () => {
  it("read like the types", () => {
    assert.equal(t.int().name, "int");
    assert.equal(t.list(t.int()).name, "list<int>");
    assert.equal(t.map(t.float()).name, "map<string, float>");
    assert.equal(t.union(t.int(), t.string()).name, "union<int, string>");
    assert.equal(t.optional(t.int()).name, "optional<int>");
    assert.equal(t.enum(["red", "green"]).name, "enum<red|green>");
    assert.equal(t.struct({ a: t.int(), b: t.list(t.string()) }).name, "struct{a: int, b: list<string>}");
    assert.equal(t.file().name, "file");
    assert.equal(t.directory().name, "directory");
    assert.equal(t.union(t.int(), t.string(), t.none()).name, "union<int, string, none>");
  });
});

describe("unions are built as Python's typing.Union", () => {
  it("flattens nested unions and drops repeats", () => {
    const u = t.union(t.int(), t.union(t.string(), t.int()), t.optional(t.float()));
    assert.ok(u instanceof UnionType);
    assert.deepEqual(
      u.variants.map((v) => v.name),
      ["int", "string", "float", "none"],
    );
    assert.equal(t.optional(t.optional(t.int())).name, "optional<int>");
  });

  it("a union of one type is that type", () => {
    assert.equal(t.union(t.int(), t.int()).name, "int");
    assert.ok(t.union(t.list(t.int())) instanceof ListType);
  });

  it("reads a union literal by its tag, and a plain literal by trying each variant", () => {
    const u = t.union(t.int(), t.string());
    const tagged = scalar({
      value: {
        case: "union",
        value: {
          value: primitive({ case: "stringValue", value: "7" }),
          type: { type: { case: "simple", value: SimpleType.STRING }, structure: { tag: "str" } },
        },
      },
    });
    assert.equal(u.fromLiteral(tagged), "7");
    assert.equal(u.fromLiteral(primitive({ case: "integer", value: 7n })), 7);
    assert.equal(t.optional(t.int()).fromLiteral(scalar({ value: { case: "noneType", value: {} } })), null);
  });

  it("refuses a union literal whose tag names no variant", () => {
    const wrongTag = scalar({
      value: {
        case: "union",
        value: {
          value: primitive({ case: "integer", value: 7n }),
          type: { type: { case: "simple", value: SimpleType.INTEGER }, structure: { tag: "float" } },
        },
      },
    });
    assertMismatch(
      () => t.union(t.int(), t.string()).fromLiteral(wrongTag),
      "expected union<int, string>, got union of integer 7",
    );
  });
});

describe("int64 and JavaScript's safe integers", () => {
  it("refuses 2^53 and beyond when converting to a literal", () => {
    assertMismatch(
      () => t.int().toLiteral(2 ** 53),
      "expected int, got number 9007199254740992, which is outside JavaScript's safe integer range (±9007199254740991)",
    );
    assertMismatch(
      () => t.list(t.int()).toLiteral([1, -(2 ** 60)]),
      /^expected int at \[1\], got number -\d+, which is outside JavaScript's safe integer range/,
    );
  });

  it("refuses a literal carrying 2^63 - 1", () => {
    const big = primitive({ case: "integer", value: 9223372036854775807n });
    assertMismatch(
      () => t.int().fromLiteral(big),
      "expected int, got integer 9223372036854775807, which is outside JavaScript's safe integer range (±9007199254740991)",
    );
    assertMismatch(
      () =>
        t.list(t.int()).fromLiteral(
          lit({
            value: { case: "collection", value: { literals: [primitive({ case: "integer", value: 1n }), big] } },
          }),
        ),
      /^expected int at \[1\], got integer 9223372036854775807, which is outside/,
    );
    assertMismatch(
      () => t.int().fromText("9007199254740993"),
      /^expected int, got "9007199254740993", which is outside/,
    );
  });

  it("non-integers are not ints", () => {
    assertMismatch(() => t.int().toLiteral(1.5), "expected int, got number 1.5");
    assertMismatch(() => t.int().toLiteral(Number.NaN), "expected int, got number NaN");
    assertMismatch(
      () => t.int().fromLiteral(primitive({ case: "floatValue", value: 1.5 })),
      "expected int, got float 1.5",
    );
  });

  it("a whole float literal reads as an int, as flytekit reads the console's numbers", () => {
    assert.equal(t.int().fromLiteral(primitive({ case: "floatValue", value: 4 })), 4);
  });
});

describe("mismatch errors name the path", () => {
  it("in lists, maps and structs", () => {
    assertMismatch(() => t.list(t.int()).toLiteral([1, 2, "x" as never]), 'expected int at [2], got string "x"');
    assertMismatch(
      () => t.map(t.list(t.int())).toLiteral({ a: [1], b: [2, true as never] }),
      'expected int at ["b"][1], got boolean true',
    );
    const order = t.struct({ items: t.list(t.struct({ qty: t.int() })) });
    assertMismatch(
      () => order.toLiteral({ items: [{ qty: 1 }, { qty: "2" as never }] }),
      'expected int at .items[1].qty, got string "2"',
    );
    assertMismatch(() => order.toLiteral({ items: [{} as never] }), "expected int at .items[0].qty, got undefined");
    assertMismatch(
      () => order.toLiteral({ items: [], extra: 1 } as never),
      'expected struct{items: list<struct{qty: int}>}, got object with unknown field "extra"',
    );
  });

  it("for the wrong kind of value", () => {
    assertMismatch(() => t.list(t.int()).toLiteral({} as never), "expected list<int>, got object {}");
    assertMismatch(() => t.map(t.int()).toLiteral([] as never), "expected map<string, int>, got array []");
    assertMismatch(() => t.map(t.int()).toLiteral(new Map() as never), "expected map<string, int>, got Map {}");
    assertMismatch(() => t.string().toLiteral(null as never), "expected string, got null");
    assertMismatch(() => t.datetime().toLiteral("2024-01-01" as never), 'expected datetime, got string "2024-01-01"');
    assertMismatch(() => t.datetime().toLiteral(new Date(Number.NaN)), "expected datetime, got Date (invalid)");
    assertMismatch(() => t.datetime().toLiteral(new Date("+010000-01-01T00:00:00Z")), /outside the years 1 to 9999$/);
    assertMismatch(
      () => t.enum(["red", "green"]).toLiteral("blue" as never),
      'expected enum<red|green>, got string "blue"',
    );
    assertMismatch(
      () => t.union(t.int(), t.string()).toLiteral(true as never),
      "expected union<int, string>, got boolean true",
    );
    assertMismatch(() => t.file().toLiteral("" as never), 'expected file (a path or URI), got string ""');
    assertMismatch(() => t.none().toLiteral(0 as never), "expected none, got number 0");
    assertMismatch(() => t.list(t.int()).toLiteral(withHole(1, 3)), "expected int at [1], got undefined");
    assertMismatch(
      () => t.list(t.optional(t.int())).toLiteral([1, "a" as never]),
      'expected optional<int> at [1], got string "a"',
    );
  });

  it("when reading literals", () => {
    assertMismatch(
      () => t.string().fromLiteral(primitive({ case: "integer", value: 5n })),
      "expected string, got integer 5",
    );
    assertMismatch(() => t.list(t.int()).fromLiteral(t.map(t.int()).toLiteral({})), "expected list<int>, got map of 0");
    assertMismatch(() => t.file().fromLiteral(t.directory().toLiteral("/d")), 'expected file, got multipart blob "/d"');
    assertMismatch(
      () => t.directory().fromLiteral(t.file().toLiteral("/f")),
      'expected directory, got single blob "/f"',
    );
    assertMismatch(
      () => t.enum(["a"]).fromLiteral(primitive({ case: "stringValue", value: "b" })),
      'expected enum<a>, got string "b"',
    );
    assertMismatch(
      () => t.struct({ a: t.int() }).fromLiteral(scalar({ value: { case: "generic", value: { a: "x" } } })),
      'expected int at .a, got string "x"',
    );
    assertMismatch(() => t.none().fromLiteral(lit({})), "expected none, got empty literal");
  });
});

describe("fromText parses command-line values", () => {
  it("numbers", () => {
    assert.equal(t.int().fromText("3"), 3);
    assert.equal(t.int().fromText(" -42 "), -42);
    assert.equal(t.float().fromText("2.5"), 2.5);
    assert.equal(t.float().fromText("-1e-3"), -0.001);
    assert.equal(t.float().fromText("7"), 7);
    assert.ok(Number.isNaN(t.float().fromText("nan")));
    assert.equal(t.float().fromText("-inf"), -Infinity);
    assert.equal(t.float().fromText("Infinity"), Infinity);
    assertMismatch(() => t.int().fromText("3.0"), 'expected int, got "3.0"');
    assertMismatch(() => t.int().fromText("abc"), 'expected int, got "abc"');
    assertMismatch(() => t.int().fromText(""), 'expected int, got ""');
    assertMismatch(() => t.float().fromText("0x10"), 'expected float, got "0x10"');
    assertMismatch(() => t.float().fromText("constructor"), 'expected float, got "constructor"');
  });

  it("booleans", () => {
    for (const text of ["true", "True", "1", "yes", "y", "on", "t"])
      assert.equal(t.boolean().fromText(text), true, text);
    for (const text of ["false", "FALSE", "0", "no", "n", "off", "f"])
      assert.equal(t.boolean().fromText(text), false, text);
    assertMismatch(() => t.boolean().fromText("maybe"), 'expected boolean, got "maybe"');
  });

  it("datetimes in ISO-8601; no offset means UTC", () => {
    const at = (text: string) => t.datetime().fromText(text).toISOString();
    assert.equal(at("2024-03-04T05:06:07Z"), "2024-03-04T05:06:07.000Z");
    assert.equal(at("2024-03-04T05:06:07.123456+02:00"), "2024-03-04T03:06:07.123Z");
    assert.equal(at("2024-03-04 05:06"), "2024-03-04T05:06:00.000Z");
    assert.equal(at("2024-03-04"), "2024-03-04T00:00:00.000Z");
    assert.equal(at("0001-01-01"), "0001-01-01T00:00:00.000Z");
    assertMismatch(() => t.datetime().fromText("2024-02-30"), 'expected datetime (ISO-8601), got "2024-02-30"');
    assertMismatch(() => t.datetime().fromText("yesterday"), 'expected datetime (ISO-8601), got "yesterday"');
  });

  it("durations as milliseconds or text", () => {
    const ms = (text: string) => t.duration().fromText(text);
    assert.equal(ms("1500"), 1500);
    assert.equal(ms("90s"), 90_000);
    assert.equal(ms("1h30m"), 5_400_000);
    assert.equal(ms("250ms"), 250);
    assert.equal(ms("PT1H"), 3_600_000);
    assertMismatch(() => ms("soon"), /^expected duration \(milliseconds, or text like "90s", .*\), got "soon"$/);
  });

  it("strings, enums, files, none", () => {
    assert.equal(t.string().fromText(" as is "), " as is ");
    assert.equal(t.enum(["red", "green"]).fromText("green"), "green");
    assertMismatch(() => t.enum(["red", "green"]).fromText("blue"), 'expected enum<red|green>, got "blue"');
    assert.equal(t.file().fromText("./data.csv"), "./data.csv");
    assert.equal(t.directory().fromText("s3://b/dir/"), "s3://b/dir/");
    assert.equal(t.none().fromText("null"), null);
    assert.equal(t.none().fromText("None"), null);
  });

  it("lists, maps and structs as JSON", () => {
    assert.deepEqual(t.list(t.int()).fromText("[1, 2, 3]"), [1, 2, 3]);
    assert.deepEqual(t.map(t.duration()).fromText('{"a": 5, "b": "2s"}'), { a: 5, b: 2000 });
    assert.deepStrictEqual(
      t.struct({ at: t.datetime(), n: t.optional(t.int()) }).fromText('{"at": "2024-01-01T00:00:00Z"}'),
      {
        at: new Date("2024-01-01T00:00:00Z"),
        n: null,
      },
    );
    assertMismatch(() => t.list(t.int()).fromText("1,2"), 'expected list<int> (as JSON), got "1,2", which is not JSON');
    assertMismatch(() => t.list(t.int()).fromText('[1, "x"]'), 'expected int at [1], got string "x"');
  });

  it("unions by the first variant that reads the text", () => {
    const u = t.union(t.int(), t.string());
    assert.equal(u.fromText("3"), 3);
    assert.equal(u.fromText("three"), "three");
    assert.equal(t.optional(t.int()).fromText("none"), null);
    assert.deepEqual(t.optional(t.list(t.int())).fromText("[1]"), [1]);
    assertMismatch(() => t.optional(t.int()).fromText("x"), 'expected optional<int>, got "x"');
  });
});

describe("JSON renderings", () => {
  it("round trip for every type", () => {
    const cases: [AnyType, unknown, unknown][] = [
      [t.int(), 5, 5],
      [t.float(), 2.5, 2.5],
      [t.float(), Number.NaN, "NaN"],
      [t.float(), -Infinity, "-Infinity"],
      [t.string(), "s", "s"],
      [t.boolean(), false, false],
      [t.datetime(), new Date("2024-01-02T03:04:05.006Z"), "2024-01-02T03:04:05.006Z"],
      [t.duration(), 1500, 1500],
      [t.none(), null, null],
      [t.file(), "/f", "/f"],
      [t.directory(), "s3://d", "s3://d"],
      [t.enum(["a", "b"]), "b", "b"],
      [t.list(t.datetime()), [new Date(0)], ["1970-01-01T00:00:00.000Z"]],
      [t.map(t.duration()), { a: 1 }, { a: 1 }],
      [
        t.struct({ d: t.duration(), f: t.file(), o: t.optional(t.int()) }),
        { d: 2, f: "/x" },
        { d: 2, f: "/x", o: null },
      ],
      [t.union(t.datetime(), t.int()), new Date(0), "1970-01-01T00:00:00.000Z"],
      [t.optional(t.int()), null, null],
    ];
    for (const [type, value, json] of cases) {
      assert.deepStrictEqual(type.toJson(value), json, type.name);
      const back = type.fromJson(type.toJson(value));
      assert.deepStrictEqual(type.toJson(back), json, type.name);
    }
  });

  it("fromJson checks what it reads", () => {
    assertMismatch(() => t.datetime().fromJson(5), "expected datetime (ISO-8601 text), got number 5");
    assertMismatch(
      () => t.struct({ a: t.int() }).fromJson({ a: 1, b: 2 }),
      'expected struct{a: int}, got object with unknown field "b"',
    );
    assertMismatch(() => t.map(t.int()).fromJson({ a: 1.5 }), 'expected int at ["a"], got number 1.5');
  });
});

describe("msgpack Binary literals (flytekit >= 1.14)", () => {
  it("read as a struct", () => {
    // {"a": 1, "b": "x", "d": 1.5, "f": {"path": "s3://b/f"}, "xs": [true, null]}
    const bytes = [
      0x85,
      ...fixstr("a"),
      0x01,
      ...fixstr("b"),
      ...fixstr("x"),
      ...fixstr("d"),
      0xcb,
      0x3f,
      0xf8,
      0,
      0,
      0,
      0,
      0,
      0,
      ...fixstr("f"),
      0x81,
      ...fixstr("path"),
      ...fixstr("s3://b/f"),
      ...fixstr("xs"),
      0x92,
      0xc3,
      0xc0,
    ];
    const type = t.struct({
      a: t.int(),
      b: t.string(),
      d: t.duration(),
      f: t.file(),
      xs: t.list(t.optional(t.boolean())),
    });
    assert.deepStrictEqual(type.fromLiteral(msgpack(bytes)), {
      a: 1,
      b: "x",
      d: 1500,
      f: "s3://b/f",
      xs: [true, null],
    });
  });

  it("read as the attributes propeller takes out of a dataclass", () => {
    assert.equal(t.int().fromLiteral(msgpack([0xd1, 0xfc, 0x18])), -1000);
    assert.equal(t.string().fromLiteral(msgpack(fixstr("héllo"))), "héllo");
    assert.equal(t.float().fromLiteral(msgpack([0x05])), 5);
    assert.equal(t.boolean().fromLiteral(msgpack([0xc2])), false);
    assert.equal(
      t
        .datetime()
        .fromLiteral(msgpack(fixstr("2024-01-02T03:04:05+00:00")))
        .toISOString(),
      "2024-01-02T03:04:05.000Z",
    );
    assert.equal(t.duration().fromLiteral(msgpack([0xcb, 0x3f, 0x7c, 0xac, 0x08, 0x31, 0x26, 0xe9, 0x79])), 7);
    assert.deepEqual(t.list(t.int()).fromLiteral(msgpack([0x93, 1, 2, 3])), [1, 2, 3]);
    assert.deepEqual(t.map(t.int()).fromLiteral(msgpack([0x81, ...fixstr("k"), 9])), { k: 9 });
    assert.equal(t.optional(t.int()).fromLiteral(msgpack([0xc0])), null);
    assert.equal(t.enum(["a", "b"]).fromLiteral(msgpack(fixstr("b"))), "b");
  });

  it("refuses 2^63 - 1, other tags and broken bytes clearly", () => {
    const max64 = [0xcf, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
    assertMismatch(
      () => t.struct({ n: t.int() }).fromLiteral(msgpack([0x81, ...fixstr("n"), ...max64])),
      /^expected int at \.n, got integer 9223372036854775807, which is outside JavaScript's safe integer range/,
    );
    assertMismatch(
      () => t.int().fromLiteral(msgpack([1], "pickle")),
      'expected int, got binary with tag "pickle" (only "msgpack" can be read)',
    );
    assertMismatch(
      () => t.int().fromLiteral(msgpack([0xcd, 0x01])),
      /^expected int, got binary msgpack that cannot be decoded: .*ends early/,
    );
    assertMismatch(() => t.int().fromLiteral(msgpack([0x01, 0x02])), /cannot be decoded: 1 bytes left over$/);
  });
});

describe("default and describe", () => {
  it("work on every type and validate the default", () => {
    const types: [AnyType, unknown][] = [
      [t.int(), 1],
      [t.float(), 1.5],
      [t.string(), "s"],
      [t.boolean(), true],
      [t.datetime(), new Date(0)],
      [t.duration(), 10],
      [t.none(), null],
      [t.file(), "/f"],
      [t.directory(), "/d"],
      [t.enum(["a"]), "a"],
      [t.list(t.int()), [1]],
      [t.map(t.int()), { a: 1 }],
      [t.struct({ a: t.int() }), { a: 1 }],
      [t.union(t.int(), t.string()), "u"],
      [t.optional(t.int()), null],
    ];
    for (const [type, value] of types) {
      const described = type.default(value).describe(`the ${type.name}`);
      assert.equal(described.hasDefault, true, type.name);
      assert.deepStrictEqual(described.defaultValue, value, type.name);
      assert.equal(described.description, `the ${type.name}`, type.name);
      assert.equal(described.name, type.name);
      assert.equal(Object.getPrototypeOf(described), Object.getPrototypeOf(type));
      assert.equal(type.hasDefault, false, "the original is unchanged");
      assert.throws(() => type.default(Symbol("wrong") as never), TypeMismatchError, type.name);
    }
  });

  it("refuses a default that does not fit, naming where", () => {
    assertMismatch(() => t.list(t.int()).default([1, 2.5]), "expected int at [1], got number 2.5");
  });
});

describe("construction", () => {
  it("keeps the parts for attribute access", () => {
    const element = t.int();
    const value = t.string();
    const fields = { a: t.int() };
    assert.equal(t.list(element).element, element);
    assert.equal(t.map(value).value, value);
    assert.equal(t.struct(fields).fields, fields);
    assert.ok(
      t.list(element) instanceof ListType && t.map(value) instanceof MapType && t.struct(fields) instanceof StructType,
    );
  });

  it("refuses empty or repeated enums", () => {
    assert.throws(() => t.enum([]), /at least one value/);
    assert.throws(() => t.enum(["a", "a"]), /"a" twice/);
  });

  it("type-level checks hold", () => {
    assert.ok([...typeChecks, ...moreTypeChecks].every(Boolean));
  });
});
