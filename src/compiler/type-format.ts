// Readable names of LiteralTypes for compiler messages:
//   int, float, string, boolean, datetime, duration, none, binary, error,
//   struct, struct Point, struct{x: int, y: float}, struct Point{x: int}   (STRUCT: JSON-schema title / dataclass fields),
//   list<int>, map<string, list<float>>, union<int, string>, optional<int>, optional<union<int, string>>,
//   enum<red|green>, file, file(csv), directory, directory(parquet),
//   structured_dataset, structured_dataset(parquet; a: int, b: string), schema, schema(a: int, b: string),
//   unknown (no type at all).

import {
  BlobType_BlobDimensionality,
  type LiteralType,
  SchemaType_SchemaColumn_SchemaColumnType as ColumnType,
  SimpleType,
} from "../idl/index.js";

export function formatType(type: LiteralType | undefined): string {
  if (type === undefined) return "unknown";
  const t = type.type;
  switch (t.case) {
    case "simple":
      return t.value === SimpleType.STRUCT ? formatStruct(type) : simpleName(t.value);
    case "collectionType":
      return `list<${formatType(t.value)}>`;
    case "mapValueType":
      return `map<string, ${formatType(t.value)}>`;
    case "unionType": {
      const variants = t.value.variants;
      const isNone = (v: LiteralType) => v.type.case === "simple" && v.type.value === SimpleType.NONE;
      const rest = variants.filter((v) => !isNone(v));
      if (rest.length > 0 && rest.length < variants.length) {
        const inner = rest.length === 1 ? formatType(rest[0]) : `union<${rest.map(formatType).join(", ")}>`;
        return `optional<${inner}>`;
      }
      return `union<${variants.map(formatType).join(", ")}>`;
    }
    case "enumType":
      return `enum<${t.value.values.join("|")}>`;
    case "blob": {
      const kind = t.value.dimensionality === BlobType_BlobDimensionality.MULTIPART ? "directory" : "file";
      return t.value.format === "" ? kind : `${kind}(${t.value.format})`;
    }
    case "structuredDatasetType": {
      const columns = t.value.columns.map((c) => `${c.name}: ${formatType(c.literalType)}`).join(", ");
      const parts = [t.value.format, columns].filter((p) => p !== "");
      return parts.length === 0 ? "structured_dataset" : `structured_dataset(${parts.join("; ")})`;
    }
    case "schema": {
      if (t.value.columns.length === 0) return "schema";
      return `schema(${t.value.columns.map((c) => `${c.name}: ${columnName(c.type)}`).join(", ")})`;
    }
    default:
      return "unknown";
  }
}

function simpleName(value: SimpleType): string {
  switch (value) {
    case SimpleType.NONE:
      return "none";
    case SimpleType.INTEGER:
      return "int";
    case SimpleType.FLOAT:
      return "float";
    case SimpleType.STRING:
      return "string";
    case SimpleType.BOOLEAN:
      return "boolean";
    case SimpleType.DATETIME:
      return "datetime";
    case SimpleType.DURATION:
      return "duration";
    case SimpleType.BINARY:
      return "binary";
    case SimpleType.ERROR:
      return "error";
    case SimpleType.STRUCT:
      return "struct";
    default:
      return `simple(${value})`;
  }
}

function columnName(value: ColumnType): string {
  switch (value) {
    case ColumnType.INTEGER:
      return "int";
    case ColumnType.FLOAT:
      return "float";
    case ColumnType.STRING:
      return "string";
    case ColumnType.BOOLEAN:
      return "boolean";
    case ColumnType.DATETIME:
      return "datetime";
    case ColumnType.DURATION:
      return "duration";
    default:
      return `column(${value})`;
  }
}

// tsflyte's own StructType titles every schema "Struct"; that says nothing, so it is left out.
const PLACEHOLDER_TITLE = "Struct";

/** `struct`, plus the class name from the JSON schema's title and the dataclass field types when known. */
function formatStruct(type: LiteralType): string {
  const title = type.metadata?.title;
  const name = typeof title === "string" && title !== "" && title !== PLACEHOLDER_TITLE ? ` ${title}` : "";
  const fields = Object.entries(type.structure?.dataclassType ?? {});
  const body = fields.length === 0 ? "" : `{${fields.map(([key, t]) => `${key}: ${formatType(t)}`).join(", ")}}`;
  return `struct${name}${body}`;
}
