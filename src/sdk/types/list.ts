import { create } from "@bufbuild/protobuf";
import type { Literal, LiteralType } from "../../idl/index.js";
import { LiteralSchema, LiteralTypeSchema } from "../../idl/index.js";
import { literalMismatch, valueMismatch, within } from "./errors.js";
import { parseJsonText } from "./json-text.js";
import { unpack } from "./literal.js";
import { type AnyType, type Json, type JsonObject, Type, type ValueOf } from "./type.js";

/** list<E>: a JS array, LiteralCollection (flytekit's List[E]). */
export class ListType<E extends AnyType = AnyType> extends Type<ValueOf<E>[]> {
  readonly name: string;
  readonly tag = "Typed List";

  constructor(readonly element: E) {
    super();
    this.name = `list<${element.name}>`;
  }

  literalType(): LiteralType {
    return create(LiteralTypeSchema, { type: { case: "collectionType", value: this.element.literalType() } });
  }

  toLiteral(value: ValueOf<E>[]): Literal {
    const literals = this.each(value, (item) => this.element.toLiteral(item));
    return create(LiteralSchema, { value: { case: "collection", value: { literals } } });
  }

  fromLiteral(literal: Literal): ValueOf<E>[] {
    const packed = unpack(literal, this.name);
    if (packed) return this.fromFieldJson(packed.value);
    if (literal.value.case !== "collection") throw literalMismatch(this.name, literal);
    return this.each(literal.value.value.literals, (item: Literal) => this.element.fromLiteral(item));
  }

  fromText(text: string): ValueOf<E>[] {
    return this.fromJson(parseJsonText(text, this.name));
  }

  fromJson(json: Json): ValueOf<E>[] {
    return this.each(json, (item: Json) => this.element.fromJson(item));
  }

  toJson(value: ValueOf<E>[]): Json {
    return this.each(value, (item) => this.element.toJson(item));
  }

  toFieldJson(value: ValueOf<E>[]): Json {
    return this.each(value, (item) => this.element.toFieldJson(item));
  }

  fromFieldJson(value: unknown): ValueOf<E>[] {
    return this.each(value, (item) => this.element.fromFieldJson(item));
  }

  fieldSchema(): JsonObject {
    return { type: "array", items: this.element.fieldSchema() };
  }

  /** Converts every item of an array, naming the index of an item that does not fit. */
  private each<I, R>(items: unknown, convert: (item: I) => R): R[] {
    if (!Array.isArray(items)) throw valueMismatch(this.name, items);
    // Array.from visits the holes of a sparse array (as undefined), which map would skip.
    return Array.from(items, (item, i) => within(`[${i}]`, () => convert(item as I)));
  }
}
