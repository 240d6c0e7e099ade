import { create } from "@bufbuild/protobuf";
import type { Literal, LiteralType } from "../../idl/index.js";
import { LiteralTypeSchema } from "../../idl/index.js";
import { literalMismatch, textMismatch, valueMismatch } from "./errors.js";
import { primitiveLiteral, primitiveOf, unpack } from "./literal.js";
import { type Json, type JsonObject, Type } from "./type.js";

/** enum: one of a fixed set of strings; EnumType, Primitive.string_value (a flytekit str-valued Enum). */
export class EnumType<V extends string = string> extends Type<V> {
  readonly name: string;
  readonly tag = "DefaultEnumTransformer";

  constructor(readonly values: readonly V[]) {
    super();
    if (values.length === 0) throw new Error("t.enum needs at least one value");
    const repeated = values.find((v, i) => values.indexOf(v) !== i);
    if (repeated !== undefined) throw new Error(`t.enum lists ${JSON.stringify(repeated)} twice`);
    this.name = `enum<${values.join("|")}>`;
  }

  literalType(): LiteralType {
    return create(LiteralTypeSchema, { type: { case: "enumType", value: { values: [...this.values] } } });
  }

  toLiteral(value: V): Literal {
    return primitiveLiteral({ case: "stringValue", value: this.check(value) });
  }

  fromLiteral(literal: Literal): V {
    const packed = unpack(literal, this.name);
    if (packed) return this.check(packed.value);
    const primitive = primitiveOf(literal);
    if (primitive?.case === "stringValue" && this.has(primitive.value)) return primitive.value;
    throw literalMismatch(this.name, literal);
  }

  fromText(text: string): V {
    if (!this.has(text)) throw textMismatch(this.name, text);
    return text;
  }

  fromJson(json: Json): V {
    return this.check(json);
  }

  toJson(value: V): Json {
    return this.check(value);
  }

  fieldSchema(): JsonObject {
    return { enum: [...this.values] };
  }

  private has(value: unknown): value is V {
    return (this.values as readonly unknown[]).includes(value);
  }

  private check(value: unknown): V {
    if (!this.has(value)) throw valueMismatch(this.name, value);
    return value;
  }
}
