import type { Literal, LiteralType } from "../../idl/index.js";
import { SimpleType } from "../../idl/index.js";
import { literalMismatch, valueMismatch } from "./errors.js";
import { primitiveLiteral, primitiveOf, simpleType, unpack } from "./literal.js";
import { type Json, type JsonObject, Type } from "./type.js";

/** string: Primitive.string_value (flytekit's str). */
export class StringType extends Type<string> {
  readonly name = "string";
  readonly tag = "str";

  literalType(): LiteralType {
    return simpleType(SimpleType.STRING);
  }

  toLiteral(value: string): Literal {
    return primitiveLiteral({ case: "stringValue", value: this.check(value) });
  }

  fromLiteral(literal: Literal): string {
    const packed = unpack(literal, this.name);
    if (packed) return this.check(packed.value);
    const primitive = primitiveOf(literal);
    if (primitive?.case === "stringValue") return primitive.value;
    throw literalMismatch(this.name, literal);
  }

  fromText(text: string): string {
    return text;
  }

  fromJson(json: Json): string {
    return this.check(json);
  }

  toJson(value: string): Json {
    return this.check(value);
  }

  fieldSchema(): JsonObject {
    return { type: "string" };
  }

  private check(value: unknown): string {
    if (typeof value !== "string") throw valueMismatch(this.name, value);
    return value;
  }
}
