// The launch form's model: one field per launch plan input, and the conversion of what the user typed into
// Flyte literals, with a message per field when it does not fit the type. Plain TypeScript, no DOM: the
// component only renders fields and shows these messages.
import { create } from "@bufbuild/protobuf";
import { type Duration, DurationSchema, timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Parameter } from "../../../src/idl/gen/flyteidl/core/interface_pb.js";
import {
  type Literal,
  type LiteralMap,
  LiteralMapSchema,
  LiteralSchema,
  type Scalar,
} from "../../../src/idl/gen/flyteidl/core/literals_pb.js";
import {
  BlobType_BlobDimensionality,
  type LiteralType,
  LiteralTypeSchema,
  SimpleType,
} from "../../../src/idl/gen/flyteidl/core/types_pb.js";
import { literalToPlain, plainText } from "./literals.js";

/** How a field is edited: a text box per simple kind, a select for enums, a checkbox for bools, else JSON. */
export type FieldKind = "integer" | "float" | "string" | "boolean" | "datetime" | "duration" | "enum" | "uri" | "json";

export interface InputField {
  name: string;
  description: string;
  type: LiteralType;
  kind: FieldKind;
  /** An optional<T> shown as T: empty text means None. */
  optional: boolean;
  /** No default and not optional: the user must give a value. */
  required: boolean;
  /** A fixed input of the launch plan: shown, not editable, not sent (admin adds it). */
  fixed: boolean;
  /** The editor's starting text: the default, the fixed value, or empty. */
  initial: string;
  /** For enums: the allowed values. */
  choices: string[];
}

export type Parsed = { ok: true; literal: Literal } | { ok: false; error: string };

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function isNone(type: LiteralType): boolean {
  return type.type.case === "simple" && type.type.value === SimpleType.NONE;
}

/** T for optional<T> (a union of T and none), else undefined. */
function optionalOf(type: LiteralType): LiteralType | undefined {
  if (type.type.case !== "unionType") return undefined;
  const variants = type.type.value.variants;
  const some = variants.filter((v) => !isNone(v));
  return variants.length === 2 && some.length === 1 ? some[0] : undefined;
}

function kindOf(type: LiteralType): FieldKind {
  const t = type.type;
  if (t.case === "simple") {
    switch (t.value) {
      case SimpleType.INTEGER:
        return "integer";
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
      default:
        return "json";
    }
  }
  if (t.case === "enumType") return "enum";
  if (t.case === "blob" || t.case === "structuredDatasetType") return "uri";
  return "json";
}

function textOf(kind: FieldKind, literal: Literal): string {
  const value = literalToPlain(literal);
  if (kind === "json") return JSON.stringify(value, null, 2);
  return value === null ? "" : plainText(value);
}

/** The form's fields from a launch plan: `defaults` is its default_inputs, `fixed` its fixed_inputs. */
export function fieldsFor(
  defaults: Record<string, Parameter>,
  fixed: Record<string, Literal>,
  descriptions: Record<string, string> = {},
): InputField[] {
  const fields: InputField[] = [];
  for (const [name, parameter] of Object.entries(defaults)) {
    const declared = parameter.var?.type;
    if (!declared) continue;
    const inner = optionalOf(declared);
    const kind = kindOf(inner ?? declared);
    // Optional<list/struct> stays one JSON editor of the union, where null means None.
    const optional = inner !== undefined && kind !== "json";
    const fieldType = optional && inner ? inner : declared;
    const fallback = parameter.behavior.case === "default" ? parameter.behavior.value : undefined;
    fields.push({
      name,
      description: parameter.var?.description || descriptions[name] || "",
      type: declared,
      kind: optional ? kind : kindOf(fieldType),
      optional,
      required: fallback === undefined && inner === undefined,
      fixed: false,
      initial: fallback ? textOf(optional ? kind : kindOf(fieldType), fallback) : kind === "boolean" ? "false" : "",
      choices: fieldType.type.case === "enumType" ? fieldType.type.value.values : [],
    });
  }
  for (const [name, literal] of Object.entries(fixed)) {
    fields.push({
      name,
      description: descriptions[name] ?? "",
      // Never parsed: admin adds fixed inputs itself.
      type: create(LiteralTypeSchema),
      kind: "json",
      optional: false,
      required: false,
      fixed: true,
      initial: JSON.stringify(literalToPlain(literal), null, 2),
      choices: [],
    });
  }
  return fields;
}

