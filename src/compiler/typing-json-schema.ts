// The STRUCT metadata rule of Flyte's type checker: two dataclass / Pydantic types (simple STRUCT
// with the JSON schema of the class in `metadata`) are compatible when the schemas are identical,
// or when the downstream schema is satisfied by the upstream one. Go does the second part with
// gitlab.com/yvesf/json-schema-compare (`Compare(target=downstream, source=upstream)`, ignoring
// errors that say "not implemented", i.e. additionalProperties). That library is not available
// here, so this is a structural approximation with the outcomes Flyte's unit tests show:
//   - a child class (the parent's required fields plus more) casts to its parent;
//   - a parent does not cast to a child (the child requires a field the parent lacks);
//   - same-named fields whose types differ, at any depth, do not cast.
// Rules, from the downstream ("target") schema's point of view:
//   - `$ref` to `#/$defs/X` / `#/definitions/X` is resolved within each schema's own document;
//   - anyOf/oneOf upstream: every branch must fit; anyOf/oneOf downstream: some branch must fit;
//   - `type`: every upstream type must be allowed downstream (integer fits number); an upstream
//     without `type` does not fit a downstream that has one;
//   - `enum`: upstream must have an enum whose values are all downstream values;
//   - objects: every downstream-required property must be required upstream, and properties that
//     both declare must fit recursively; downstream properties upstream lacks are not checked;
//   - arrays: `items` (and `prefixItems` position by position) must fit recursively;
//   - `title`, `description`, `default`, `format`, `additionalProperties`, `propertyNames`, ... are
//     ignored.

import type { JsonObject, JsonValue } from "@bufbuild/protobuf";

/** Flyte's isSameTypeInJSON: the two metadata Structs are the same JSON document. */
export function sameJson(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => sameJson(item, b[i]));
  }
  if (typeof a !== "object" || typeof b !== "object") return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((key) => Object.hasOwn(b, key) && sameJson(a[key], b[key]));
}

/** Flyte's isSuperTypeInJSON(upstream, downstream): does the upstream schema satisfy the downstream one? */
export function schemaSatisfies(upstream: JsonObject, downstream: JsonObject): boolean {
  return fits(upstream, upstream, downstream, downstream, 0);
}

// Self-referencing schemas ($ref cycles) are cut off at this depth and accepted.
const MAX_DEPTH = 64;

function fits(
  sourceRoot: JsonObject,
  source: JsonValue | undefined,
  targetRoot: JsonObject,
  target: JsonValue | undefined,
  depth: number,
): boolean {
  if (depth > MAX_DEPTH) return true;
  const s = resolve(sourceRoot, source);
  const t = resolve(targetRoot, target);
  if (t === true || t === undefined || (isObject(t) && Object.keys(t).length === 0)) return true;
  if (t === false) return s === false;
  if (!isObject(t)) return true;
  if (s === false) return true;
  if (!isObject(s)) return false;

  const sourceBranches = branches(s);
  if (sourceBranches) {
    return sourceBranches.every((branch) => fits(sourceRoot, branch, targetRoot, t, depth + 1));
  }
  const targetBranches = branches(t);
  if (targetBranches) {
    return targetBranches.some((branch) => fits(sourceRoot, s, targetRoot, branch, depth + 1));
  }

  const targetTypes = typeList(t.type);
  if (targetTypes.length > 0) {
    const sourceTypes = typeList(s.type);
    if (sourceTypes.length === 0) return false;
    const allowed = (type: string) =>
      targetTypes.includes(type) || (type === "integer" && targetTypes.includes("number"));
    if (!sourceTypes.every(allowed)) return false;
  }

  if (Array.isArray(t.enum)) {
    if (!Array.isArray(s.enum)) return false;
    const targetValues = t.enum;
    if (!s.enum.every((value) => targetValues.some((other) => sameJson(value, other)))) return false;
  }

  const targetRequired = stringList(t.required);
  if (targetRequired.length > 0) {
    const sourceRequired = stringList(s.required);
    if (!targetRequired.every((key) => sourceRequired.includes(key))) return false;
  }
  if (isObject(t.properties) && isObject(s.properties)) {
    const sourceProps = s.properties;
    for (const [key, targetProp] of Object.entries(t.properties)) {
      if (!Object.hasOwn(sourceProps, key)) continue;
      if (!fits(sourceRoot, sourceProps[key], targetRoot, targetProp, depth + 1)) return false;
    }
  }

  if (t.items !== undefined && s.items !== undefined && !Array.isArray(t.items) && !Array.isArray(s.items)) {
    if (!fits(sourceRoot, s.items, targetRoot, t.items, depth + 1)) return false;
  }
  const targetTuple = Array.isArray(t.prefixItems) ? t.prefixItems : Array.isArray(t.items) ? t.items : undefined;
  const sourceTuple = Array.isArray(s.prefixItems) ? s.prefixItems : Array.isArray(s.items) ? s.items : undefined;
  if (targetTuple && sourceTuple) {
    for (let i = 0; i < Math.min(targetTuple.length, sourceTuple.length); i++) {
      if (!fits(sourceRoot, sourceTuple[i], targetRoot, targetTuple[i], depth + 1)) return false;
    }
  }
  return true;
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function branches(schema: JsonObject): JsonValue[] | undefined {
  if (Array.isArray(schema.anyOf)) return schema.anyOf;
  if (Array.isArray(schema.oneOf)) return schema.oneOf;
  return undefined;
}

function typeList(value: JsonValue | undefined): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  return [];
}

function stringList(value: JsonValue | undefined): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** Follows local `$ref`s (`#/...` JSON pointers) within the schema's own document. */
function resolve(root: JsonObject, schema: JsonValue | undefined): JsonValue | undefined {
  let current = schema;
  for (let hops = 0; hops < 32 && isObject(current) && typeof current.$ref === "string"; hops++) {
    const ref = current.$ref;
    if (!ref.startsWith("#")) return current;
    let target: JsonValue | undefined = root;
    const pointer = ref.slice(1);
    if (pointer !== "") {
      for (const raw of pointer.replace(/^\//, "").split("/")) {
        const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
        if (isObject(target)) target = target[key];
        else if (Array.isArray(target)) target = target[Number(key)];
        else target = undefined;
      }
    }
    if (target === undefined) return current;
    current = target;
  }
  return current;
}
