import { BlobType_BlobDimensionality, type Literal, type Scalar } from "../../idl/index.js";

// Short renderings of what was given, for the "got ..." half of a TypeMismatchError.

const MAX_CHARS = 60;

export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === "string") return `string ${clip(JSON.stringify(value))}`;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") {
    return `${typeof value} ${value}`;
  }
  if (value instanceof Date) return `Date ${Number.isNaN(value.getTime()) ? "(invalid)" : value.toISOString()}`;
  if (value instanceof Uint8Array) return `bytes (${value.length})`;
  if (Array.isArray(value)) return `array ${clip(jsonText(value))}`;
  if (typeof value === "object") {
    const kind = Object.getPrototypeOf(value)?.constructor?.name;
    return `${kind && kind !== "Object" ? kind : "object"} ${clip(jsonText(value))}`;
  }
  return typeof value;
}

export function describeText(text: string): string {
  return clip(JSON.stringify(text));
}

export function describeLiteral(literal: Literal): string {
  const { value } = literal;
  switch (value.case) {
    case "scalar":
      return describeScalar(value.value);
    case "collection":
      return `collection of ${value.value.literals.length}`;
    case "map":
      return `map of ${Object.keys(value.value.literals).length}`;
    case "offloadedMetadata":
      return `offloaded literal at ${value.value.uri}`;
    default:
      return "empty literal";
  }
}

function describeScalar(scalar: Scalar): string {
  const { value } = scalar;
  switch (value.case) {
    case "primitive": {
      const p = value.value.value;
      if (p.case === "stringValue") return `string ${clip(JSON.stringify(p.value))}`;
      if (p.case === "datetime") return `datetime ${p.value.seconds}s+${p.value.nanos}ns`;
      if (p.case === "duration") return `duration ${p.value.seconds}s+${p.value.nanos}ns`;
      if (p.case === undefined) return "empty primitive";
      return `${p.case === "floatValue" ? "float" : p.case} ${p.value}`;
    }
    case "blob": {
      const multipart = value.value.metadata?.type?.dimensionality === BlobType_BlobDimensionality.MULTIPART;
      return `${multipart ? "multipart" : "single"} blob ${clip(JSON.stringify(value.value.uri))}`;
    }
    case "binary":
      return `binary (tag ${JSON.stringify(value.value.tag)}, ${value.value.value.length} bytes)`;
    case "noneType":
      return "none";
    case "generic":
      return `struct ${clip(jsonText(value.value))}`;
    case "union":
      return value.value.value ? `union of ${describeLiteral(value.value.value)}` : "empty union";
    case undefined:
      return "empty scalar";
    default:
      return value.case;
  }
}

function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? String(v) : v)) ?? String(value);
  } catch {
    return "(unprintable)";
  }
}

function clip(text: string): string {
  return text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS - 1)}…` : text;
}
