// Flyte literals as plain JSON-like values, for showing inputs and outputs readably and for prefilling the
// launch form with defaults. The inverse (text -> Literal) lives in inputs.ts.
import { durationMs, timestampDate } from "@bufbuild/protobuf/wkt";
import type { Literal, Primitive, Scalar } from "../../../src/idl/gen/flyteidl/core/literals_pb.js";
import {
  BlobType_BlobDimensionality,
  type LiteralType,
  SimpleType,
} from "../../../src/idl/gen/flyteidl/core/types_pb.js";

export type Plain = null | boolean | number | string | Plain[] | { [key: string]: Plain };

/** "1h2m3.5s" style (Go's time.Duration, as flytectl prints), or "0s". */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  const sign = ms < 0 ? "-" : "";
  let rest = Math.abs(ms);
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = rest / 1000;
  const parts = [hours ? `${hours}h` : "", minutes ? `${minutes}m` : "", seconds ? `${+seconds.toFixed(3)}s` : ""];
  return sign + parts.join("");
}

function primitiveValue(p: Primitive): Plain {
  switch (p.value.case) {
    case "integer": {
      const n = p.value.value;
      // Past 2^53 a JS number would round: keep the exact digits as a string.
      return Number.isSafeInteger(Number(n)) ? Number(n) : n.toString();
    }
    case "floatValue":
      return Number.isFinite(p.value.value) ? p.value.value : String(p.value.value);
    case "stringValue":
      return p.value.value;
    case "boolean":
      return p.value.value;
    case "datetime":
      return timestampDate(p.value.value).toISOString();
    case "duration":
      return formatDuration(durationMs(p.value.value));
    default:
      return null;
  }
}

function scalarValue(s: Scalar): Plain {
  switch (s.value.case) {
    case "primitive":
      return primitiveValue(s.value.value);
    case "noneType":
      return null;
    case "generic":
      return s.value.value as Plain;
    case "union":
      return s.value.value.value ? literalToPlain(s.value.value.value) : null;
    case "blob":
      return s.value.value.uri;
    case "structuredDataset":
      return s.value.value.uri;
    case "schema":
      return s.value.value.uri;
    case "binary":
      return `<${s.value.value.value.length} bytes, ${s.value.value.tag || "binary"}>`;
    case "error":
      return `error in ${s.value.value.failedNodeId}: ${s.value.value.message}`;
    default:
      return null;
  }
}

/** The literal as the value a user would type: lists as arrays, maps and structs as objects, files as URIs. */
export function literalToPlain(literal: Literal): Plain {
  switch (literal.value.case) {
    case "scalar":
      return scalarValue(literal.value.value);
    case "collection":
      return literal.value.value.literals.map(literalToPlain);
    case "map":
      return Object.fromEntries(Object.entries(literal.value.value.literals).map(([k, v]) => [k, literalToPlain(v)]));
    case "offloadedMetadata":
      return `<offloaded: ${literal.value.value.uri}>`;
    default:
      return null;
  }
}

/** A short, readable name for a type: int, list<str>, map<str, float>, optional<int>, enum{a|b}, file. */
export function typeLabel(type: LiteralType | undefined): string {
  const t = type?.type;
  switch (t?.case) {
    case "simple":
      return (
        {
          [SimpleType.NONE]: "none",
          [SimpleType.INTEGER]: "int",
          [SimpleType.FLOAT]: "float",
          [SimpleType.STRING]: "str",
          [SimpleType.BOOLEAN]: "bool",
          [SimpleType.DATETIME]: "datetime",
          [SimpleType.DURATION]: "duration",
          [SimpleType.BINARY]: "binary",
          [SimpleType.ERROR]: "error",
          [SimpleType.STRUCT]: "struct",
        } as Record<number, string>
      )[t.value];
    case "collectionType":
      return `list<${typeLabel(t.value)}>`;
    case "mapValueType":
      return `map<str, ${typeLabel(t.value)}>`;
    case "enumType":
      return `enum{${t.value.values.join("|")}}`;
    case "blob":
      return t.value.dimensionality === BlobType_BlobDimensionality.MULTIPART ? "directory" : "file";
    case "structuredDatasetType":
      return "dataset";
    case "schema":
      return "schema";
    case "unionType": {
      const variants = t.value.variants;
      const some = variants.filter((v) => !(v.type.case === "simple" && v.type.value === SimpleType.NONE));
      if (some.length === 1 && variants.length === 2) return `optional<${typeLabel(some[0])}>`;
      return `union<${variants.map(typeLabel).join(", ")}>`;
    }
    default:
      return "unknown";
  }
}

/** Pretty text for a value: strings as they are, everything else as indented JSON. */
export function plainText(value: Plain): string {
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}
