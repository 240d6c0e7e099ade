// Short readable renderings of bindings and constants for compile messages, where Flyte prints the
// Go text of the protobuf message: `42`, `"abc"`, `[1, 2]`, `{a: n0.o0}`, `n0.o0`, `start-node.x`.

import type { BindingData, OutputReference, Primitive, PromiseAttribute, Scalar } from "../idl/index.js";

const MAX_ITEMS = 5;
const MAX_TEXT = 60;

export function formatBindingData(binding: BindingData | undefined): string {
  const value = binding?.value;
  switch (value?.case) {
    case "scalar":
      return formatScalar(value.value);
    case "promise":
      return formatPromise(value.value);
    case "collection":
      return `[${limit(value.value.bindings.map(formatBindingData))}]`;
    case "map":
      return `{${limit(Object.entries(value.value.bindings).map(([k, v]) => `${k}: ${formatBindingData(v)}`))}}`;
    case "offloadedMetadata":
      return `offloaded literal${value.value.uri ? ` at ${value.value.uri}` : ""}`;
    default:
      return "an empty binding";
  }
}

/** `n0.o0`, with the workflow inputs shown as `start-node.x` and attribute paths as `n0.o0["a"][0]`. */
export function formatPromise(promise: OutputReference): string {
  return `${promise.nodeId === "" ? "start-node" : promise.nodeId}.${promise.var}${formatAttrPath(promise.attrPath)}`;
}

export function formatAttrPath(path: readonly PromiseAttribute[]): string {
  return path
    .map((a) => (a.value.case === "intValue" ? `[${a.value.value}]` : `[${JSON.stringify(a.value.value ?? "")}]`))
    .join("");
}

export function formatScalar(scalar: Scalar): string {
  const v = scalar.value;
  switch (v.case) {
    case "primitive":
      return formatPrimitive(v.value);
    case "blob":
      return `blob ${v.value.uri}`;
    case "binary":
      return v.value.tag ? `binary (${v.value.tag})` : "binary";
    case "schema":
      return `schema ${v.value.uri}`;
    case "noneType":
      return "None";
    case "error":
      return `error ${JSON.stringify(short(v.value.message))}`;
    case "generic":
      return short(JSON.stringify(v.value));
    case "structuredDataset":
      return `structured dataset ${v.value.uri}`;
    case "union": {
      const inner = v.value.value?.value;
      return inner?.case === "scalar" ? formatScalar(inner.value) : "a union value";
    }
    default:
      return "an empty scalar";
  }
}

function formatPrimitive(p: Primitive): string {
  const v = p.value;
  switch (v.case) {
    case "integer":
      return v.value.toString();
    case "floatValue":
      return String(v.value);
    case "stringValue":
      return JSON.stringify(short(v.value));
    case "boolean":
      return String(v.value);
    case "datetime": {
      const ms = Number(v.value.seconds) * 1000 + Math.floor(v.value.nanos / 1e6);
      const date = new Date(ms);
      return Number.isNaN(date.getTime()) ? "a datetime" : date.toISOString();
    }
    case "duration":
      return `${v.value.seconds}s`;
    default:
      return "an empty primitive";
  }
}

function limit(items: string[]): string {
  if (items.length <= MAX_ITEMS) return items.join(", ");
  return `${items.slice(0, MAX_ITEMS).join(", ")}, … (${items.length} items)`;
}

function short(text: string): string {
  return text.length <= MAX_TEXT ? text : `${text.slice(0, MAX_TEXT - 1)}…`;
}
