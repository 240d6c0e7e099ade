import { create } from "@bufbuild/protobuf";
import { type LiteralMap, LiteralMapSchema } from "../../idl/index.js";
import type { TypeMap } from "../entity.js";
import { TypeMismatchError } from "../types/index.js";

/** An input or output that did not fit its declared type, named for the person reading. */
export class ValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ValueError";
  }
}

export function toLiteralMap(types: TypeMap, values: Record<string, unknown>, what: string): LiteralMap {
  const literals: LiteralMap["literals"] = {};
  for (const [name, type] of Object.entries(types)) {
    try {
      literals[name] = type.toLiteral(values[name]);
    } catch (error) {
      if (error instanceof TypeMismatchError)
        throw new ValueError(`${what} "${name}" (${type.name}): ${(error as Error).message}`);
      throw error;
    }
  }
  return create(LiteralMapSchema, { literals });
}

export function fromLiteralMap(types: TypeMap, map: LiteralMap, what: string): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, type] of Object.entries(types)) {
    const literal = map.literals[name];
    if (!literal) throw new ValueError(`${what} "${name}" (${type.name}) is missing`);
    try {
      values[name] = type.fromLiteral(literal);
    } catch (error) {
      if (error instanceof TypeMismatchError)
        throw new ValueError(`${what} "${name}" (${type.name}): ${(error as Error).message}`);
      throw error;
    }
  }
  return values;
}

/**
 * Fills defaults and checks every value against its type, as a cluster run would by
 * converting to literals: unknown or missing inputs are named with their expected type.
 */
export function completeInputs(types: TypeMap, given: Record<string, unknown>, what: string): Record<string, unknown> {
  const unknown = Object.keys(given).filter((k) => !(k in types));
  if (unknown.length > 0) {
    throw new ValueError(
      `${what} has no input ${unknown.map((k) => `"${k}"`).join(", ")}; its inputs are: ${describeTypes(types) || "(none)"}`,
    );
  }
  const values: Record<string, unknown> = {};
  for (const [name, type] of Object.entries(types)) {
    if (given[name] !== undefined) values[name] = given[name];
    else if (type.hasDefault) values[name] = type.defaultValue;
    else throw new ValueError(`${what} needs input "${name}" (${type.name}), which was not given`);
  }
  return values;
}

export function describeTypes(types: TypeMap): string {
  return Object.entries(types)
    .map(([name, type]) => `${name}: ${type.name}`)
    .join(", ");
}