/** The type a field's editor produces: T for an optional<T> field, else the declared type. */
export function editedType(field: InputField): LiteralType {
  return (field.optional && optionalOf(field.type)) || field.type;
}

/**
 * The editors' starting text: each field's initial text, or the value `inputs` gives it (cloning an execution
 * prefills the form with that execution's inputs). Fixed inputs keep the launch plan's value.
 */
export function initialValues(fields: InputField[], inputs: Record<string, Literal> = {}): Record<string, string> {
  return Object.fromEntries(
    fields.map((field) => {
      const given = inputs[field.name];
      return [field.name, given && !field.fixed ? textOf(field.kind, given) : field.initial];
    }),
  );
}

function scalar(value: Scalar["value"]): Literal {
  return create(LiteralSchema, { value: { case: "scalar", value: { value } } });
}

function primitive(
  value:
    | { case: "integer"; value: bigint }
    | { case: "floatValue"; value: number }
    | { case: "stringValue"; value: string }
    | { case: "boolean"; value: boolean }
    | { case: "datetime"; value: ReturnType<typeof timestampFromDate> }
    | { case: "duration"; value: Duration },
): Literal {
  return scalar({ case: "primitive", value: { $typeName: "flyteidl.core.Primitive", value } });
}

const DURATION_UNITS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001 };

/** Milliseconds for "1h30m", "90s", "250ms", "1.5h" (Go's duration syntax) or a plain number of seconds. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^[+-]?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const match = /^([+-]?)((?:\d+(?:\.\d+)?(?:h|ms|m|s|us|µs))+)$/.exec(trimmed);
  if (!match) return undefined;
  let ms = 0;
  for (const part of match[2].matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs)/g))
    ms += Number(part[1]) * DURATION_UNITS[part[2]];
  return match[1] === "-" ? -ms : ms;
}

function durationLiteral(ms: number): Literal {
  const whole = Math.trunc(ms / 1000);
  const nanos = Math.round((ms - whole * 1000) * 1e6);
  return primitive({ case: "duration", value: create(DurationSchema, { seconds: BigInt(whole), nanos }) });
}

// A date, "T" or a space, a time, optional fraction, and a zone: an ISO instant without ambiguity.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** Parses `text` as a value of a simple kind (the text boxes); `type` decides enums and URIs. */
function fromText(kind: FieldKind, type: LiteralType, text: string): Parsed {
  const t = text.trim();
  switch (kind) {
    case "integer": {
      if (!/^[+-]?\d+$/.test(t)) return { ok: false, error: `"${text}" is not a whole number` };
      const n = BigInt(t);
      if (n < INT64_MIN || n > INT64_MAX) return { ok: false, error: "out of range for a 64-bit integer" };
      return { ok: true, literal: primitive({ case: "integer", value: n }) };
    }
    case "float": {
      const special: Record<string, number> = { nan: Number.NaN, inf: Infinity, "+inf": Infinity, "-inf": -Infinity };
      const n = t.toLowerCase() in special ? special[t.toLowerCase()] : t === "" ? Number.NaN : Number(t);
      if (Number.isNaN(n) && t.toLowerCase() !== "nan") return { ok: false, error: `"${text}" is not a number` };
      return { ok: true, literal: primitive({ case: "floatValue", value: n }) };
    }
    case "string":
      // Strings are taken as typed, spaces included.
      return { ok: true, literal: primitive({ case: "stringValue", value: text }) };
    case "boolean":
      if (t !== "true" && t !== "false") return { ok: false, error: `"${text}" is not true or false` };
      return { ok: true, literal: primitive({ case: "boolean", value: t === "true" }) };
    case "datetime": {
      const ms = ISO_INSTANT.test(t) ? Date.parse(t) : Number.NaN;
      if (Number.isNaN(ms)) return { ok: false, error: `"${text}" is not a date-time like 2026-01-31T12:00:00Z` };
      return { ok: true, literal: primitive({ case: "datetime", value: timestampFromDate(new Date(ms)) }) };
    }
    case "duration": {
      const ms = parseDuration(t);
      if (ms === undefined) return { ok: false, error: `"${text}" is not a duration like 1h30m, 90s or 250ms` };
      return { ok: true, literal: durationLiteral(ms) };
    }
    case "enum": {
      const values = type.type.case === "enumType" ? type.type.value.values : [];
      if (!values.includes(text)) return { ok: false, error: `"${text}" is not one of ${values.join(", ")}` };
      return { ok: true, literal: primitive({ case: "stringValue", value: text }) };
    }
    case "uri": {
      if (!/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(t))
        return { ok: false, error: `"${text}" is not a URI like s3://bucket/key` };
      if (type.type.case === "structuredDatasetType") {
        return {
          ok: true,
          literal: scalar({
            case: "structuredDataset",
            value: {
              $typeName: "flyteidl.core.StructuredDataset",
              uri: t,
              metadata: {
                $typeName: "flyteidl.core.StructuredDatasetMetadata",
                structuredDatasetType: type.type.value,
              },
            },
          }),
        };
      }
      const blobType =
        type.type.case === "blob"
          ? type.type.value
          : {
              $typeName: "flyteidl.core.BlobType" as const,
              format: "",
              dimensionality: BlobType_BlobDimensionality.SINGLE,
            };
      return {
        ok: true,
        literal: scalar({
          case: "blob",
          value: {
            $typeName: "flyteidl.core.Blob",
            uri: t,
            metadata: { $typeName: "flyteidl.core.BlobMetadata", type: blobType },
          },
        }),
      };
    }
    case "json":
      return fromJsonText(type, text);
  }
}

