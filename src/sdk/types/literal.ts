import { type MessageInitShape, create } from "@bufbuild/protobuf";
import {
  type Literal,
  LiteralSchema,
  type LiteralType,
  LiteralTypeSchema,
  type Primitive,
  type PrimitiveSchema,
  type Scalar,
  type ScalarSchema,
  type SimpleType,
} from "../../idl/index.js";
import { type Unpacked, decodeMsgpack } from "./msgpack.js";
import { TypeMismatchError } from "./type.js";

// Small builders and readers for the flyteidl messages every type produces and consumes.

export function simpleType(simple: SimpleType): LiteralType {
  return create(LiteralTypeSchema, { type: { case: "simple", value: simple } });
}

export function scalarLiteral(value: MessageInitShape<typeof ScalarSchema>["value"]): Literal {
  return create(LiteralSchema, { value: { case: "scalar", value: { value } } });
}

export function primitiveLiteral(value: MessageInitShape<typeof PrimitiveSchema>["value"]): Literal {
  return scalarLiteral({ case: "primitive", value: { value } });
}

export function scalarOf(literal: Literal): Scalar["value"] | undefined {
  return literal.value.case === "scalar" ? literal.value.value.value : undefined;
}

export function primitiveOf(literal: Literal): Primitive["value"] | undefined {
  const scalar = scalarOf(literal);
  return scalar?.case === "primitive" ? scalar.value.value : undefined;
}

/**
 * The decoded content of a msgpack Binary literal, which flytekit >= 1.14 sends for dataclasses
 * and for attributes read out of them; undefined when the literal is not Binary.
 */
export function unpack(literal: Literal, expected: string): { value: Unpacked } | undefined {
  const scalar = scalarOf(literal);
  if (scalar?.case !== "binary") return undefined;
  const { tag, value } = scalar.value;
  if (tag !== "msgpack") {
    throw new TypeMismatchError(expected, `binary with tag ${JSON.stringify(tag)} (only "msgpack" can be read)`);
  }
  try {
    return { value: decodeMsgpack(value) };
  } catch (error) {
    throw new TypeMismatchError(expected, `binary msgpack that cannot be decoded: ${(error as Error).message}`);
  }
}
