import { create } from "@bufbuild/protobuf";
import { type Duration, DurationSchema } from "@bufbuild/protobuf/wkt";
import type { Literal, LiteralType } from "../../idl/index.js";
import { SimpleType } from "../../idl/index.js";
import { toMillis } from "../duration.js";
import { literalMismatch, textMismatch, valueMismatch } from "./errors.js";
import { primitiveLiteral, primitiveOf, simpleType, unpack } from "./literal.js";
import { type Json, type JsonObject, Type } from "./type.js";

// google.protobuf.Duration's range: about ±10,000 years.
const MAX_SECONDS = 315_576_000_000;
const TEXT_FORMS = 'milliseconds, or text like "90s", "1h30m", "250ms", "PT1H"';

/** duration: milliseconds as a JS number, Primitive.duration (flytekit's timedelta). */
export class DurationType extends Type<number> {
  readonly name = "duration";
  readonly tag = "timedelta";

  literalType(): LiteralType {
    return simpleType(SimpleType.DURATION);
  }

  toLiteral(value: number): Literal {
    return primitiveLiteral({ case: "duration", value: durationFromMs(this.check(value)) });
  }

  fromLiteral(literal: Literal): number {
    const packed = unpack(literal, this.name);
    if (packed) return this.fromFieldJson(packed.value);
    const primitive = primitiveOf(literal);
    if (primitive?.case === "duration") {
      const { seconds, nanos } = primitive.value;
      if (seconds >= -MAX_SECONDS && seconds <= MAX_SECONDS) return Number(seconds) * 1000 + nanos / 1e6;
    }
    throw literalMismatch(this.name, literal);
  }

  fromText(text: string): number {
    try {
      return toMillis(text, this.name);
    } catch {
      throw textMismatch(`${this.name} (${TEXT_FORMS})`, text);
    }
  }

  fromJson(json: Json): number {
    return typeof json === "string" ? this.fromText(json) : this.check(json);
  }

  toJson(value: number): Json {
    return this.check(value);
  }

  /** mashumaro writes a timedelta as its total seconds. */
  toFieldJson(value: number): Json {
    return this.check(value) / 1000;
  }

  fromFieldJson(value: unknown): number {
    const seconds = typeof value === "bigint" ? Number(value) : value;
    if (typeof seconds !== "number") throw valueMismatch(`${this.name} (seconds)`, value);
    // Rounded to whole nanoseconds: 0.007 s * 1000 is 7.000000000000001 in floating point.
    return this.check(Math.round(seconds * 1e9) / 1e6);
  }

  fieldSchema(): JsonObject {
    return { type: "number", format: "time-delta" };
  }

  private check(value: unknown): number {
    if (typeof value !== "number" || !(Math.abs(value) <= MAX_SECONDS * 1000)) throw valueMismatch(this.name, value);
    return value;
  }
}

function durationFromMs(ms: number): Duration {
  // Seconds and nanos carry the same sign, as the Duration spec requires.
  let seconds = Math.trunc(ms / 1000);
  let nanos = Math.round((ms - seconds * 1000) * 1e6);
  if (Math.abs(nanos) >= 1e9) {
    seconds += Math.sign(nanos);
    nanos -= Math.sign(nanos) * 1e9;
  }
  return create(DurationSchema, { seconds: BigInt(seconds), nanos: nanos || 0 });
}
