import type { Literal, LiteralType } from "../../idl/index.js";
import { SimpleType } from "../../idl/index.js";
import { literalMismatch, textMismatch, valueMismatch } from "./errors.js";
import { primitiveLiteral, primitiveOf, simpleType, unpack } from "./literal.js";
import { type Json, type JsonObject, Type } from "./type.js";

// The words click (and so pyflyte run) accepts for a boolean.
const WORDS: Record<string, boolean> = {
  true: true,
  t: true,
  yes: true,
  y: true,
  on: true,
  "1": true,
  false: false,
  f: false,
  no: false,
  n: false,
  off: false,
  "0": false,
};

/** boolean: Primitive.boolean (flytekit's bool). */
export class BooleanType extends Type<boolean> {
  readonly name = "boolean";
  readonly tag = "bool";

  literalType(): LiteralType {
    return simpleType(SimpleType.BOOLEAN);
  }

  toLiteral(value: boolean): Literal {
    return primitiveLiteral({ case: "boolean", value: this.check(value) });
  }

  fromLiteral(literal: Literal): boolean {
    const packed = unpack(literal, this.name);
    if (packed) return this.check(packed.value);
    const primitive = primitiveOf(literal);
    if (primitive?.case === "boolean") return primitive.value;
    throw literalMismatch(this.name, literal);
  }

  fromText(text: string): boolean {
    const word = text.trim().toLowerCase();
    if (!Object.hasOwn(WORDS, word)) throw textMismatch(this.name, text);
    return WORDS[word];
  }

  fromJson(json: Json): boolean {
    return this.check(json);
  }

  toJson(value: boolean): Json {
    return this.check(value);
  }

  fieldSchema(): JsonObject {
    return { type: "boolean" };
  }

  private check(value: unknown): boolean {
    if (typeof value !== "boolean") throw valueMismatch(this.name, value);
    return value;
  }
}
