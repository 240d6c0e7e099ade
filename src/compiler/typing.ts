// Flyte's AreTypesCastable (flytepropeller pkg/compiler/validators/typing.go, v1.16): may a value
// of the upstream type be bound to an input of the downstream type? The check is directional and
// dispatches on the downstream type, exactly as Go picks a "type checker":
//   collection -> collectionChecker, map -> mapChecker, blob -> blobChecker, schema -> schemaChecker,
//   union -> unionChecker, structured dataset -> structuredDatasetChecker,
//   simple NONE -> noneChecker, anything else (other simple types, enums, an unset type) -> trivialChecker.
// Only the top-level call (and the union checker, which calls it for each variant) unwraps an
// upstream single-variant union; the nested checks of collections, maps and structured dataset
// columns call the downstream element's checker directly, as Go does.

import { create } from "@bufbuild/protobuf";
import {
  type LiteralType,
  LiteralTypeSchema,
  type SchemaType,
  SchemaType_SchemaColumn_SchemaColumnType as ColumnType,
  SimpleType,
  type StructuredDatasetType,
} from "../idl/index.js";
import { sameJson, schemaSatisfies } from "./typing-json-schema.js";

export function areTypesCastable(upstream: LiteralType, downstream: LiteralType): boolean {
  const checker = checkerFor(downstream);
  const union = upstream.type.case === "unionType" ? upstream.type.value : undefined;
  if (union !== undefined && union.variants.length === 1 && checker(union.variants[0])) return true;
  return checker(upstream);
}

type Checker = (upstream: LiteralType) => boolean;

function checkerFor(downstream: LiteralType | undefined): Checker {
  const t = downstream?.type;
  switch (t?.case) {
    case "collectionType": {
      const element = t.value;
      return (upstream) => {
        if (upstream.type.case !== "collectionType") return false;
        // An empty list literal has element type NONE and fits every list.
        if (isNoneType(upstream.type.value)) return true;
        return checkerFor(element)(upstream.type.value);
      };
    }
    case "mapValueType": {
      const value = t.value;
      return (upstream) => {
        if (upstream.type.case !== "mapValueType") return false;
        if (isNoneType(upstream.type.value)) return true;
        return checkerFor(value)(upstream.type.value);
      };
    }
    case "blob": {
      const format = t.value.format;
      return (upstream) => {
        if (upstream.type.case !== "blob") return false;
        // A blob without a format (either side) matches every blob; dimensionality is not compared.
        const upstreamFormat = upstream.type.value.format;
        if (upstreamFormat === "" || format === "") return true;
        return upstreamFormat === format;
      };
    }
    case "schema": {
      const schema = t.value;
      return (upstream) => {
        if (upstream.type.case === "schema") return schemaFromSchema(upstream.type.value, schema);
        if (upstream.type.case !== "structuredDatasetType") return false;
        // A Flyte schema can only be read from parquet.
        const format = upstream.type.value.format;
        if (format !== "" && !equalFold(format, "parquet")) return false;
        return schemaFromStructuredDataset(upstream.type.value, schema);
      };
    }
    case "structuredDatasetType": {
      const dataset = t.value;
      return (upstream) => {
        // Structured datasets are nullable.
        if (isNoneType(upstream)) return true;
        if (upstream.type.case === "schema") {
          if (dataset.format !== "" && !equalFold(dataset.format, "parquet")) return false;
          return structuredDatasetFromSchema(upstream.type.value, dataset);
        }
        if (upstream.type.case !== "structuredDatasetType") return false;
        return structuredDatasetFromStructuredDataset(upstream.type.value, dataset);
      };
    }
    case "unionType": {
      const variants = t.value.variants;
      return (upstream) => {
        if (upstream.type.case === "unionType") {
          // Every upstream variant must fit some downstream variant.
          return upstream.type.value.variants.every((u) => variants.some((d) => areTypesCastable(u, d)));
        }
        // Otherwise exactly one variant may accept the value: none or several is a failure.
        let found = false;
        for (const variant of variants) {
          if (!areTypesCastable(upstream, variant)) continue;
          if (found) return false;
          found = true;
        }
        return found;
      };
    }
    default:
      if (downstream !== undefined && isNoneType(downstream)) return isNoneType;
      return (upstream) => trivialCastsFrom(upstream, downstream);
  }
}

/** Go's isNoneType: set to `simple: NONE` (an unset type is not NONE). */
function isNoneType(type: LiteralType | undefined): boolean {
  return type?.type.case === "simple" && type.type.value === SimpleType.NONE;
}

function tagOf(type: LiteralType | undefined): string {
  return type?.structure?.tag ?? "";
}

function simpleOf(type: LiteralType | undefined): SimpleType | undefined {
  return type?.type.case === "simple" ? type.type.value : undefined;
}

