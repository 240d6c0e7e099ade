// Flyte's substitution of `{{.Input}}`-style placeholders in a container's command and args
// (flyteplugins pluginmachinery/core/template/template.go, v1.16.5): same regexes, same replacement
// order, same rendering of `{{.Inputs.<name>}}` values.
//
// Differences from Flyte (the first two because Flyte's text is unusable as an argument):
// - durations render as Go `time.Duration` strings (`1h2m3s`, `1.5s`); Flyte 1.16 prints the protobuf
//   message text (`seconds:3723`), with whitespace the Go protobuf library randomizes;
// - an out-of-range datetime is a TemplateError; Flyte prints `(timestamp: ... before 0001-01-01)`;
// - msgpack binaries (flytekit dataclasses) are a TemplateError; Flyte prints Go's `%v` of the decoded value;
// - replacement text is inserted literally; Go's ReplaceAllString would expand `$1`/`${name}` in paths.
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { Duration, Timestamp } from "@bufbuild/protobuf/wkt";
import type { Literal, LiteralMap, Primitive, Scalar } from "../../idl/index.js";

export interface TemplateVars {
  /** `{{.Input}}`: the node's inputs.pb. */
  inputPath: string;
  /** `{{.InputPrefix}}`: the node's data directory. */
  inputPrefix: string;
  /** `{{.OutputPrefix}}`: the attempt's output directory. */
  outputPrefix: string;
  /** `{{.RawOutputDataPrefix}}`: the attempt's raw data prefix. */
  rawOutputDataPrefix: string;
  /** `{{.CheckpointOutputPrefix}}`. */
  checkpointOutputPrefix: string;
  /** `{{.PrevCheckpointPrefix}}`; absent or empty renders as the two characters `""`, as in Flyte. */
  prevCheckpointPrefix?: string;
  /** The attempt's generated name; rendered after Flyte's clean-up (see `cleanUniqueKey`). */
  perRetryUniqueKey: string;
  /** `{{.TaskTemplatePath}}`; referencing it while absent is a TemplateError. */
  taskTemplatePath?: string;
  /** `{{.Namespace}}`: the Kubernetes namespace. */
  namespace: string;
  /** Values for `{{.Inputs.<name>}}`. */
  inputs: LiteralMap;
}

/** A placeholder that cannot be rendered; the task cannot start with these args. */
export class TemplateError extends Error {
  override readonly name = "TemplateError";
  constructor(
    readonly placeholder: string,
    readonly reason: string,
  ) {
    super(`cannot render ${placeholder} in the container's command/args: ${reason}`);
  }
}

// RE2's \s is [\t\n\f\r ]; JavaScript's \s also matches Unicode spaces, so spell RE2's out.
const S = "[\\t\\n\\f\\r ]*";
const placeholder = (name: string) => new RegExp(`\\{\\{${S}[.$]${name}${S}\\}\\}`, "gi");

const inputFile = placeholder("Input");
const inputPrefix = placeholder("InputPrefix");
const outputPrefix = placeholder("OutputPrefix");
const rawOutputDataPrefix = placeholder("RawOutputDataPrefix");
const perRetryUniqueKey = placeholder("PerRetryUniqueKey");
const taskTemplatePath = placeholder("TaskTemplatePath");
const prevCheckpointPrefix = placeholder("PrevCheckpointPrefix");
const checkpointOutputPrefix = placeholder("CheckpointOutputPrefix");
const namespace = placeholder("Namespace");
const inputVar = new RegExp(`\\{\\{${S}[.$]Inputs\\.([^}\\t\\n\\f\\r ]+)${S}\\}\\}`, "gi");

/** Renders every part; parts without placeholders (and unknown placeholders such as `{{.Foo}}`) stay as they are. */
export function renderTemplate(parts: string[], vars: TemplateVars): string[] {
  const uniqueKey = cleanUniqueKey(vars.perRetryUniqueKey);
  return parts.map((part) => renderPart(part, vars, uniqueKey));
}

/** Flyte's clean-up of the generated name: leading non-letters become `a`, other runs of non-word characters `_`. */
export function cleanUniqueKey(generatedName: string): string {
  return generatedName.replace(/^[^a-zA-Z_]+/, "a").replace(/[^a-zA-Z0-9_]+/g, "_");
}

function renderPart(part: string, vars: TemplateVars, uniqueKey: string): string {
  // Flyte's order; namespace goes last because the other values may embed `{{.Namespace}}`.
  let text = replace(part, inputFile, vars.inputPath);
  text = replace(text, outputPrefix, vars.outputPrefix);
  text = replace(text, inputPrefix, vars.inputPrefix);
  text = replace(text, rawOutputDataPrefix, vars.rawOutputDataPrefix);
  text = replace(text, prevCheckpointPrefix, vars.prevCheckpointPrefix || '""');
  text = replace(text, checkpointOutputPrefix, vars.checkpointOutputPrefix);
  text = replace(text, perRetryUniqueKey, uniqueKey);
  taskTemplatePath.lastIndex = 0;
  const usesTaskTemplate = taskTemplatePath.test(text);
  if (usesTaskTemplate) {
    if (vars.taskTemplatePath === undefined) {
      throw new TemplateError(
        "{{.TaskTemplatePath}}",
        "no offloaded task template path was given; upload the TaskTemplate (task.pb) and pass its location",
      );
    }
    text = replace(text, taskTemplatePath, vars.taskTemplatePath);
  }
  text = replace(text, namespace, vars.namespace);

  // Flyte reads an empty inputs.pb as a nil map and then leaves `{{.Inputs.x}}` untouched.
  const literals = vars.inputs.literals;
  if (Object.keys(literals).length === 0) return text;
  return text.replace(inputVar, (match, name: string) => {
    const literal = Object.hasOwn(literals, name) ? literals[name] : undefined;
    if (literal === undefined) {
      const known = Object.keys(literals).sort().join(", ");
      throw new TemplateError(match, `the task has no input named "${name}" (inputs: ${known})`);
    }
    try {
      return renderLiteral(literal);
    } catch (error) {
      if (error instanceof Unrenderable) {
        throw new TemplateError(match, `input "${name}" ${error.message}; pass it as a file via {{.Input}} instead`);
      }
      if (error instanceof RangeError) throw new TemplateError(match, `input "${name}": ${error.message}`);
      throw error;
    }
  });
}

