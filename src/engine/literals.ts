// Reading and building literals: node inputs from bindings, outputs read back from the blob store, and the few
// literal shapes the engine makes itself (collections of map-task outputs, none values, error unions).
import { create, fromBinary, type JsonValue, toBinary } from "@bufbuild/protobuf";
import {
  type BindingData,
  type Literal,
  type LiteralMap,
  LiteralMapSchema,
  LiteralSchema,
  type OutputReference,
  type Primitive,
} from "../idl/index.js";
import { BlobNotFoundError, type BlobStore } from "../storage/index.js";
import { NodeFailure, systemError } from "./errors.js";

/** Reads LiteralMaps from the store, remembering recent ones: downstream nodes read the same outputs repeatedly. */
export class LiteralStore {
  private readonly cache = new Map<string, LiteralMap>();

  constructor(
    readonly store: BlobStore,
    private readonly capacity = 2_000,
  ) {}

  async read(uri: string): Promise<LiteralMap> {
    const cached = this.cache.get(uri);
    if (cached !== undefined) return cached;
    const map = fromBinary(LiteralMapSchema, await this.store.get(uri));
    this.remember(uri, map);
    return map;
  }

  /** The map at `uri`, or undefined when no such blob exists. */
  async readIfPresent(uri: string): Promise<LiteralMap | undefined> {
    try {
      return await this.read(uri);
    } catch (error) {
      if (error instanceof BlobNotFoundError) return undefined;
      throw error;
    }
  }

  async write(uri: string, map: LiteralMap): Promise<void> {
    await this.store.put(uri, toBinary(LiteralMapSchema, map));
    this.remember(uri, map);
  }

  private remember(uri: string, map: LiteralMap): void {
    if (this.cache.size >= this.capacity) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(uri, map);
  }
}

export const emptyLiteralMap = (): LiteralMap => create(LiteralMapSchema, { literals: {} });

export const noneLiteral = (): Literal =>
  create(LiteralSchema, { value: { case: "scalar", value: { value: { case: "noneType", value: {} } } } });

export const collectionLiteral = (literals: Literal[]): Literal =>
  create(LiteralSchema, { value: { case: "collection", value: { literals } } });

/** Where a node's outputs are: the outputs.pb of the attempt (or child) that produced them. */
export type OutputLocator = (nodeId: string) => string | undefined;

/**
 * A node's inputs from its bindings: constants as given, promises read from the producing node's outputs and
 * walked along their attribute path. Any failure is flytepropeller's SYSTEM `BindingResolutionFailure`.
 */
export async function resolveBindings(
  bindings: { var: string; binding?: BindingData }[],
  outputsOf: OutputLocator,
  literals: LiteralStore,
): Promise<LiteralMap> {
  const result: Record<string, Literal> = {};
  for (const binding of bindings) {
    if (binding.binding === undefined) {
      throw new NodeFailure(systemError("BindingResolutionFailure", `binding for input ${binding.var} is empty`));
    }
    result[binding.var] = await resolveBindingData(binding.binding, binding.var, outputsOf, literals);
  }
  return create(LiteralMapSchema, { literals: result });
}

async function resolveBindingData(
  data: BindingData,
  name: string,
  outputsOf: OutputLocator,
  literals: LiteralStore,
): Promise<Literal> {
  let literal: Literal;
  switch (data.value.case) {
    case "scalar":
      literal = create(LiteralSchema, { value: { case: "scalar", value: data.value.value } });
      break;
    case "collection": {
      const items = [];
      for (const item of data.value.value.bindings)
        items.push(await resolveBindingData(item, name, outputsOf, literals));
      literal = collectionLiteral(items);
      break;
    }
    case "map": {
      const entries: Record<string, Literal> = {};
      for (const [key, item] of Object.entries(data.value.value.bindings)) {
        entries[key] = await resolveBindingData(item, name, outputsOf, literals);
      }
      literal = create(LiteralSchema, { value: { case: "map", value: { literals: entries } } });
      break;
    }
    case "promise":
      literal = await resolvePromise(data.value.value, name, outputsOf, literals);
      break;
    case "offloadedMetadata":
      literal = create(LiteralSchema, { value: { case: "offloadedMetadata", value: data.value.value } });
      break;
    default:
      throw new NodeFailure(systemError("BindingResolutionFailure", `binding for input ${name} has no value`));
  }
  if (data.union?.targetType !== undefined) {
    return create(LiteralSchema, {
      value: {
        case: "scalar",
        value: { value: { case: "union", value: { value: literal, type: data.union.targetType } } },
      },
    });
  }
  return literal;
}

async function resolvePromise(
  ref: OutputReference,
  name: string,
  outputsOf: OutputLocator,
  literals: LiteralStore,
): Promise<Literal> {
  const uri = outputsOf(ref.nodeId);
  const fail = (why: string) =>
    new NodeFailure(
      systemError("BindingResolutionFailure", `input ${name}: output ${ref.var} of node ${ref.nodeId} ${why}`),
    );
  if (uri === undefined) throw fail("is not available: the node has not produced outputs");
  const outputs = await literals.readIfPresent(uri);
  if (outputs === undefined) throw fail(`was not found: ${uri} does not exist`);
  let literal = outputs.literals[ref.var];
  if (literal === undefined) throw fail(`is missing from ${uri}`);
  for (const step of ref.attrPath) {
    literal = await walkAttribute(literal, step.value, literals, () =>
      fail(`has no attribute ${String(step.value.value)}`),
    );
  }
  return literal;
}

async function walkAttribute(
  literal: Literal,
  step:
    | { case: "stringValue"; value: string }
    | { case: "intValue"; value: number }
    | { case: undefined; value?: undefined },
  literals: LiteralStore,
  missing: () => Error,
): Promise<Literal> {
  if (literal.value.case === "offloadedMetadata") {
    literal = fromBinary(LiteralSchema, await literals.store.get(literal.value.value.uri));
  }
  if (step.case === "stringValue" && literal.value.case === "map") {
    const next = literal.value.value.literals[step.value];
    if (next !== undefined) return next;
  }
  if (step.case === "intValue" && literal.value.case === "collection") {
    const next = literal.value.value.literals[step.value];
    if (next !== undefined) return next;
  }
  if (step.case === "stringValue" && literal.value.case === "scalar" && literal.value.value.value.case === "generic") {
    const field = literal.value.value.value.value[step.value];
    if (field !== undefined) return jsonValueLiteral(field);
  }
  throw missing();
}

/** A struct field taken out of a generic literal, as flytepropeller returns it: primitives as primitives. */
function jsonValueLiteral(value: JsonValue): Literal {
  const primitive = (inner: Primitive["value"]) =>
    create(LiteralSchema, {
      value: { case: "scalar", value: { value: { case: "primitive", value: { value: inner } } } },
    });
  if (typeof value === "string") return primitive({ case: "stringValue", value });
  if (typeof value === "boolean") return primitive({ case: "boolean", value });
  if (typeof value === "number") {
    return Number.isInteger(value)
      ? primitive({ case: "integer", value: BigInt(value) })
      : primitive({ case: "floatValue", value });
  }
  if (Array.isArray(value)) return collectionLiteral(value.map(jsonValueLiteral));
  if (value === null) return noneLiteral();
  return create(LiteralSchema, { value: { case: "scalar", value: { value: { case: "generic", value } } } });
}