/** A JSON value (from a JSON editor) as a literal of `type`; `path` names where a mismatch is, e.g. `items[2].sku`. */
export function fromJson(type: LiteralType, value: unknown, path = "value"): Parsed {
  const t = type.type;
  const fail = (expected: string): Parsed => ({
    ok: false,
    error: `${path}: expected ${expected}, got ${JSON.stringify(value)}`,
  });
  switch (t.case) {
    case "simple":
      switch (t.value) {
        case SimpleType.NONE:
          return value === null
            ? { ok: true, literal: scalar({ case: "noneType", value: { $typeName: "flyteidl.core.Void" } }) }
            : fail("null");
        case SimpleType.INTEGER:
          if (typeof value === "number" && Number.isInteger(value)) {
            if (!Number.isSafeInteger(value)) return fail("an integer within ±2^53 (write larger ones as a string)");
            return fromText("integer", type, String(value));
          }
          return typeof value === "string" && /^[+-]?\d+$/.test(value)
            ? withPath(path, fromText("integer", type, value))
            : fail("an integer");
        case SimpleType.FLOAT:
          return typeof value === "number" ? fromText("float", type, String(value)) : fail("a number");
        case SimpleType.STRING:
          return typeof value === "string" ? fromText("string", type, value) : fail("a string");
        case SimpleType.BOOLEAN:
          return typeof value === "boolean" ? fromText("boolean", type, String(value)) : fail("true or false");
        case SimpleType.DATETIME:
          return typeof value === "string"
            ? withPath(path, fromText("datetime", type, value))
            : fail("an ISO date-time string");
        case SimpleType.DURATION:
          if (typeof value === "number") return { ok: true, literal: durationLiteral(value * 1000) };
          return typeof value === "string"
            ? withPath(path, fromText("duration", type, value))
            : fail("a duration string like 90s");
        case SimpleType.STRUCT:
          if (value === null || typeof value !== "object" || Array.isArray(value)) return fail("a JSON object");
          return {
            ok: true,
            literal: scalar({ case: "generic", value: value as Record<string, never> }),
          };
        default:
          return { ok: false, error: `${path}: this type cannot be entered in the console` };
      }
    case "enumType":
      return typeof value === "string"
        ? withPath(path, fromText("enum", type, value))
        : fail(`one of ${t.value.values.join(", ")}`);
    case "blob":
    case "structuredDatasetType":
      return typeof value === "string" ? withPath(path, fromText("uri", type, value)) : fail("a URI string");
    case "collectionType": {
      if (!Array.isArray(value)) return fail("a JSON array");
      const literals: Literal[] = [];
      for (const [i, item] of value.entries()) {
        const parsed = fromJson(t.value, item, `${path}[${i}]`);
        if (!parsed.ok) return parsed;
        literals.push(parsed.literal);
      }
      return { ok: true, literal: create(LiteralSchema, { value: { case: "collection", value: { literals } } }) };
    }
    case "mapValueType": {
      if (value === null || typeof value !== "object" || Array.isArray(value)) return fail("a JSON object");
      const literals: Record<string, Literal> = {};
      for (const [key, item] of Object.entries(value)) {
        const parsed = fromJson(t.value, item, `${path}.${key}`);
        if (!parsed.ok) return parsed;
        literals[key] = parsed.literal;
      }
      return { ok: true, literal: create(LiteralSchema, { value: { case: "map", value: { literals } } }) };
    }
    case "unionType": {
      // The first variant the value fits, as flytekit tries them in order.
      const errors: string[] = [];
      for (const variant of t.value.variants) {
        const parsed = fromJson(variant, value, path);
        if (parsed.ok) {
          return {
            ok: true,
            literal: scalar({
              case: "union",
              value: { $typeName: "flyteidl.core.Union", value: parsed.literal, type: variant },
            }),
          };
        }
        errors.push(parsed.error);
      }
      return { ok: false, error: `${path}: fits none of the union's types (${errors.join("; ")})` };
    }
    default:
      return { ok: false, error: `${path}: this type cannot be entered in the console` };
  }
}

