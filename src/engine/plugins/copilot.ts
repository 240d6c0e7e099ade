// Flyte's raw-container data contract (flytecopilot, flyteorg/flyte flytecopilot/data/{download,upload}.go
// and cmd/sidecar.go, v1.16.5): before the user's container starts, every input becomes a file named after
// its variable in the input directory, plus the whole literal map as inputs.pb (always) and inputs.json or
// inputs.yaml (per DataLoadingConfig.format); after it exits, one file per declared output variable in the
// output directory becomes the outputs LiteralMap, or a `_ERROR` file becomes the task's error.
//
// Where this differs from flytecopilot, on purpose:
// - multipart blobs (directories) are laid out by their path relative to the blob's URI; flytecopilot nests
//   them under the full object key of the bucket. Output directories keep their sub-directories; flytecopilot
//   uploads every file by its base name alone.
// - collection and map inputs get their directory created; flytecopilot writes `<var>/0` without creating
//   `<var>/` first, which fails.
// - in inputs.json/yaml a duration is its nanoseconds (what flytecopilot's time.Duration means to write; a
//   shadowed variable makes it write null) and a struct is its plain JSON object (flytecopilot marshals the
//   Go protobuf struct: `{"fields":{"a":{"Kind":...}}}`).
// - an uploaded blob literal carries the declared blob format; flytecopilot leaves the format empty.
// - the `_ERROR` file is honoured even when the task declares no outputs (flytecopilot skips every check then).
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative, sep } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { create, type JsonObject, type JsonValue, toBinary } from "@bufbuild/protobuf";
import { DurationSchema, TimestampSchema } from "@bufbuild/protobuf/wkt";
import YAML from "yaml";
import {
  BinarySchema,
  type Blob,
  BlobType_BlobDimensionality,
  type DataLoadingConfig,
  DataLoadingConfig_LiteralMapFormat,
  ErrorSchema,
  type Literal,
  type LiteralMap,
  LiteralMapSchema,
  LiteralSchema,
  type LiteralType,
  type Primitive,
  PrimitiveSchema,
  type Scalar,
  ScalarSchema,
  SimpleType,
  type VariableMap,
  VoidSchema,
} from "../../idl/index.js";
import { type BlobStore, joinUri } from "../../storage/index.js";
import { goDuration, rfc3339Nano } from "./template.js";

/** flytecopilot's sidecar turns this file in the output directory into the task's error. */
export const COPILOT_ERROR_FILE = "_ERROR";
/** The error code flytecopilot's sidecar writes into error.pb for every failure (always RECOVERABLE). */
export const COPILOT_ERROR_CODE = "OutputUploadFailed";
/** flytecopilot reads at most this many bytes for a primitive output. */
const MAX_PRIMITIVE_BYTES = 1024;
const MAX_ERROR_FILE_BYTES = 1024 * 1024;

/** The value of one input in inputs.json/yaml. */
type Native = null | boolean | number | bigint | string | Native[] | { [key: string]: Native };

/**
 * Materializes `inputs` in `dir` for a raw container. Throws (naming the variable) for an input copilot
 * cannot write, such as a union or a structured dataset, and for blob store failures.
 */
export async function writeCopilotInputs(
  dir: string,
  config: DataLoadingConfig,
  inputs: LiteralMap,
  store: BlobStore,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const local: Record<string, Literal> = {};
  const natives: Record<string, Native> = {};
  for (const [name, literal] of Object.entries(inputs.literals).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const written = await writeLiteral(literal, within(dir, name, `input "${name}"`), store, name);
    local[name] = written.literal;
    natives[name] = written.native;
  }
  // inputs.pb mirrors the inputs with blob URIs replaced by the local paths, as flytecopilot's does.
  await writeFile(join(dir, "inputs.pb"), toBinary(LiteralMapSchema, create(LiteralMapSchema, { literals: local })));
  if (config.format === DataLoadingConfig_LiteralMapFormat.JSON) {
    await writeFile(join(dir, "inputs.json"), jsonText(natives));
  } else if (config.format === DataLoadingConfig_LiteralMapFormat.YAML) {
    await writeFile(join(dir, "inputs.yaml"), YAML.stringify(natives, { sortMapEntries: true }));
  }
}

