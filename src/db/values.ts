import pg from "pg";

// Result values must look the same whichever backend produced them, so the few types where
// node-postgres and PGlite differ by default are parsed here to PGlite's conventions.

const INT8 = 20;
const BYTEA = 17;
const TEXT_ARRAY = 1009;
const INT8_ARRAY = 1016;
const BYTEA_ARRAY = 1001;
const NUMERIC_ARRAY = 1231;

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** int8 as a number while that is exact (ids, counts, durations), else as a bigint. */
export function parseInt8(text: string): number | bigint {
  const value = BigInt(text);
  return value < MIN_SAFE || value > MAX_SAFE ? value : Number(value);
}

/**
 * bytea's text form (`\x` then hex), decoded natively: PGlite's own decoder is a JS loop, which
 * made reading a 15 KB closure cost ~3 ms.
 */
export function parseByteaHex(text: string): Uint8Array {
  const buffer = Buffer.from(text.slice(2), "hex");
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** PGlite's parser table entries for the types set explicitly (the rest are its defaults). */
export const pgliteParsers = { [INT8]: parseInt8, [BYTEA]: parseByteaHex };

/** A bytea[] parameter in the array text form, `{"\\x0a0b",NULL}`, nested arrays included. */
function byteaArrayText(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (Array.isArray(value)) return `{${value.map(byteaArrayText).join(",")}}`;
  return `"\\\\x${Buffer.from(value as Uint8Array).toString("hex")}"`;
}

/**
 * PGlite's serializers for the types set explicitly. A bytea parameter goes as it is, which the
 * protocol sends in binary; PGlite's default hex-encodes it in JS first (1.7 ms for 15 KB).
 * bytea[] goes in the array text form.
 */
export const pgliteSerializers = {
  [BYTEA]: (bytes: unknown) => bytes as string,
  [BYTEA_ARRAY]: byteaArrayText,
};

function mapDeep(value: unknown, fn: (element: unknown) => unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => mapDeep(item, fn));
  return value === null ? null : fn(value);
}

// node-postgres hands bytea out as a Buffer; a plain view over the same memory compares equal
// to what PGlite returns.
function plainBytes(value: unknown): Uint8Array {
  const buffer = value as Buffer;
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

type TextParser = (text: string) => unknown;
const builtin = (oid: number) => pg.types.getTypeParser(oid, "text") as TextParser;
const parseTextArray = builtin(TEXT_ARRAY);

const pgParsers: Record<number, TextParser> = {
  [INT8]: parseInt8,
  [INT8_ARRAY]: (text) => mapDeep(parseTextArray(text), (element) => parseInt8(element as string)),
  [BYTEA]: (text) => plainBytes(builtin(BYTEA)(text)),
  [BYTEA_ARRAY]: (text) => mapDeep(builtin(BYTEA_ARRAY)(text), plainBytes),
  // node-postgres turns numeric[] elements into (lossy) numbers but a lone numeric into a string.
  [NUMERIC_ARRAY]: parseTextArray,
};

/** The `types` option for a `pg.Pool` that parses results like PGlite does. */
export const pgTypes = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    pgParsers[oid] ?? pg.types.getTypeParser(oid, format ?? "text")) as typeof pg.types.getTypeParser,
};
