import type { Literal } from "../../idl/index.js";
import { describeLiteral, describeText, describeValue } from "./describe.js";
import { TypeMismatchError } from "./type.js";

export function valueMismatch(expected: string, value: unknown): TypeMismatchError {
  return new TypeMismatchError(expected, describeValue(value));
}

export function literalMismatch(expected: string, literal: Literal): TypeMismatchError {
  return new TypeMismatchError(expected, describeLiteral(literal));
}

export function textMismatch(expected: string, text: string): TypeMismatchError {
  return new TypeMismatchError(expected, describeText(text));
}

/** Runs `convert` for a part of a nested value; a mismatch inside it is reported at `segment`. */
export function within<R>(segment: string, convert: () => R): R {
  try {
    return convert();
  } catch (error) {
    if (error instanceof TypeMismatchError) throw error.within(segment);
    throw error;
  }
}