interface Written {
  literal: Literal;
  native: Native;
}

async function writeLiteral(literal: Literal, path: string, store: BlobStore, what: string): Promise<Written> {
  switch (literal.value.case) {
    case "scalar": {
      const { scalar, native } = await writeScalar(literal.value.value, path, store, what);
      return { literal: create(LiteralSchema, { value: { case: "scalar", value: scalar } }), native };
    }
    case "collection": {
      await mkdir(path, { recursive: true });
      const items: Written[] = [];
      for (const [index, item] of literal.value.value.literals.entries()) {
        items.push(await writeLiteral(item, join(path, String(index)), store, `${what}[${index}]`));
      }
      const literals = items.map((item) => item.literal);
      return {
        literal: create(LiteralSchema, { value: { case: "collection", value: { literals } } }),
        native: items.map((item) => item.native),
      };
    }
    case "map": {
      await mkdir(path, { recursive: true });
      const literals: Record<string, Literal> = {};
      const native: Record<string, Native> = {};
      for (const [key, item] of Object.entries(literal.value.value.literals)) {
        const written = await writeLiteral(
          item,
          within(path, key, `input "${what}" key "${key}"`),
          store,
          `${what}.${key}`,
        );
        literals[key] = written.literal;
        native[key] = written.native;
      }
      return { literal: create(LiteralSchema, { value: { case: "map", value: { literals } } }), native };
    }
    default:
      throw new Error(
        `copilot input "${what}": ${literal.value.case ?? "an empty"} literal cannot be written as a file; ` +
          "load offloaded literals before starting a raw container",
      );
  }
}

async function writeScalar(
  scalar: Scalar,
  path: string,
  store: BlobStore,
  what: string,
): Promise<{ scalar: Scalar; native: Native }> {
  const value = scalar.value;
  switch (value.case) {
    case "primitive": {
      const { text, native } = primitiveText(value.value, what);
      await writeFile(path, text);
      return { scalar, native };
    }
    case "blob": {
      const multipart = value.value.metadata?.type?.dimensionality === BlobType_BlobDimensionality.MULTIPART;
      await download(value.value.uri, multipart, path, store, what);
      const blob: Blob = { ...value.value, uri: path };
      return { scalar: { ...scalar, value: { case: "blob", value: blob } }, native: path };
    }
    case "schema":
      await download(value.value.uri, true, path, store, what);
      return { scalar: { ...scalar, value: { case: "schema", value: { ...value.value, uri: path } } }, native: path };
    case "binary":
      await writeFile(path, value.value.value);
      return { scalar, native: Buffer.from(value.value.value).toString("base64") };
    case "error":
      await writeFile(path, value.value.message);
      return { scalar, native: value.value.message };
    case "generic":
      await writeFile(path, JSON.stringify(value.value));
      return { scalar, native: value.value };
    case "noneType":
      await writeFile(path, "null");
      return { scalar, native: null };
    default:
      throw new Error(
        `copilot input "${what}": a ${value.case ?? "empty"} scalar cannot be written as a file by a raw ` +
          "container's downloader; declare the input as a primitive, blob, struct or collection/map of those",
      );
  }
}

/** flytecopilot's text for a primitive, and its value in inputs.json. */
function primitiveText(primitive: Primitive, what: string): { text: string; native: Native } {
  const value = primitive.value;
  try {
    switch (value.case) {
      case "stringValue":
        return { text: value.value, native: value.value };
      case "boolean":
        return { text: String(value.value), native: value.value };
      case "integer":
        return { text: value.value.toString(), native: value.value };
      case "floatValue":
        return { text: goPlainFloat(value.value), native: Number.isFinite(value.value) ? value.value : null };
      case "datetime": {
        const text = rfc3339Nano(value.value);
        return { text, native: text };
      }
      case "duration":
        return {
          text: goDuration(value.value),
          native: value.value.seconds * 1_000_000_000n + BigInt(value.value.nanos),
        };
      default:
        return { text: "null", native: null };
    }
  } catch (error) {
    if (error instanceof RangeError) throw new Error(`copilot input "${what}": ${error.message}`);
    throw error;
  }
}

