import type { Literal, LiteralType } from "../../idl/index.js";
import { SimpleType } from "../../idl/index.js";
import { literalMismatch, textMismatch, valueMismatch } from "./errors.js";
import { primitiveLiteral, primitiveOf, simpleType, unpack } from "./literal.js";
import { type Json, type JsonObject, Type } from "./type.js";

// Like Python's float (and protobuf's double), NaN and ±Infinity are values; JSON has no number for
// them, so JSON uses the strings proto3 JSON uses.
const NON_FINITE: Record<string, number> = { NaN: Number.NaN, Infinity: Infinity, "-Infinity": -Infinity };
const TEXT_NON_FINITE: Record<string, number> = { nan: Number.NaN, inf: Infinity, "+inf": Infinity, "-inf": -Infinity };
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** float: any JS number, Primitive.float_value (double). */
export class FloatType extends Type<number> {
  readonly name = "float";
  readonly tag = "float";

  literalType(): LiteralType {
    return simpleType(SimpleType.FLOAT);
  }

  toLiteral(value: number): Literal {
    return primitiveLiteral({ case: "floatValue", value: this.check(value) });
  }

  fromLiteral(literal: Literal): number {
    const packed = unpack(literal, this.name);
    if (packed) return this.fromFieldJson(packed.value);
    const primitive = primitiveOf(literal);
    if (primitive?.case === "floatValue") return primitive.value;
    // flytekit reads an integer literal as a float too.
    if (primitive?.case === "integer") return Number(primitive.value);
    throw literalMismatch(this.name, literal);
  }

  fromText(text: string): number {
    const trimmed = text.trim();
    const word = trimmed.toLowerCase().replace(/inity$/, "");
    if (Object.hasOwn(TEXT_NON_FINITE, word)) return TEXT_NON_FINITE[word];
    if (!DECIMAL.test(trimmed)) throw textMismatch(this.name, text);
    return Number(trimmed);
  }

  fromJson(json: Json): number {
    if (typeof json === "string" && Object.hasOwn(NON_FINITE, json)) return NON_FINITE[json];
    return this.check(json);
  }

  toJson(value: number): Json {
    return Number.isFinite(this.check(value)) ? value : String(value);
  }

  toFieldJson(value: number): Json {
    return this.check(value);
  }

  fromFieldJson(value: unknown): number {
    return typeof value === "bigint" ? Number(value) : this.check(value);
  }

  fieldSchema(): JsonObject {
    return { type: "number" };
  }

  private check(value: unknown): number {
    if (typeof value !== "number") throw valueMismatch(this.name, value);
    return value;
  }
}
