import {
  type CallInputs,
  type Callable,
  ENTITY,
  Entity,
  type NodeOutputs,
  type Promises,
  type TypeMap,
  addNode,
  checkOutputNames,
  describeEntity,
  entityOf,
} from "./entity.js";
import { type GraphNode, WorkflowScope, withScope } from "./graph.js";
import { type Bindable, WfPromise } from "./promise.js";
import type { ValueOf } from "./types/index.js";

export type FailurePolicy = "immediately" | "afterExecutableNodes";

export interface WorkflowOptions<I extends TypeMap, O extends TypeMap> {
  /** Overrides the default name `<module>.<export name>`. */
  name?: string;
  inputs?: I;
  outputs?: O;
  /** A task or workflow run when this workflow fails; it receives the workflow inputs it names. */
  onFailure?: Callable;
  /** Stop at the first failed node (default), or let independent nodes finish first. */
  failurePolicy?: FailurePolicy;
  /** Default for every node: may run on interruptible (cheaper, preemptible) capacity. */
  interruptible?: boolean;
  docs?: string;
}

/** What a workflow body returns: a value or promise per output. */
export type Bindings<O extends TypeMap> = { [K in keyof O]: Bindable<ValueOf<O[K]>> };

export type WorkflowBody<I extends TypeMap, O extends TypeMap> = (
  inputs: Promises<I>,
) => keyof O extends never ? Bindings<O> | undefined : Bindings<O>;

/** The graph a workflow body builds, recorded once on first use. */
export interface WorkflowGraph {
  nodes: GraphNode[];
  outputs: Map<string, unknown>;
  failureNode: GraphNode | undefined;
}

export class WorkflowEntity<I extends TypeMap = TypeMap, O extends TypeMap = TypeMap> extends Entity {
  readonly kind = "workflow";
  private built: WorkflowGraph | undefined;
  private building = false;

  constructor(
    readonly options: WorkflowOptions<I, O>,
    readonly body: WorkflowBody<I, O>,
  ) {
    super(options.name);
    checkOutputNames("workflow", options.outputs ?? {});
  }

  inputTypes(): I {
    return (this.options.inputs ?? {}) as I;
  }

  outputTypes(): O {
    return (this.options.outputs ?? {}) as O;
  }

  /** Runs the body once with promises for inputs and records the nodes it creates. */
  graph(): WorkflowGraph {
    if (this.built) return this.built;
    if (this.building) throw new Error(`${describeEntity(this)} calls itself; a workflow cannot contain itself`);
    this.building = true;
    try {
      this.built = this.build();
      return this.built;
    } finally {
      this.building = false;
    }
  }

  private build(): WorkflowGraph {
    const scope = new WorkflowScope();
    const inputs: Record<string, WfPromise<unknown>> = {};
    for (const [name, type] of Object.entries(this.inputTypes())) {
      inputs[name] = new WfPromise({ nodeId: "", variable: name, path: [] }, type);
    }
    const returned = withScope(scope, () => this.body(inputs as Promises<I>));
    const outputs = returnedOutputs(this, returned);
    return { nodes: scope.nodes, outputs, failureNode: this.buildFailureNode(inputs) };
  }

  private buildFailureNode(inputs: Record<string, WfPromise<unknown>>): GraphNode | undefined {
    const handler = this.options.onFailure && entityOf(this.options.onFailure);
    if (!handler) return undefined;
    if (handler.kind === "launchPlan") throw new Error(`${describeEntity(this)}: onFailure must be a task or workflow`);
    const passed: Record<string, unknown> = {};
    for (const name of Object.keys(handler.inputTypes())) {
      if (name in inputs) passed[name] = inputs[name];
    }
    const scope = new WorkflowScope();
    withScope(scope, () =>
      addNode(
        handler,
        { kind: handler.kind as "task" | "workflow", entity: handler },
        passed,
        handler.inputTypes(),
        handler.outputTypes(),
      ),
    );
    const node = scope.nodes[0];
    node.id = "fn0";
    return node;
  }
}

/**
 * What a workflow (or dynamic task) body returned, checked against the declared outputs: one
 * promise or value per output, nothing else.
 */
export function returnedOutputs(entity: Entity, returned: unknown): Map<string, unknown> {
  const value = returned ?? {};
  if (typeof value !== "object" || value instanceof WfPromise) {
    throw new Error(
      `${describeEntity(entity)} must return an object with its outputs by name, e.g. { ${Object.keys(entity.outputTypes())[0] ?? "out"}: ... }`,
    );
  }
  const outputs = new Map<string, unknown>();
  const declared = entity.outputTypes();
  for (const [name, output] of Object.entries(value)) {
    if (!(name in declared)) {
      throw new Error(
        `${describeEntity(entity)} returns "${name}" which is not a declared output; outputs: ${Object.keys(declared).join(", ") || "(none)"}`,
      );
    }
    outputs.set(name, output);
  }
  for (const name of Object.keys(declared)) {
    if (!outputs.has(name)) throw new Error(`${describeEntity(entity)} does not return its output "${name}"`);
  }
  return outputs;
}

export type Workflow<I extends TypeMap, O extends TypeMap> = ((inputs: CallInputs<I>) => NodeOutputs<O>) &
  Callable & { readonly [ENTITY]: WorkflowEntity<I, O> };

/**
 * Defines a workflow: `body` receives a promise per input, calls tasks, workflows and launch
 * plans, and returns its outputs. Called inside another workflow it becomes a subworkflow node.
 */
export function workflow<I extends TypeMap = Record<never, never>, O extends TypeMap = Record<never, never>>(
  options: WorkflowOptions<I, O>,
  body: WorkflowBody<I, O>,
): Workflow<I, O> {
  const entity = new WorkflowEntity(options, body);
  const call = (inputs: CallInputs<I>) =>
    addNode(
      entity,
      { kind: "workflow", entity },
      inputs as Record<string, unknown>,
      entity.inputTypes(),
      entity.outputTypes(),
    );
  return Object.defineProperty(call, ENTITY, { value: entity }) as unknown as Workflow<I, O>;
}
