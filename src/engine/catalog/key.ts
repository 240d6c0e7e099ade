// The cache key of a task execution, as flytepropeller derives it for datacatalog
// (catalog/datacatalog/transformer.go, pluginmachinery/catalog/hashing.go): a dataset per task name and
// cache version + interface, and within it a tag per input values.
import { create } from "@bufbuild/protobuf";
import {
  type Literal,
  type LiteralMap,
  LiteralMapSchema,
  LiteralSchema,
  type TaskTemplate,
  type VariableMap,
  VariableMapSchema,
} from "../../idl/index.js";
import { protoHash } from "./objecthash.js";

export interface CatalogKey {
  /** The task's project and domain: a cache is shared by every execution of the task in them. */
  datasetProject: string;
  datasetDomain: string;
  /** `flyte_task-<task name>`. */
  datasetName: string;
  /** `<discovery_version>-<inputs interface hash>-<outputs interface hash>`, each hash 8 characters. */
  datasetVersion: string;
  /** `flyte_cached-<input values hash>`. */
  tag: string;
}

/** Flyte truncates the interface hashes in the dataset version to this many characters. */
const INTERFACE_HASH_LENGTH = 8;

export function catalogKey(task: TaskTemplate, inputs: LiteralMap): CatalogKey {
  const id = task.id;
  if (id === undefined) {
    throw new Error("catalog key: the task template has no id; cache keys are per task project, domain and name");
  }
  const version = (task.metadata?.discoveryVersion ?? "").replace(/^ +| +$/g, "");
  if (version === "") {
    throw new Error(
      `catalog key for task ${id.project}/${id.domain}/${id.name}: metadata.discovery_version is empty; ` +
        "a cached task needs a cache version (cache_version in flytekit, cacheVersion in tsflyte)",
    );
  }
  const inputsHash = interfaceHash(task.interface?.inputs).slice(0, INTERFACE_HASH_LENGTH);
  const outputsHash = interfaceHash(task.interface?.outputs).slice(0, INTERFACE_HASH_LENGTH);
  return {
    datasetProject: id.project,
    datasetDomain: id.domain,
    datasetName: `flyte_task-${id.name}`,
    datasetVersion: `${version}-${inputsHash}-${outputsHash}`,
    tag: `flyte_cached-${inputValuesHash(inputs, task.metadata?.cacheIgnoreInputVars ?? [])}`,
  };
}

/** base64url (unpadded) of the hash of a variable map; a missing map hashes as an empty one. */
function interfaceHash(variables: VariableMap | undefined): string {
  return protoHash(VariableMapSchema, variables ?? create(VariableMapSchema)).toString("base64url");
}

/**
 * HashLiteralMap: the inputs minus the ignored ones, each literal that carries a `hash` (offloaded or
 * SDK-hashed values) replaced by that hash alone so that equal data at different locations hits the cache.
 */
function inputValuesHash(inputs: LiteralMap, ignored: readonly string[]): string {
  const literals: Record<string, Literal> = {};
  for (const [name, literal] of Object.entries(inputs.literals)) {
    if (!ignored.includes(name)) literals[name] = hashify(literal);
  }
  return protoHash(LiteralMapSchema, create(LiteralMapSchema, { literals })).toString("base64url");
}

function hashify(literal: Literal): Literal {
  if (literal.hash !== "") return create(LiteralSchema, { hash: literal.hash });
  // Flyte rebuilds collections and maps from their hashified members, dropping the container's metadata.
  if (literal.value.case === "collection") {
    const members = literal.value.value.literals.map(hashify);
    return create(LiteralSchema, { value: { case: "collection", value: { literals: members } } });
  }
  if (literal.value.case === "map") {
    const members = Object.fromEntries(Object.entries(literal.value.value.literals).map(([k, v]) => [k, hashify(v)]));
    return create(LiteralSchema, { value: { case: "map", value: { literals: members } } });
  }
  return literal;
}
