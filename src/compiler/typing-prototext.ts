// Go's single-line protobuf text form (`msg.String()` / prototext) of any message, and Flyte's
// `LiteralTypeToStr`. The type checker needs it where Flyte orders or de-duplicates types by their
// text (LiteralTypeForLiteral's union variants); error messages that quote a type use it too.
//
// Shape, as protobuf-go prints it: fields in declaration order, `name:value` pairs separated by one
// space, implicit-presence scalars only when non-zero, oneof members and messages whenever set,
// nested messages as `name:{...}`, repeated fields as one pair per element, map entries as
// `name:{key:K value:V}` sorted by key, enums by value name, strings double-quoted with C escapes.
// (protobuf-go sometimes adds a second space between pairs at random; this never does.)

import type { DescField, DescMessage, MessageShape } from "@bufbuild/protobuf";
import { ScalarType } from "@bufbuild/protobuf";
import { type ReflectMessage, reflect } from "@bufbuild/protobuf/reflect";
import { type LiteralType, LiteralTypeSchema, SimpleType } from "../idl/index.js";

/** Go's `x.String()` of a message; `<nil>` for undefined, as prototext formats a nil message. */
export function protoText<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc> | undefined): string {
  if (message === undefined) return "<nil>";
  return messageText(reflect(schema, message));
}

/** Go's `literalType.String()`. */
export function literalTypeText(type: LiteralType | undefined): string {
  return protoText(LiteralTypeSchema, type);
}

/**
 * flytestdlib's `utils.LiteralTypeToStr`, used in Flyte's MismatchingTypes messages: `None` for a
 * missing type, a custom rendering for STRUCT listing its dataclass fields (Go visits the map in
 * random order; here the keys are sorted), and the prototext of the type otherwise.
 */
export function literalTypeToStr(type: LiteralType | undefined): string {
  if (type === undefined) return "None";
  if (type.type.case === "simple" && type.type.value === SimpleType.STRUCT) {
    const fields = type.structure?.dataclassType ?? {};
    const parts = Object.keys(fields)
      .sort(compareBytes)
      .map((key) => `dataclass_type:{key:${key} value:{${literalTypeToStr(fields[key])}}`);
    return `Simple: STRUCT structure{${parts.join(", ")}}`;
  }
  return literalTypeText(type);
}

/** Go's string `<`: byte order of the UTF-8 encodings (equal to code point order). */
export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  }
  return x.length < y.length ? -1 : x.length > y.length ? 1 : 0;
}

function messageText(message: ReflectMessage): string {
  const parts: string[] = [];
  for (const field of message.fields) {
    if (!message.isSet(field)) continue;
    parts.push(...fieldTexts(field, message));
  }
  return parts.join(" ");
}

function fieldTexts(field: DescField, message: ReflectMessage): string[] {
  const name = field.name;
  switch (field.fieldKind) {
    case "scalar":
      return [`${name}:${scalarText(field.scalar, message.get(field))}`];
    case "enum":
      return [`${name}:${enumText(field, message.get(field) as number)}`];
    case "message":
      return [`${name}:{${messageText(message.get(field) as ReflectMessage)}}`];
    case "list": {
      const out: string[] = [];
      for (const item of message.get(field)) {
        out.push(`${name}:${listItemText(field, item)}`);
      }
      return out;
    }
    case "map": {
      const entries = [...message.get(field)].map(([key, value]) => [key, value] as [unknown, unknown]);
      entries.sort((a, b) => compareMapKeys(a[0], b[0]));
      return entries.map(([key, value]) => {
        const keyText = scalarText(field.mapKey, key);
        return `${name}:{key:${keyText} value:${mapValueText(field, value)}}`;
      });
    }
  }
}

function listItemText(field: DescField & { fieldKind: "list" }, item: unknown): string {
  switch (field.listKind) {
    case "scalar":
      return scalarText(field.scalar, item);
    case "enum":
      return enumText(field, item as number);
    case "message":
      return `{${messageText(item as ReflectMessage)}}`;
  }
}

function mapValueText(field: DescField & { fieldKind: "map" }, value: unknown): string {
  switch (field.mapKind) {
    case "scalar":
      return scalarText(field.scalar, value);
    case "enum":
      return enumText(field, value as number);
    case "message":
      return `{${messageText(value as ReflectMessage)}}`;
  }
}

function compareMapKeys(a: unknown, b: unknown): number {
  if (typeof a === "string" && typeof b === "string") return compareBytes(a, b);
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  const x = BigInt(a as number | bigint);
  const y = BigInt(b as number | bigint);
  return x < y ? -1 : x > y ? 1 : 0;
}

function enumText(field: DescField, value: number): string {
  const desc = field.enum;
  const named = desc?.values.find((v) => v.number === value);
  return named ? named.name : String(value);
}

function scalarText(type: ScalarType, value: unknown): string {
  switch (type) {
    case ScalarType.STRING:
      return quoteString(value as string);
    case ScalarType.BYTES:
      return quoteBytes(value as Uint8Array);
    case ScalarType.BOOL:
      return value ? "true" : "false";
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return goFloat(value as number);
    default:
      return String(value);
  }
}

/** strconv.AppendFloat(x, 'g', -1, 64) plus prototext's nan/inf spellings. */
export function goFloat(n: number): string {
  if (Number.isNaN(n)) return "nan";
  if (n === Number.POSITIVE_INFINITY) return "inf";
  if (n === Number.NEGATIVE_INFINITY) return "-inf";
  if (n === 0) return Object.is(n, -0) ? "-0" : "0";
  const [mantissa, expText] = n.toExponential().split("e");
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? "-" : "+";
    const digits = String(Math.abs(exp)).padStart(2, "0");
    return `${mantissa}e${sign}${digits}`;
  }
  // In this exponent range JavaScript's shortest form is plain decimal, like Go's %f branch.
  return String(n);
}

function escapeCode(code: number): string | undefined {
  switch (code) {
    case 0x22:
      return '\\"';
    case 0x5c:
      return "\\\\";
    case 0x0a:
      return "\\n";
    case 0x0d:
      return "\\r";
    case 0x09:
      return "\\t";
  }
  if (code < 0x20 || code === 0x7f) return `\\x${code.toString(16).padStart(2, "0")}`;
  return undefined;
}

function quoteString(value: string): string {
  let out = '"';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    const escaped = escapeCode(code);
    if (escaped !== undefined) out += escaped;
    else if (code >= 0x80 && code <= 0x9f) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += char;
  }
  return `${out}"`;
}

function quoteBytes(value: Uint8Array): string {
  let text: string | undefined;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(value);
  } catch {
    text = undefined;
  }
  if (text !== undefined) return quoteString(text);
  // Not UTF-8: Go escapes every byte it cannot decode; printable ASCII stays as it is.
  let out = '"';
  for (const byte of value) {
    const escaped = escapeCode(byte);
    if (escaped !== undefined) out += escaped;
    else if (byte >= 0x80) out += `\\x${byte.toString(16)}`;
    else out += String.fromCharCode(byte);
  }
  return `${out}"`;
}
