// The type Flyte infers for a constant (flytepropeller validators/utils.go: literalTypeForScalar,
// LiteralTypeForLiteral) and the type reached by an output reference's attribute path
// (validators/bindings.go, the attr_path walk of validateBinding).
//
// Where Go returns a nil type (a blob without metadata, a scalar or literal with no value, an
// offloaded literal without inferred_type), these functions return an empty LiteralType whose
// `type.case` is undefined; callers test `type.case === undefined` where Go tests for nil (the
// binding validator reports UnrecognizedValue for such a scalar).

import { clone, create } from "@bufbuild/protobuf";
import {
  BlobTypeSchema,
  type Literal,
  type LiteralType,
  LiteralTypeSchema,
  type PromiseAttribute,
  type Scalar,
  SchemaTypeSchema,
  SimpleType,
  StructuredDatasetTypeSchema,
} from "../idl/index.js";
import { formatType } from "./type-format.js";
import { compareBytes, literalTypeText } from "./typing-prototext.js";

/** flytekit tags msgpack-encoded dataclasses / dicts / Pydantic models with this Binary tag. */
const MESSAGEPACK = "msgpack";

const PRIMITIVE_TYPES = {
  integer: SimpleType.INTEGER,
  floatValue: SimpleType.FLOAT,
  stringValue: SimpleType.STRING,
  boolean: SimpleType.BOOLEAN,
  datetime: SimpleType.DATETIME,
  duration: SimpleType.DURATION,
} as const;

export function scalarType(scalar: Scalar): LiteralType {
  const value = scalar.value;
  switch (value.case) {
    case "primitive": {
      const kind = value.value.value.case;
      return simpleType(kind === undefined ? SimpleType.NONE : PRIMITIVE_TYPES[kind]);
    }
    case "blob": {
      const metadata = value.value.metadata;
      if (metadata === undefined) return unknownType();
      return create(LiteralTypeSchema, {
        type: { case: "blob", value: metadata.type ? clone(BlobTypeSchema, metadata.type) : {} },
      });
    }
    case "binary":
      // A tagged binary (msgpack) carries a dataclass, dict or Pydantic model: a STRUCT.
      return simpleType(value.value.tag === MESSAGEPACK ? SimpleType.STRUCT : SimpleType.BINARY);
    case "schema": {
      const schema = value.value.type;
      return create(LiteralTypeSchema, {
        type: { case: "schema", value: schema ? clone(SchemaTypeSchema, schema) : {} },
      });
    }
    case "structuredDataset": {
      const datasetType = value.value.metadata?.structuredDatasetType;
      const copied = datasetType ? clone(StructuredDatasetTypeSchema, datasetType) : {};
      return create(LiteralTypeSchema, { type: { case: "structuredDatasetType", value: copied } });
    }
    case "noneType":
      return simpleType(SimpleType.NONE);
    case "error":
      return simpleType(SimpleType.ERROR);
    case "generic":
      return simpleType(SimpleType.STRUCT);
    case "union": {
      const variant = copy(value.value.type) ?? unknownType();
      return create(LiteralTypeSchema, { type: { case: "unionType", value: { variants: [variant] } } });
    }
    default:
      return unknownType();
  }
}

export function literalTypeOf(literal: Literal): LiteralType {
  const value = literal.value;
  switch (value.case) {
    case "scalar":
      return scalarType(value.value);
    case "collection":
      return create(LiteralTypeSchema, {
        type: { case: "collectionType", value: typeOfElements(value.value.literals) },
      });
    case "map":
      return create(LiteralTypeSchema, {
        type: { case: "mapValueType", value: typeOfElements(Object.values(value.value.literals)) },
      });
    case "offloadedMetadata":
      return copy(value.value.inferredType) ?? unknownType();
    default:
      return unknownType();
  }
}

/**
 * Go's literalTypeForLiterals: the element type of a collection or map literal. Distinct element
 * types (by prototext) become a union sorted by prototext; empty collections among the elements
 * only count when there is nothing else; no elements at all gives NONE (which fits any list/map).
 */
