import type { GraphNode, NodeOverrides } from "./graph.js";
import { currentScope } from "./graph.js";
import { fileUrl, moduleFile, moduleName } from "./naming.js";
import { callerLocation } from "./source.js";
import { WfPromise, type Bindable } from "./promise.js";
import type { AnyType, Type, ValueOf } from "./types/index.js";

/** Marks objects the CLI treats as tsflyte entities, across copies of the SDK. */
export const ENTITY = Symbol.for("tsflyte.entity");
/** Marks the object a node call returns, to reach its node. */
export const NODE = Symbol.for("tsflyte.node");

export type TypeMap = Record<string, AnyType>;

type RequiredKeys<I> = { [K in keyof I]: I[K] extends Type<unknown, true> ? never : K }[keyof I];
type OptionalKeys<I> = Exclude<keyof I, RequiredKeys<I>>;

/** What a node call takes: every input without a default, promises or values. */
export type CallInputs<I extends TypeMap> = { [K in RequiredKeys<I>]: Bindable<ValueOf<I[K]>> } & {
  [K in OptionalKeys<I>]?: Bindable<ValueOf<I[K]>>;
};

/** Every input's value, defaults filled in: what a task function receives. */
export type Values<M extends TypeMap> = { [K in keyof M]: ValueOf<M[K]> };

/** What a workflow function receives: a promise per input. */
export type Promises<M extends TypeMap> = { readonly [K in keyof M]: WfPromise<ValueOf<M[K]>> };

/** Anything a node call returned, whatever its outputs. */
export type NodeRef = { readonly [NODE]: GraphNode };

export interface NodeHandle<O extends TypeMap> {
  /** Per-node overrides: display name, retries, timeout (ms), interruptible. */
  with(overrides: NodeOverrides): NodeOutputs<O>;
  /** Runs this node only after `others` have finished, though no data flows between them. */
  after(...others: NodeRef[]): NodeOutputs<O>;
  readonly [NODE]: GraphNode;
}

/** A node call's result: a promise per output, plus `.with()` and `.after()`. */
export type NodeOutputs<O extends TypeMap> = Promises<O> & NodeHandle<O>;

const RESERVED_OUTPUTS = new Set(["with", "after", "then"]);

export type EntityKind = "task" | "workflow" | "launchPlan";

/** What tasks, workflows and launch plans share: a name, an interface, a defining module. */
export abstract class Entity {
  abstract readonly kind: EntityKind;
  /** The file whose top level created this entity. */
  readonly definedIn: string | undefined = callerLocation()?.file;
  /** The name it is exported under from `definedIn`, once known. */
  exportName: string | undefined;

  constructor(private readonly explicitName: string | undefined) {}

  abstract inputTypes(): TypeMap;
  abstract outputTypes(): TypeMap;

  /** flytekit's rule: `<module path>.<export name>`, unless the user named it. */
  get name(): string {
    if (this.explicitName) return this.explicitName;
    if (this.exportName && this.definedIn) return `${moduleName(this.definedIn)}.${this.exportName}`;
    throw new Error(
      `a ${this.kind} defined in ${this.definedIn ?? "an unknown file"} has no name: export it from that file ` +
        `or pass { name: "..." } to ${this.kind}()`,
    );
  }

  /** The short name used for node display names (the export name when known). */
  get shortName(): string {
    return this.exportName ?? this.name.split(".").at(-1) ?? this.name;
  }

  /** `examples/hello`: the module the runtime loads to find this entity. */
  get module(): string {
    if (!this.definedIn) throw new Error(`${this.name}: cannot tell which file defines it`);
    return moduleFile(this.definedIn);
  }

  /** Gives every exported-but-unnamed entity of its defining module its export name. */
  async resolveName(): Promise<void> {
    if (this.explicitName || this.exportName || !this.definedIn) return;
    bindExports(await import(fileUrl(this.definedIn)));
  }
}

/** Something that can be called inside a workflow and carries an entity. */
export type Callable = { readonly [ENTITY]: Entity };

export function entityOf(value: unknown): Entity | undefined {
  if ((typeof value === "function" || typeof value === "object") && value !== null && ENTITY in value) {
    return (value as Callable)[ENTITY];
  }
  return undefined;
}

/** Records export names for every entity a module exports (first export wins). */
export function bindExports(exports: Record<string, unknown>): Entity[] {
  const found: Entity[] = [];
  for (const [exportName, value] of Object.entries(exports)) {
    const entity = entityOf(value);
    if (!entity) continue;
    entity.exportName ??= exportName;
    found.push(entity);
  }
  return found;
}

export function checkOutputNames(kind: string, outputs: TypeMap): void {
  for (const name of Object.keys(outputs)) {
    if (RESERVED_OUTPUTS.has(name)) {
      throw new Error(`${kind} output "${name}" clashes with a node method; rename the output`);
    }
  }
}

/**
 * Adds a node for a call inside a workflow body and returns its output promises. `target`
 * says what kind of node it is; inputs are checked against `inputTypes` here so that a
 * wiring mistake points at the call, not at a later compile.
 */
export function addNode<O extends TypeMap>(
  entity: Entity,
  target: GraphNode["target"],
  inputs: Record<string, unknown>,
  inputTypes: TypeMap,
  outputTypes: O,
): NodeOutputs<O> {
  const scope = currentScope();
  if (!scope) {
    throw new Error(
      `${describeEntity(entity)} was called outside a workflow. Call it inside workflow(...), ` +
        "or run it with `tsflyte run` / runLocal().",
    );
  }
  const bound = new Map<string, unknown>();
  for (const [key, value] of Object.entries(inputs ?? {})) {
    if (!(key in inputTypes)) {
      throw new Error(
        `${describeEntity(entity)} has no input "${key}"; its inputs are: ${Object.keys(inputTypes).join(", ") || "(none)"}`,
      );
    }
    if (value !== undefined) bound.set(key, value);
  }
  for (const [key, type] of Object.entries(inputTypes)) {
    if (!bound.has(key) && !type.hasDefault) {
      throw new Error(`${describeEntity(entity)} needs input "${key}" (${type.name}) but the call does not pass it`);
    }
  }
  const node: GraphNode = {
    id: scope.nextId(),
    target,
    inputs: bound,
    inputTypes,
    outputTypes,
    after: [],
    overrides: {},
    source: callerLocation(),
  };
  scope.add(node);
  return nodeOutputs(node, outputTypes);
}

export function nodeOutputs<O extends TypeMap>(node: GraphNode, outputTypes: O): NodeOutputs<O> {
  const outputs: Record<string | symbol, unknown> = {};
  for (const [name, type] of Object.entries(outputTypes)) {
    outputs[name] = new WfPromise({ nodeId: node.id, variable: name, path: [] }, type);
  }
  const handle = outputs as unknown as NodeOutputs<O>;
  Object.defineProperties(handle, {
    [NODE]: { value: node },
    with: {
      value: (overrides: NodeOverrides) => {
        Object.assign(node.overrides, overrides);
        return handle;
      },
    },
    after: {
      value: (...others: NodeRef[]) => {
        node.after.push(...others.map((o) => o[NODE]));
        return handle;
      },
    },
  });
  return handle;
}

export function describeEntity(entity: Entity): string {
  const label = entity.kind === "launchPlan" ? "launch plan" : entity.kind;
  try {
    return `${label} ${entity.name}`;
  } catch {
    return `${label} defined in ${entity.definedIn ?? "an unknown file"}`;
  }
}
