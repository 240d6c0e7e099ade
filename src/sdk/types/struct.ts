import { create } from "@bufbuild/protobuf";
import type { Literal, LiteralType } from "../../idl/index.js";
import { LiteralTypeSchema, SimpleType } from "../../idl/index.js";
import { literalMismatch, valueMismatch, within } from "./errors.js";
import { parseJsonText } from "./json-text.js";
import { scalarLiteral, scalarOf, unpack } from "./literal.js";
import { type AnyType, type Json, type JsonObject, Type, TypeMismatchError, type ValueOf } from "./type.js";
import { takesNull } from "./union.js";
import { isPlainObject } from "./values.js";

export type Fields = Record<string, AnyType>;

/** Fields a value may leave out: those with a default, and optional ones (left out means null). */
type OmittableKeys<F extends Fields> = {
  [K in keyof F]: F[K] extends Type<infer T, infer D> ? (D extends true ? K : null extends T ? K : never) : never;
}[keyof F];

type Simplify<T> = { [K in keyof T]: T[K] } & {};

export type StructValue<F extends Fields> = Simplify<
  { [K in Exclude<keyof F, OmittableKeys<F>>]: ValueOf<F[K]> } & { [K in OmittableKeys<F>]?: ValueOf<F[K]> }
>;

// flytekit's schema comes from the dataclass, titled with its class name; a struct has none.
const TITLE = "Struct";

/**
 * struct{...}: a JSON-like object with typed fields, as flytekit sends a dataclass: a STRUCT
 * LiteralType with the dataclass's JSON schema as metadata and its field types in
 * structure.dataclass_type, and the value as a google.protobuf.Struct (Scalar.generic).
 */
export class StructType<F extends Fields = Fields> extends Type<StructValue<F>> {
  readonly name: string;
  readonly tag = "Object-Dataclass-Transformer";

  constructor(readonly fields: F) {
    super();
    this.name = `struct{${Object.entries(fields)
      .map(([key, type]) => `${key}: ${type.name}`)
      .join(", ")}}`;
  }

  literalType(): LiteralType {
    const dataclassType = Object.fromEntries(
      Object.entries(this.fields).map(([key, type]) => [key, type.literalType()]),
    );
    return create(LiteralTypeSchema, {
      type: { case: "simple", value: SimpleType.STRUCT },
      metadata: this.fieldSchema(),
      structure: { tag: "", dataclassType },
    });
  }

  toLiteral(value: StructValue<F>): Literal {
    return scalarLiteral({ case: "generic", value: this.toFieldJson(value) as JsonObject });
  }

  fromLiteral(literal: Literal): StructValue<F> {
    const packed = unpack(literal, this.name);
    if (packed) return this.fromFieldJson(packed.value);
    const scalar = scalarOf(literal);
    if (scalar?.case === "generic") return this.fromFieldJson(scalar.value);
    throw literalMismatch(this.name, literal);
  }

  fromText(text: string): StructValue<F> {
    return this.fromJson(parseJsonText(text, this.name));
  }

  fromJson(json: Json): StructValue<F> {
    return this.convert(json, true, (type, item) => type.fromJson(item as Json)) as StructValue<F>;
  }

  toJson(value: StructValue<F>): Json {
    return this.convert(value, true, (type, item) => type.toJson(item));
  }

  toFieldJson(value: StructValue<F>): Json {
    return this.convert(value, true, (type, item) => type.toFieldJson(item));
  }

  /** Extra fields are ignored here, as mashumaro does: a newer Python dataclass may have more. */
  fromFieldJson(value: unknown): StructValue<F> {
    return this.convert(value, false, (type, item) => type.fromFieldJson(item)) as StructValue<F>;
  }

  /** mashumaro's schema of the equivalent dataclass; optional fields default to None. */
  fieldSchema(): JsonObject {
    const properties: JsonObject = {};
    const required: string[] = [];
    for (const [key, type] of Object.entries(this.fields)) {
      const schema = { ...type.fieldSchema() };
      if (type.hasDefault) schema.default = type.toFieldJson(type.defaultValue);
      else if (takesNull(type)) schema.default = null;
      else required.push(key);
      properties[key] = schema;
    }
    return {
      type: "object",
      title: TITLE,
      properties,
      additionalProperties: false,
      ...(required.length > 0 ? { required } : {}),
    };
  }

  /** Converts each field, naming the field that does not fit; `strict` refuses unknown fields. */
  private convert<R>(value: unknown, strict: boolean, convertField: (type: AnyType, item: unknown) => R) {
    if (!isPlainObject(value)) throw valueMismatch(this.name, value);
    const unknown = strict && Object.keys(value).find((key) => !Object.hasOwn(this.fields, key));
    if (unknown) throw new TypeMismatchError(this.name, `object with unknown field ${JSON.stringify(unknown)}`);
    return Object.fromEntries(
      Object.entries(this.fields).map(([key, type]) => [
        key,
        within(`.${key}`, () => convertField(type, fieldValue(value, key, type))),
      ]),
    );
  }
}

/** A field's value; one left out takes the field type's default, or null when it is optional. */
function fieldValue(object: Record<string, unknown>, key: string, type: AnyType): unknown {
  if (object[key] !== undefined) return object[key];
  if (type.hasDefault) return type.defaultValue;
  return takesNull(type) ? null : undefined;
}
