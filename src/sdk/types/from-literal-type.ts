import { BlobType_BlobDimensionality, type LiteralType, SimpleType } from "../../idl/index.js";
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
import type { AnyType } from "./type.js";
import { union } from "./union.js";

const SIMPLE: Partial<Record<SimpleType, () => AnyType>> = {
  [SimpleType.INTEGER]: () => new IntType(),
  [SimpleType.FLOAT]: () => new FloatType(),
  [SimpleType.STRING]: () => new StringType(),
  [SimpleType.BOOLEAN]: () => new BooleanType(),
  [SimpleType.DATETIME]: () => new DatetimeType(),
  [SimpleType.DURATION]: () => new DurationType(),
  [SimpleType.NONE]: () => new NoneType(),
};

/**
 * The tsflyte type for a registered interface's LiteralType, so that values typed on a command
 * line or in an inputs file can be checked and encoded for any launch plan, whoever wrote it.
 * Returns undefined for types with no tsflyte equivalent (schemas, datasets, untyped structs).
 */
export function typeForLiteralType(type: LiteralType): AnyType | undefined {
  switch (type.type.case) {
    case "simple":
      return SIMPLE[type.type.value]?.();
    case "collectionType": {
      const element = typeForLiteralType(type.type.value);
      return element && new ListType(element);
    }
    case "mapValueType": {
      const inner = typeForLiteralType(type.type.value);
      return inner && new MapType(inner);
    }
    case "enumType":
      return new EnumType(type.type.value.values);
    case "blob":
      return type.type.value.dimensionality === BlobType_BlobDimensionality.MULTIPART
        ? new DirectoryType()
        : new FileType();
    case "unionType": {
      const variants = type.type.value.variants.map(typeForLiteralType);
      return variants.every((v): v is AnyType => v !== undefined) ? union(variants) : undefined;
    }
    default:
      return undefined;
  }
}