/**
 * Go's trivialChecker: enum <-> string, then structure tags, then the STRUCT JSON-schema rule,
 * then exact equality of the `type` oneof with metadata, annotation and structure ignored.
 */
function trivialCastsFrom(upstream: LiteralType, downstream: LiteralType | undefined): boolean {
  // An enum is a constrained string: it is read as a string, and a string may become an enum
  // (whether the value is allowed is only known at run time).
  if (upstream.type.case === "enumType" && simpleOf(downstream) === SimpleType.STRING) return true;
  if (downstream?.type.case === "enumType" && simpleOf(upstream) === SimpleType.STRING) return true;

  const upstreamTag = tagOf(upstream);
  if (upstreamTag !== "" && tagOf(downstream) !== upstreamTag) return false;

  if (simpleOf(upstream) === SimpleType.STRUCT && simpleOf(downstream) === SimpleType.STRUCT) {
    const up = upstream.metadata;
    const down = downstream?.metadata;
    // Older flytekit versions sent no JSON schema; such structs stay compatible with everything.
    if (up === undefined || down === undefined) return true;
    return sameJson(up, down) || schemaSatisfies(up, down);
  }

  return sameTypeOneof(upstream, downstream);
}

/**
 * Go compares the prototext of both types after blanking metadata/annotation/structure, i.e. the
 * `type` oneof must be identical. The trivial checker only runs for a downstream that is a simple
 * type, an enum or unset, so those are the cases that can match.
 */
function sameTypeOneof(upstream: LiteralType, downstream: LiteralType | undefined): boolean {
  const a = upstream.type;
  const b = downstream?.type ?? { case: undefined };
  if (a.case !== b.case) return false;
  if (a.case === undefined) return true;
  if (a.case === "simple" && b.case === "simple") return a.value === b.value;
  if (a.case === "enumType" && b.case === "enumType") {
    const x = a.value.values;
    const y = b.value.values;
    return x.length === y.length && x.every((v, i) => v === y[i]);
  }
  // Not reachable through checkerFor (other kinds have their own checkers).
  return false;
}

/** strings.EqualFold for the format names involved (ASCII and simple Unicode case folding). */
function equalFold(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase() || a.toUpperCase() === b.toUpperCase();
}

function schemaFromSchema(upstream: SchemaType, downstream: SchemaType): boolean {
  if (upstream.columns.length === 0 || downstream.columns.length === 0) return true;
  const types = new Map(upstream.columns.map((c) => [c.name, c.type]));
  return downstream.columns.every((c) => types.has(c.name) && types.get(c.name) === c.type);
}

function schemaFromStructuredDataset(upstream: StructuredDatasetType, downstream: SchemaType): boolean {
  if (upstream.columns.length === 0 || downstream.columns.length === 0) return true;
  const types = new Map(upstream.columns.map((c) => [c.name, simpleOf(c.literalType) ?? SimpleType.NONE]));
  return downstream.columns.every((c) => types.has(c.name) && schemaColumnMatches(c.type, types.get(c.name)!));
}

function structuredDatasetFromSchema(upstream: SchemaType, downstream: StructuredDatasetType): boolean {
  if (upstream.columns.length === 0 || downstream.columns.length === 0) return true;
  const types = new Map(upstream.columns.map((c) => [c.name, c.type]));
  return downstream.columns.every(
    (c) => types.has(c.name) && schemaColumnMatches(types.get(c.name)!, simpleOf(c.literalType) ?? SimpleType.NONE),
  );
}

function structuredDatasetFromStructuredDataset(
  upstream: StructuredDatasetType,
  downstream: StructuredDatasetType,
): boolean {
  // An empty format on either side skips the format check (flyteorg/flyte#2864).
  if (upstream.format !== "" && downstream.format !== "" && !equalFold(upstream.format, downstream.format)) {
    return false;
  }
  if (upstream.columns.length === 0 || downstream.columns.length === 0) return true;
  const types = new Map(upstream.columns.map((c) => [c.name, c.literalType]));
  return downstream.columns.every((c) => {
    if (!types.has(c.name)) return false;
    const upstreamType = types.get(c.name);
    // Go would dereference a nil column type and panic; a missing type is treated as unset.
    return checkerFor(c.literalType)(upstreamType ?? UNSET);
  });
}

const UNSET: LiteralType = create(LiteralTypeSchema);

function schemaColumnMatches(column: ColumnType, simple: SimpleType): boolean {
  switch (column) {
    case ColumnType.INTEGER:
      return simple === SimpleType.INTEGER;
    case ColumnType.FLOAT:
      return simple === SimpleType.FLOAT;
    case ColumnType.STRING:
      return simple === SimpleType.STRING;
    case ColumnType.BOOLEAN:
      return simple === SimpleType.BOOLEAN;
    case ColumnType.DATETIME:
      return simple === SimpleType.DATETIME;
    case ColumnType.DURATION:
      return simple === SimpleType.DURATION;
    default:
      return false;
  }
}