/** Go's strconv.FormatFloat(f, 'f', -1, 64): shortest digits, never an exponent. */
export function goPlainFloat(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value === 0) return Object.is(value, -0) ? "-0" : "0";
  const [mantissa, exponentText] = Math.abs(value).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const point = Number(exponentText) + 1; // digits before the decimal point
  const sign = value < 0 ? "-" : "";
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${"0".repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

async function download(uri: string, multipart: boolean, path: string, store: BlobStore, what: string) {
  if (!multipart) {
    await mkdir(dirname(path), { recursive: true });
    const source = /^https?:\/\//i.test(uri) ? await httpStream(uri, what) : await store.getStream(uri);
    await pipeline(source, createWriteStream(path));
    return;
  }
  const prefix = uri.endsWith("/") ? uri : `${uri}/`;
  const decode = uri.startsWith("file:") ? decodeURIComponent : (segment: string) => segment;
  let count = 0;
  for await (const item of store.list(prefix)) {
    const relativeKey = item.slice(prefix.length).split("/").map(decode).join("/");
    await download(item, false, within(path, relativeKey, `input "${what}" part ${item}`), store, what);
    count++;
  }
  // An empty directory is still a directory the program may list.
  if (count === 0) await mkdir(path, { recursive: true });
}

async function httpStream(uri: string, what: string): Promise<Readable> {
  const response = await fetch(uri);
  if (!response.ok || response.body === null) {
    throw new Error(`copilot input "${what}": GET ${uri} answered ${response.status} ${response.statusText}`);
  }
  return Readable.fromWeb(response.body as WebReadableStream);
}

/** `dir/name` for a name taken from data; refuses names that would land outside `dir`. */
function within(dir: string, name: string, what: string): string {
  const segments = name.split("/");
  if (segments.some((segment) => segment === "" || segment === "." || segment === "..")) {
    throw new Error(`copilot ${what}: the name ${JSON.stringify(name)} is not a plain file name; rename it`);
  }
  return join(dir, ...segments);
}

/** Go's encoding/json of the inputs: compact, keys sorted, int64 exact. */
function jsonText(value: Native): string {
  if (typeof value === "bigint") return value.toString();
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(jsonText).join(",")}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${jsonText(value[key])}`).join(",")}}`;
}

// ---- outputs ------------------------------------------------------------------------------------------

export type CopilotOutputs = { outputs: LiteralMap } | { error: { code: string; message: string } };

/**
 * Reads the files a raw container left in `dir` into the outputs LiteralMap, uploading blob outputs under
 * `rawPrefix/<variable>`. Problems copilot reports as the task's (recoverable) error come back as `error`:
 * a `_ERROR` file, a missing, oversized or unparsable output file, an output type copilot cannot read.
 * Blob store failures throw.
 */
export async function readCopilotOutputs(
  dir: string,
  outputs: VariableMap,
  store: BlobStore,
  rawPrefix: string,
): Promise<CopilotOutputs> {
  const userError = await readErrorFile(join(dir, COPILOT_ERROR_FILE));
  if (userError !== undefined) return { error: { code: COPILOT_ERROR_CODE, message: userError } };

  const literals: Record<string, Literal> = {};
  const problems: string[] = [];
  for (const [name, variable] of Object.entries(outputs.variables).sort(([a], [b]) => (a < b ? -1 : 1))) {
    try {
      literals[name] = await readOutput(within(dir, name, `output "${name}"`), name, variable.type, store, rawPrefix);
    } catch (error) {
      if (!(error instanceof OutputProblem)) throw error;
      problems.push(error.message);
    }
  }
  if (problems.length > 0) return { error: { code: COPILOT_ERROR_CODE, message: problems.join("; ") } };
  return { outputs: create(LiteralMapSchema, { literals }) };
}

class OutputProblem extends Error {}

async function readErrorFile(path: string): Promise<string | undefined> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (info === undefined) return undefined;
  if (info.isDirectory()) return `the error file ${path} is a directory; write the error message into a file`;
  if (info.size > MAX_ERROR_FILE_BYTES) {
    return `error file too large ${info.size}: the error file ${path} must be at most ${MAX_ERROR_FILE_BYTES} bytes`;
  }
  return `User Error: ${await readFile(path, "utf8")}`;
}

