import type { AnyType } from "./types/index.js";
import { ListType, MapType, StructType } from "./types/index.js";

/** The type of `value[key]` for a value of `type`: list element, map value or struct field. */
export function attributeType(type: AnyType, key: string | number, where: string): AnyType {
  if (type instanceof ListType && typeof key === "number") return type.element;
  if (type instanceof MapType && typeof key === "string") return type.value;
  if (type instanceof StructType && typeof key === "string" && key in type.fields) return type.fields[key];
  throw new Error(`${where}: a ${type.name} has no attribute ${typeof key === "number" ? `[${key}]` : `"${key}"`}`);
}
