import { DirectoryType, FileType } from "./blob.js";
import { BooleanType } from "./boolean.js";
import { DatetimeType } from "./datetime.js";
import { DurationType } from "./duration.js";
import { EnumType } from "./enum.js";
import { FloatType } from "./float.js";
import { IntType } from "./int.js";
import { ListType } from "./list.js";
import { MapType } from "./map.js";
import { NoneType } from "./none.js";
import { StringType } from "./string.js";
import { type Fields, StructType } from "./struct.js";
import type { AnyType, Type, ValueOf } from "./type.js";
import { union } from "./union.js";

export { Type, TypeMismatchError, type AnyType, type Json, type JsonObject, type ValueOf } from "./type.js";
export { IntType, FloatType, StringType, BooleanType, DatetimeType, DurationType, NoneType, EnumType };
export { FileType, DirectoryType, ListType, MapType, StructType, type Fields };
export { UnionType } from "./union.js";
export { typeForLiteralType } from "./from-literal-type.js";
export type { StructValue } from "./struct.js";

/** The tsflyte types, each encoded as flytekit encodes the matching Python type. */
export const t = {
  int: (): IntType => new IntType(),
  float: (): FloatType => new FloatType(),
  string: (): StringType => new StringType(),
  boolean: (): BooleanType => new BooleanType(),
  /** A JS Date. */
  datetime: (): DatetimeType => new DatetimeType(),
  /** Milliseconds. */
  duration: (): DurationType => new DurationType(),
  /** The value null. */
  none: (): NoneType => new NoneType(),
  /** A local path or blob URI of a file. */
  file: (): FileType => new FileType(),
  /** A local path or blob URI of a directory. */
  directory: (): DirectoryType => new DirectoryType(),
  list: <E extends AnyType>(element: E): ListType<E> => new ListType(element),
  /** String keys to values of one type. */
  map: <V extends AnyType>(value: V): MapType<V> => new MapType(value),
  struct: <F extends Fields>(fields: F): StructType<F> => new StructType(fields),
  enum: <const V extends readonly string[]>(values: V): EnumType<V[number]> => new EnumType(values),
  /** A value of any of the types; a value takes the first type that accepts it. */
  union: <V extends AnyType[]>(...variants: V) => union(variants) as Type<ValueOf<V[number]>>,
  /** The type or null. */
  optional: <X extends AnyType>(type: X) => union([type, new NoneType()]) as Type<ValueOf<X> | null>,
};
