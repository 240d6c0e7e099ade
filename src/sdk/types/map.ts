import { create } from "@bufbuild/protobuf";
import type { Literal, LiteralType } from "../../idl/index.js";
import { LiteralSchema, LiteralTypeSchema } from "../../idl/index.js";
import { literalMismatch, valueMismatch, within } from "./errors.js";
import { parseJsonText } from "./json-text.js";
import { unpack } from "./literal.js";
import { type AnyType, type Json, type JsonObject, Type, type ValueOf } from "./type.js";
import { isPlainObject } from "./values.js";

/** map<string, V>: a plain object with string keys, LiteralMap (flytekit's Dict[str, V]). */
export class MapType<V extends AnyType = AnyType> extends Type<Record<string, ValueOf<V>>> {
  readonly name: string;
  readonly tag = "Typed Dict";

  constructor(readonly value: V) {
    super();
    this.name = `map<string, ${value.name}>`;
  }

  literalType(): LiteralType {
    return create(LiteralTypeSchema, { type: { case: "mapValueType", value: this.value.literalType() } });
  }

  toLiteral(value: Record<string, ValueOf<V>>): Literal {
    const literals = this.each(value, (item) => this.value.toLiteral(item));
    return create(LiteralSchema, { value: { case: "map", value: { literals } } });
  }

  fromLiteral(literal: Literal): Record<string, ValueOf<V>> {
    const packed = unpack(literal, this.name);
    if (packed) return this.fromFieldJson(packed.value);
    if (literal.value.case !== "map") throw literalMismatch(this.name, literal);
    return this.each(literal.value.value.literals, (item: Literal) => this.value.fromLiteral(item));
  }

  fromText(text: string): Record<string, ValueOf<V>> {
    return this.fromJson(parseJsonText(text, this.name));
  }

  fromJson(json: Json): Record<string, ValueOf<V>> {
    return this.each(json, (item: Json) => this.value.fromJson(item));
  }

  toJson(value: Record<string, ValueOf<V>>): Json {
    return this.each(value, (item) => this.value.toJson(item));
  }

  toFieldJson(value: Record<string, ValueOf<V>>): Json {
    return this.each(value, (item) => this.value.toFieldJson(item));
  }

  fromFieldJson(value: unknown): Record<string, ValueOf<V>> {
    return this.each(value, (item) => this.value.fromFieldJson(item));
  }

  fieldSchema(): JsonObject {
    return { type: "object", additionalProperties: this.value.fieldSchema(), propertyNames: { type: "string" } };
  }

  /** Converts every entry of a plain object, naming the key of an entry that does not fit. */
  private each<I, R>(entries: unknown, convert: (item: I) => R): Record<string, R> {
    if (!isPlainObject(entries)) throw valueMismatch(this.name, entries);
    // fromEntries defines own properties, so a key like "__proto__" stays data.
    return Object.fromEntries(
      Object.entries(entries).map(([key, item]) => [key, within(`[${JSON.stringify(key)}]`, () => convert(item as I))]),
    );
  }
}
