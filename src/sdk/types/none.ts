import type { Literal, LiteralType } from "../../idl/index.js";
import { SimpleType } from "../../idl/index.js";
import { literalMismatch, textMismatch, valueMismatch } from "./errors.js";
import { scalarLiteral, scalarOf, simpleType, unpack } from "./literal.js";
import { type Json, type JsonObject, Type } from "./type.js";

/** none: the value null, Scalar.none_type (flytekit's None); mostly seen inside optional. */
export class NoneType extends Type<null> {
  readonly name = "none";
  readonly tag = "none";

  literalType(): LiteralType {
    return simpleType(SimpleType.NONE);
  }

  toLiteral(value: null): Literal {
    this.check(value);
    return scalarLiteral({ case: "noneType", value: {} });
  }

  fromLiteral(literal: Literal): null {
    const packed = unpack(literal, this.name);
    if (packed) return this.check(packed.value);
    if (scalarOf(literal)?.case === "noneType") return null;
    throw literalMismatch(this.name, literal);
  }

  fromText(text: string): null {
    if (!["null", "none"].includes(text.trim().toLowerCase())) throw textMismatch(this.name, text);
    return null;
  }

  fromJson(json: Json): null {
    return this.check(json);
  }

  toJson(value: null): Json {
    return this.check(value);
  }

  fieldSchema(): JsonObject {
    return { type: "null" };
  }

  /** undefined, JavaScript's other "no value", is read as null. */
  private check(value: unknown): null {
    if (value !== null && value !== undefined) throw valueMismatch(this.name, value);
    return null;
  }
}