async function readOutput(
  path: string,
  name: string,
  type: LiteralType | undefined,
  store: BlobStore,
  rawPrefix: string,
): Promise<Literal> {
  const kind = type?.type;
  if (kind?.case === "simple") {
    const { file, size, isDirectory } = await findOutputFile(path, name);
    if (isDirectory) {
      throw new OutputProblem(
        `output "${name}" (${SimpleType[kind.value]}): expected a file, found a directory ${file}`,
      );
    }
    if (size > MAX_PRIMITIVE_BYTES) {
      throw new OutputProblem(
        `output "${name}" (${SimpleType[kind.value]}): ${file} has ${size} bytes, more than the ${MAX_PRIMITIVE_BYTES} ` +
          "allowed for a primitive; return large data as a blob (file) output",
      );
    }
    const text = (await readFile(file, "utf8")).replace(/^[ \n\t]+|[ \n\t]+$/g, "");
    const scalar = parseSimple(kind.value, text, name);
    return create(LiteralSchema, { value: { case: "scalar", value: scalar } });
  }
  if (kind?.case === "blob") {
    const { file, isDirectory } = await findOutputFile(path, name);
    const uri = joinUri(rawPrefix, name);
    if (isDirectory) await uploadDirectory(file, uri, store);
    else await store.put(uri, createReadStream(file));
    const dimensionality = isDirectory ? BlobType_BlobDimensionality.MULTIPART : BlobType_BlobDimensionality.SINGLE;
    const blob = { uri, metadata: { type: { format: kind.value.format, dimensionality } } };
    return create(LiteralSchema, { value: { case: "scalar", value: { value: { case: "blob", value: blob } } } });
  }
  throw new OutputProblem(
    `output "${name}": raw containers return only primitives and blobs, not ${kind?.case ?? "an untyped"} ` +
      "outputs; change the output's type or run the task with a Flyte SDK",
  );
}

/** The output's file: exactly `<name>`, or the one `<name>.<ext>` when that is unambiguous (as flytecopilot). */
async function findOutputFile(path: string, name: string) {
  const exact = await stat(path).catch(() => undefined);
  if (exact !== undefined) return { file: path, size: exact.size, isDirectory: exact.isDirectory() };
  const siblings = await readdir(dirname(path)).catch(() => [] as string[]);
  const matches = siblings.filter((entry) => entry.startsWith(`${basename(path)}.`));
  if (matches.length === 1) {
    const file = join(dirname(path), matches[0]);
    const info = await stat(file);
    return { file, size: info.size, isDirectory: info.isDirectory() };
  }
  const also = matches.length > 1 ? ` (${matches.join(", ")} are ambiguous)` : "";
  throw new OutputProblem(
    `output "${name}": the container wrote no file ${path}${also}; write each declared output to a file named after it`,
  );
}

async function uploadDirectory(dir: string, uri: string, store: BlobStore): Promise<void> {
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    await store.put(joinUri(uri, ...relative(dir, file).split(sep)), createReadStream(file));
  }
}