/** A function replacement, so that `$&`/`$1` in paths are not expanded. */
function replace(text: string, pattern: RegExp, value: string): string {
  return text.replace(pattern, () => value);
}

class Unrenderable extends Error {}

function renderLiteral(literal: Literal): string {
  switch (literal.value.case) {
    case "collection":
      return `[${literal.value.value.literals.map(renderLiteral).join(",")}]`;
    case "scalar":
      return renderScalar(literal.value.value);
    case "map":
      throw new Unrenderable("is a map, which has no text form");
    case "offloadedMetadata":
      throw new Unrenderable("is offloaded to another blob, which is not read for rendering");
    default:
      throw new Unrenderable("is an empty literal");
  }
}

function renderScalar(scalar: Scalar): string {
  switch (scalar.value.case) {
    case "primitive":
      return renderPrimitive(scalar.value.value);
    case "blob":
    case "schema":
      return scalar.value.value.uri;
    case "binary":
      throw new Unrenderable(`is a binary value (tag "${scalar.value.value.tag}"), which is not rendered as text`);
    case undefined:
      throw new Unrenderable("is an empty scalar");
    default:
      // structuredDataset, union, generic (struct), noneType, error: Flyte refuses these too.
      throw new Unrenderable(`is a ${scalar.value.case} value, which has no text form`);
  }
}

function renderPrimitive(primitive: Primitive): string {
  switch (primitive.value.case) {
    case "integer":
      return primitive.value.value.toString();
    case "floatValue":
      return goFloat(primitive.value.value);
    case "boolean":
      return String(primitive.value.value);
    case "stringValue":
      return primitive.value.value;
    case "datetime":
      return rfc3339Nano(primitive.value.value);
    case "duration":
      return goDuration(primitive.value.value);
    default:
      throw new Unrenderable("is an empty primitive");
  }
}

/** Go's `%v` of a float64 (`%g`, shortest digits): exponent form below 1e-4 and from 1e6 (`1e+06`). */
export function goFloat(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  if (value === 0) return Object.is(value, -0) ? "-0" : "0";
  const [mantissa, exponentText] = value.toExponential().split("e");
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) {
    return `${mantissa}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  return String(value);
}

/**
 * Go's `time.RFC3339Nano` in UTC: fractional seconds without trailing zeros, none at all when whole.
 * RangeError outside the years 1 to 9999.
 */
export function rfc3339Nano(timestamp: Timestamp): string {
  const seconds = timestamp.seconds;
  // Go's ptypes.Timestamp accepts 0001-01-01T00:00:00Z up to (not including) 10000-01-01.
  if (seconds < -62135596800n || seconds >= 253402300800n || timestamp.nanos < 0 || timestamp.nanos >= 1e9) {
    throw new RangeError(
      `the datetime (seconds ${seconds}, nanos ${timestamp.nanos}) is outside years 1 to 9999, Flyte's range`,
    );
  }
  const date = timestampDate({ ...timestamp, nanos: 0 });
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  const fraction = timestamp.nanos === 0 ? "" : `.${pad(timestamp.nanos, 9).replace(/0+$/, "")}`;
  return (
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}${fraction}Z`
  );
}

const MAX_GO_DURATION = 2n ** 63n - 1n;

/** Go's `time.Duration.String()`: `1h2m3.5s`, `1m0s`, `1.5ms`, `500ns`, `0s`. RangeError beyond int64 nanoseconds. */
export function goDuration(duration: Duration): string {
  const total = duration.seconds * 1_000_000_000n + BigInt(duration.nanos);
  const negative = total < 0n;
  const nanos = negative ? -total : total;
  if (nanos > MAX_GO_DURATION) {
    throw new RangeError(`the duration ${duration.seconds}s is longer than Go's limit of about 292 years`);
  }
  const sign = negative ? "-" : "";
  if (nanos === 0n) return "0s";
  if (nanos < 1_000n) return `${sign}${nanos}ns`;
  if (nanos < 1_000_000n) return `${sign}${fraction(nanos, 3)}µs`;
  if (nanos < 1_000_000_000n) return `${sign}${fraction(nanos, 6)}ms`;
  const seconds = nanos / 1_000_000_000n;
  const secondsText = `${fraction((seconds % 60n) * 1_000_000_000n + (nanos % 1_000_000_000n), 9)}s`;
  const minutes = seconds / 60n;
  if (minutes === 0n) return `${sign}${secondsText}`;
  const hours = minutes / 60n;
  const minutesText = `${minutes % 60n}m`;
  return hours === 0n ? `${sign}${minutesText}${secondsText}` : `${sign}${hours}h${minutesText}${secondsText}`;
}

/** `value / 10^digits` in decimal with trailing fractional zeros (and a bare point) dropped. */
function fraction(value: bigint, digits: number): string {
  const scale = 10n ** BigInt(digits);
  const decimals = (value % scale).toString().padStart(digits, "0").replace(/0+$/, "");
  return decimals === "" ? `${value / scale}` : `${value / scale}.${decimals}`;
}
