import type { Literal, LiteralType } from "../../idl/index.js";
import { SimpleType } from "../../idl/index.js";
import { describeText } from "./describe.js";
import { literalMismatch, textMismatch, valueMismatch } from "./errors.js";
import { primitiveLiteral, primitiveOf, simpleType, unpack } from "./literal.js";
import { type Json, type JsonObject, Type, TypeMismatchError } from "./type.js";

// Flyte integers are int64; a JS number holds them exactly only up to 2^53 - 1, so larger ones
// are refused in both directions rather than silently rounded.
const OUTSIDE = `outside JavaScript's safe integer range (±${Number.MAX_SAFE_INTEGER})`;

/** int: a whole JS number, Primitive.integer (int64). */
export class IntType extends Type<number> {
  readonly name = "int";
  readonly tag = "int";

  literalType(): LiteralType {
    return simpleType(SimpleType.INTEGER);
  }

  toLiteral(value: number): Literal {
    return primitiveLiteral({ case: "integer", value: BigInt(this.check(value)) });
  }

  fromLiteral(literal: Literal): number {
    const packed = unpack(literal, this.name);
    if (packed) return this.fromFieldJson(packed.value);
    const primitive = primitiveOf(literal);
    if (primitive?.case === "integer") return this.fromBigInt(primitive.value);
    // flytekit also reads a float literal (the console sends whole numbers as floats); only whole ones fit here.
    if (primitive?.case === "floatValue" && Number.isInteger(primitive.value)) return this.check(primitive.value);
    throw literalMismatch(this.name, literal);
  }

  fromText(text: string): number {
    const trimmed = text.trim();
    if (!/^[+-]?\d+$/.test(trimmed)) throw textMismatch(this.name, text);
    return this.fromBigInt(BigInt(trimmed), describeText(text));
  }

  fromJson(json: Json): number {
    return this.check(json);
  }

  fromFieldJson(value: unknown): number {
    return typeof value === "bigint" ? this.fromBigInt(value) : this.check(value);
  }

  toJson(value: number): Json {
    return this.check(value);
  }

  fieldSchema(): JsonObject {
    return { type: "integer" };
  }

  private check(value: unknown): number {
    if (typeof value !== "number" || !Number.isInteger(value)) throw valueMismatch(this.name, value);
    if (!Number.isSafeInteger(value)) throw new TypeMismatchError(this.name, `number ${value}, which is ${OUTSIDE}`);
    return value;
  }

  private fromBigInt(value: bigint, given = `integer ${value}`): number {
    if (value < BigInt(Number.MIN_SAFE_INTEGER) || value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new TypeMismatchError(this.name, `${given}, which is ${OUTSIDE}`);
    }
    return Number(value);
  }
}
