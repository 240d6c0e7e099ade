// Idempotency keys and "what changed" for re-registration. flyteadmin hashes the compiled entity;
// only this server ever compares its digests, so any stable form works: SHA-256 of the binary
// encoding, which is cheap (a registration's largest cost was a canonical JSON of it). Binary
// depends on map order, so a digest that differs is confirmed by comparing the canonical JSON.

import { createHash } from "node:crypto";
import { type DescMessage, type JsonValue, type MessageShape, toBinary } from "@bufbuild/protobuf";
import { toJson } from "../../idl/index.js";

/** proto3 JSON of a message, or undefined when it carries an `Any` this server has no schema for. */
export function jsonOf<D extends DescMessage>(schema: D, message: MessageShape<D>): JsonValue | undefined {
  try {
    return toJson(schema, message);
  } catch {
    return undefined;
  }
}

function canonical(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k] as JsonValue)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function digestOf<D extends DescMessage>(schema: D, message: MessageShape<D>): Uint8Array {
  return new Uint8Array(createHash("sha256").update(toBinary(schema, message)).digest());
}

export function sameDigest(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

const MAX_DIFF_LINES = 20;
const MAX_VALUE_CHARS = 200;

const show = (value: JsonValue | undefined) => {
  const text = value === undefined ? "<absent>" : JSON.stringify(value);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}…` : text;
};

function collect(path: string, before: JsonValue | undefined, after: JsonValue | undefined, out: string[]): void {
  const bothObjects = before !== null && after !== null && typeof before === "object" && typeof after === "object";
  if (bothObjects && Array.isArray(before) === Array.isArray(after)) {
    const b = before as Record<string, JsonValue>;
    const a = after as Record<string, JsonValue>;
    const keys = Array.isArray(before)
      ? Array.from({ length: Math.max(before.length, (after as JsonValue[]).length) }, (_, i) => String(i))
      : [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
    for (const key of keys) collect(`${path}/${key}`, b[key], a[key], out);
    return;
  }
  if (canonical(before ?? null) !== canonical(after ?? null) || (before === undefined) !== (after === undefined)) {
    out.push(`${path || "/"}:\n\t- ${show(before)} \n\t+ ${show(after)}`);
  }
}

/**
 * The differences between the registered and the submitted form of an entity, one entry per
 * changed JSON path in flyteadmin's layout (`<path>:\n\t- <old> \n\t+ <new>`), at most 20;
 * "" when they are the same content (their maps in another order, say).
 */
export function describeDifferences<D extends DescMessage>(
  schema: D,
  registered: MessageShape<D>,
  submitted: MessageShape<D>,
): string {
  const before = jsonOf(schema, registered);
  const after = jsonOf(schema, submitted);
  if (before === undefined || after === undefined) return "(the binary content differs)";
  const lines: string[] = [];
  collect("", before, after, lines);
  const shown = lines.slice(0, MAX_DIFF_LINES);
  if (lines.length > shown.length) shown.push(`… and ${lines.length - shown.length} more differences`);
  return shown.join("\n");
}