function withPath(path: string, parsed: Parsed): Parsed {
  return parsed.ok || path === "value" ? parsed : { ok: false, error: `${path}: ${parsed.error}` };
}

function fromJsonText(type: LiteralType, text: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  return fromJson(type, value);
}

function noneOf(type: LiteralType): Literal {
  const none = type.type.case === "unionType" ? type.type.value.variants.find(isNone) : undefined;
  const literal = scalar({ case: "noneType", value: { $typeName: "flyteidl.core.Void" } });
  return none
    ? scalar({ case: "union", value: { $typeName: "flyteidl.core.Union", value: literal, type: none } })
    : literal;
}

/** One field's text as a literal, or why it cannot be. */
export function parseField(field: InputField, text: string): Parsed {
  if (field.kind !== "string" && text.trim() === "") {
    if (field.optional) return { ok: true, literal: noneOf(field.type) };
    return { ok: false, error: "required: enter a value" };
  }
  if (field.optional) {
    const inner = optionalOf(field.type)!;
    const parsed = fromText(field.kind, inner, text);
    if (!parsed.ok) return parsed;
    const variant =
      field.type.type.case === "unionType" ? field.type.type.value.variants.find((v) => !isNone(v)) : inner;
    return {
      ok: true,
      literal: scalar({
        case: "union",
        value: { $typeName: "flyteidl.core.Union", value: parsed.literal, type: variant },
      }),
    };
  }
  return fromText(field.kind, field.type, text);
}

/** The inputs to send (fixed inputs left to admin), or every field's error by name. */
export function buildInputs(
  fields: InputField[],
  values: Record<string, string>,
): { ok: true; inputs: LiteralMap } | { ok: false; errors: Record<string, string> } {
  const literals: Record<string, Literal> = {};
  const errors: Record<string, string> = {};
  for (const field of fields) {
    if (field.fixed) continue;
    const parsed = parseField(field, values[field.name] ?? field.initial);
    if (parsed.ok) literals[field.name] = parsed.literal;
    else errors[field.name] = parsed.error;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, inputs: create(LiteralMapSchema, { literals }) };
}