/** flyteidl's MakeLiteralForSimpleType: Go's strconv/time parsers' grammar, with errors naming the output. */
function parseSimple(type: SimpleType, text: string, name: string): Scalar {
  const fail = (expected: string): never => {
    throw new OutputProblem(
      `output "${name}" (${SimpleType[type]}): cannot parse ${JSON.stringify(text)}; write ${expected}`,
    );
  };
  const scalar = (value: Scalar["value"]) => create(ScalarSchema, { value });
  const primitive = (value: Primitive["value"]) =>
    scalar({ case: "primitive", value: create(PrimitiveSchema, { value }) });
  switch (type) {
    case SimpleType.INTEGER: {
      if (!/^[+-]?\d+$/.test(text)) return fail("a base-10 integer such as 42");
      const value = BigInt(text);
      if (value < -(2n ** 63n) || value >= 2n ** 63n) return fail("an integer within 64 bits");
      return primitive({ case: "integer", value });
    }
    case SimpleType.FLOAT: {
      const value = parseGoFloat(text);
      if (value === undefined) return fail("a number such as 3.14, 1e-3, inf or nan");
      return primitive({ case: "floatValue", value });
    }
    case SimpleType.BOOLEAN: {
      if (["1", "t", "T", "TRUE", "true", "True"].includes(text)) return primitive({ case: "boolean", value: true });
      if (["0", "f", "F", "FALSE", "false", "False"].includes(text))
        return primitive({ case: "boolean", value: false });
      return fail("true or false (or 1, 0, t, f)");
    }
    case SimpleType.STRING:
      return primitive({ case: "stringValue", value: text });
    case SimpleType.DURATION: {
      const nanos = parseGoDuration(text);
      if (nanos === undefined) return fail("a duration such as 300ms, 1.5h or 2h45m");
      const seconds = nanos / 1_000_000_000n;
      const value = create(DurationSchema, { seconds, nanos: Number(nanos - seconds * 1_000_000_000n) });
      return primitive({ case: "duration", value });
    }
    case SimpleType.DATETIME: {
      const value = parseRfc3339(text);
      if (value === undefined) return fail("an RFC 3339 time such as 2024-05-01T12:00:00Z");
      return primitive({ case: "datetime", value });
    }
    case SimpleType.STRUCT: {
      const value = parseJsonObject(text);
      if (value === undefined) return fail("a JSON object");
      return scalar({ case: "generic", value });
    }
    case SimpleType.BINARY:
      return scalar({ case: "binary", value: create(BinarySchema, { value: Buffer.from(text, "utf8") }) });
    case SimpleType.ERROR:
      return scalar({ case: "error", value: create(ErrorSchema, { message: text }) });
    case SimpleType.NONE:
      return scalar({ case: "noneType", value: create(VoidSchema) });
    default:
      throw new OutputProblem(`output "${name}": simple type ${type} is unknown to flyteidl 1.16; use a known type`);
  }
}

function parseJsonObject(text: string): JsonObject | undefined {
  try {
    const value = JSON.parse(text) as JsonValue;
    return value !== null && typeof value === "object" && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** strconv.ParseFloat for decimal text and inf/infinity/nan (any case); out-of-range values are refused, as in Go. */
function parseGoFloat(text: string): number | undefined {
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(text);
  if (special) {
    if (special[2].toLowerCase() === "nan") return Number.NaN;
    return special[1] === "-" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

const DURATION_UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  μs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** time.ParseDuration: signed sequence of decimal numbers with units, or a bare 0; nanoseconds, within int64. */
function parseGoDuration(text: string): bigint | undefined {
  const signed = /^([+-]?)(.*)$/s.exec(text)!;
  const body = signed[2];
  if (body === "0") return 0n;
  const parts = [...body.matchAll(/(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/g)];
  if (body === "" || parts.map((p) => p[0]).join("") !== body) return undefined;
  let total = 0n;
  for (const [, whole, fractionDigits = "", unit] of parts) {
    if (whole === "" && fractionDigits === "") return undefined;
    const scale = DURATION_UNITS[unit];
    const fractionValue = fractionDigits === "" ? 0n : BigInt(fractionDigits);
    total += BigInt(whole || "0") * scale + (fractionValue * scale) / 10n ** BigInt(fractionDigits.length);
  }
  if (total > 2n ** 63n - (signed[1] === "-" ? 0n : 1n)) return undefined;
  return signed[1] === "-" ? -total : total;
}

/** time.Parse(time.RFC3339, s): fractional seconds allowed, `Z` or a numeric offset, calendar-checked. */
function parseRfc3339(text: string) {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):(\d{2}))$/.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, fractionDigits = "", zone, offsetSign, offsetH, offsetM] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number);
  const daysInMonth = new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !isLeap(year) ? 1 : 0);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  let seconds = BigInt(date.getTime() / 1000);
  if (zone !== "Z") {
    const offset = BigInt(Number(offsetH) * 3600 + Number(offsetM) * 60);
    seconds += offsetSign === "+" ? -offset : offset;
  }
  const nanos = Number(fractionDigits.slice(0, 9).padEnd(9, "0"));
  if (seconds < -62135596800n) return undefined; // before year 1: protobuf Timestamps cannot hold it
  return create(TimestampSchema, { seconds, nanos });
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}
