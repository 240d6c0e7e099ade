import type { Literal, LiteralType } from "../../idl/index.js";
import { SimpleType } from "../../idl/index.js";
import { timestampFromDate, timestampMs } from "@bufbuild/protobuf/wkt";
import { describeValue } from "./describe.js";
import { literalMismatch, textMismatch, valueMismatch } from "./errors.js";
import { parseIsoDatetime, pythonIsoformat } from "./iso-datetime.js";
import { primitiveLiteral, primitiveOf, simpleType, unpack } from "./literal.js";
import { type Json, type JsonObject, Type, TypeMismatchError } from "./type.js";

// The years both protobuf's Timestamp and Python's datetime can hold.
const MIN_MS = new Date(0).setUTCFullYear(1, 0, 1);
const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** datetime: a JS Date, Primitive.datetime (google.protobuf.Timestamp). */
export class DatetimeType extends Type<Date> {
  readonly name = "datetime";
  readonly tag = "datetime";

  literalType(): LiteralType {
    return simpleType(SimpleType.DATETIME);
  }

  toLiteral(value: Date): Literal {
    return primitiveLiteral({ case: "datetime", value: timestampFromDate(this.check(value)) });
  }

  fromLiteral(literal: Literal): Date {
    const packed = unpack(literal, this.name);
    if (packed) return this.fromFieldJson(packed.value);
    const primitive = primitiveOf(literal);
    if (primitive?.case === "datetime") {
      const ms = timestampMs(primitive.value);
      if (ms >= MIN_MS && ms <= MAX_MS) return new Date(ms);
    }
    throw literalMismatch(this.name, literal);
  }

  fromText(text: string): Date {
    const date = parseIsoDatetime(text);
    if (!date) throw textMismatch(`${this.name} (ISO-8601)`, text);
    return this.check(date);
  }

  fromJson(json: Json): Date {
    const date = typeof json === "string" ? parseIsoDatetime(json) : undefined;
    if (!date) throw valueMismatch(`${this.name} (ISO-8601 text)`, json);
    return this.check(date);
  }

  toJson(value: Date): Json {
    return this.check(value).toISOString();
  }

  toFieldJson(value: Date): Json {
    return pythonIsoformat(this.check(value));
  }

  fieldSchema(): JsonObject {
    return { type: "string", format: "date-time" };
  }

  private check(value: unknown): Date {
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw valueMismatch(this.name, value);
    if (value.getTime() < MIN_MS || value.getTime() > MAX_MS) {
      throw new TypeMismatchError(this.name, `${describeValue(value)}, outside the years 1 to 9999`);
    }
    return value;
  }
}
