import type { Literal, LiteralType } from "../../idl/index.js";

/** A JSON value as printed by `tsflyte run --json` and accepted from JSON inputs. */
export type Json = null | boolean | number | string | Json[] | JsonObject;
export type JsonObject = { [key: string]: Json };

/** A value did not fit a type. `path` says where inside a nested value (e.g. `[2].name`). */
export class TypeMismatchError extends Error {
  constructor(
    readonly expected: string,
    readonly given: string,
    readonly path = "",
  ) {
    super(`expected ${expected}${path ? ` at ${path}` : ""}, got ${given}`);
    this.name = "TypeMismatchError";
  }

  /** The same error one level further out, e.g. inside a list element or struct field. */
  within(segment: string): TypeMismatchError {
    return new TypeMismatchError(this.expected, this.given, segment + this.path);
  }
}

/**
 * A tsflyte type: a flyteidl LiteralType plus the conversions between a TypeScript value of
 * type `T` and a flyteidl Literal, encoded as flytekit encodes the same type.
 * `D` records at the type level whether the type carries a default (the input becomes optional).
 */
export abstract class Type<T, D extends boolean = false> {
  /** Phantom member: makes `Type<number>` and `Type<string>` incompatible for inference. */
  declare readonly __value: T;
  declare readonly __hasDefault: D;
  defaultValue: T | undefined = undefined;
  hasDefault = false;
  description: string | undefined = undefined;

  /** A readable name used in every message: `int`, `list<int>`, `map<string, float>`. */
  abstract readonly name: string;
  /** flytekit's transformer name, used as the union variant tag (`structure.tag`). */
  abstract readonly tag: string;

  abstract literalType(): LiteralType;
  /** Throws TypeMismatchError when `value` does not fit. */
  abstract toLiteral(value: T): Literal;
  /** Throws TypeMismatchError when the literal does not fit. */
  abstract fromLiteral(literal: Literal): T;
  /** Parses a command-line value (`--x 3`, `--xs '[1,2]'`). Throws TypeMismatchError. */
  abstract fromText(text: string): T;
  /** Converts a JSON value (from a JSON input file or the console) to a value of this type. */
  abstract fromJson(json: Json): T;
  /** A JSON rendering of a value, for `--json` output and display. */
  abstract toJson(value: T): Json;

  /**
   * The JSON that flytekit's dataclass codec (mashumaro) writes for a struct field of this type;
   * msgpack literals carry the same form. It differs from `toJson` where Python's rendering does:
   * timedelta as seconds, datetime in Python's isoformat, files as `{"path": uri}`.
   */
  toFieldJson(value: T): Json {
    return this.toJson(value);
  }

  /** Reads `toFieldJson`'s form; msgpack may also hand over bigint for large integers. */
  fromFieldJson(value: unknown): T {
    return this.fromJson(value as Json);
  }

  /** The JSON schema mashumaro gives a dataclass field of this type (flytekit's struct metadata). */
  fieldSchema(): JsonObject {
    return {};
  }

  /** A copy of this type with a default value: the input becomes optional. */
  default(value: T): Type<T, true> {
    const copy = this.clone() as unknown as Type<T, true>;
    copy.toLiteral(value as never);
    copy.defaultValue = value;
    copy.hasDefault = true;
    return copy;
  }

  /** A copy of this type with a description (shown in the interface and `--help`). */
  describe(text: string): this {
    const copy = this.clone();
    copy.description = text;
    return copy;
  }

  protected clone(): this {
    return Object.assign(Object.create(Object.getPrototypeOf(this)), this);
  }
}

/** Any tsflyte type, whatever its value type. */
// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous collection of types
export type AnyType = Type<any, boolean>;

/** The TypeScript value type of a tsflyte type. */
export type ValueOf<X> = X extends Type<infer T, boolean> ? T : never;