function typeOfElements(literals: Literal[]): LiteralType {
  const distinct: LiteralType[] = [];
  const seen = new Set<string>();
  let emptyCollection: LiteralType | undefined;
  for (const literal of literals) {
    const type = literalTypeOf(literal);
    // Go tests `GetLiterals() == nil`, which is what an empty list decodes to.
    if (literal.value.case === "collection" && literal.value.value.literals.length === 0) {
      emptyCollection = type;
      continue;
    }
    const key = literalTypeText(type);
    if (!seen.has(key)) {
      seen.add(key);
      distinct.push(type);
    }
  }
  if (distinct.length === 0 && emptyCollection !== undefined) distinct.push(emptyCollection);
  if (distinct.length === 0) return simpleType(SimpleType.NONE);
  if (distinct.length === 1) return distinct[0];
  const keyed = distinct.map((type) => ({ type, key: literalTypeText(type) }));
  keyed.sort((a, b) => compareBytes(a.key, b.key));
  return multipleTypeUnion(keyed.map((k) => k.type));
}

/**
 * Go's buildMultipleTypeUnion: the variants in order, except that an element type which is itself
 * a list of a union contributes that union's variants, and then the result is a list of the union.
 */
function multipleTypeUnion(types: LiteralType[]): LiteralType {
  const variants: LiteralType[] = [];
  let nested = false;
  for (const type of types) {
    const inner = type.type.case === "collectionType" ? type.type.value.type : undefined;
    if (inner?.case === "unionType") {
      nested = true;
      variants.push(...inner.value.variants);
    } else {
      variants.push(type);
    }
  }
  const union = create(LiteralTypeSchema, { type: { case: "unionType", value: { variants } } });
  if (!nested) return union;
  return create(LiteralTypeSchema, { type: { case: "collectionType", value: union } });
}

/**
 * The type reached by walking an OutputReference's attr_path from `type`, as validateBinding does:
 * a list gives its element type and a map its value type whatever the attribute (the index or key
 * itself is not checked); a type with structure.dataclass_type gives the field named by the
 * attribute's string value (an error if there is no such field); any other type (e.g. a STRUCT
 * without dataclass information, or a scalar) is left unchanged, so the attribute is accepted as
 * Flyte accepts it and only the final cast decides.
 */
export function attributeType(type: LiteralType, path: PromiseAttribute[]): { type: LiteralType } | { error: string } {
  let current = type;
  for (const attribute of path) {
    const t = current.type;
    if (t.case === "collectionType") {
      current = t.value;
      continue;
    }
    if (t.case === "mapValueType") {
      current = t.value;
      continue;
    }
    const fields = current.structure?.dataclassType ?? {};
    const names = Object.keys(fields);
    if (names.length === 0) continue;
    // Go looks up GetStringValue(), which is "" for an integer attribute.
    const key = attribute.value.case === "stringValue" ? attribute.value.value : "";
    if (Object.hasOwn(fields, key)) {
      current = fields[key];
      continue;
    }
    const what =
      attribute.value.case === "intValue"
        ? `index [${attribute.value.value}] (only lists can be indexed)`
        : `field ${JSON.stringify(key)}`;
    return { error: `${structName(current)} has no ${what}; fields: ${names.join(", ")}` };
  }
  return { type: current };
}

/** A dataclass type named without its field list (which the message gives separately). */
function structName(type: LiteralType): string {
  return formatType(create(LiteralTypeSchema, { type: type.type, metadata: type.metadata }));
}

function simpleType(value: SimpleType): LiteralType {
  return create(LiteralTypeSchema, { type: { case: "simple", value } });
}

function unknownType(): LiteralType {
  return create(LiteralTypeSchema);
}

function copy(type: LiteralType | undefined): LiteralType | undefined {
  return type === undefined ? undefined : clone(LiteralTypeSchema, type);
}
