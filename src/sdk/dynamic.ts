import { ENTITY, type CallInputs, type NodeOutputs, type TypeMap, type Values, addNode } from "./entity.js";
import { type GraphNode, WorkflowScope, withAsyncScope } from "./graph.js";
import { type Task, type TaskContext, TaskEntity, type TaskOptions } from "./task.js";
import { type Bindings, returnedOutputs } from "./workflow.js";

/** The body of a dynamic task: real input values in, calls to tasks and workflows, outputs back. */
export type DynamicBody<I extends TypeMap, O extends TypeMap> = (
  inputs: Values<I>,
  context: TaskContext,
) => Bindings<O> | Promise<Bindings<O>>;

/** The nodes one run of a dynamic task's body created (`dn0`, `dn1`, ...) and its outputs. */
export interface DynamicGraph {
  nodes: GraphNode[];
  outputs: Map<string, unknown>;
}

/**
 * A task whose body builds a workflow at run time, from its real input values (flytekit's
 * `@dynamic`). It registers and runs as a container task; in the container its body does not
 * run the tasks it calls but describes them (futures.pb) for the engine to run.
 */
export class DynamicEntity<I extends TypeMap = TypeMap, O extends TypeMap = TypeMap> extends TaskEntity<I, O> {
  constructor(
    options: TaskOptions<I, O>,
    readonly body: DynamicBody<I, O>,
  ) {
    super(options, notAFunction);
  }

  /** Runs the body once with `inputs` and records the nodes its calls create. */
  async graph(inputs: Values<I>, context: TaskContext): Promise<DynamicGraph> {
    const scope = new WorkflowScope("dn");
    const returned = await withAsyncScope(scope, async () => this.body(inputs, context));
    return { nodes: scope.nodes, outputs: returnedOutputs(this, returned) };
  }
}

/** The runners build a dynamic task's graph from its body; nothing calls it as a plain task function. */
function notAFunction(): never {
  throw new Error(
    "a dynamic task cannot run as a plain task function; run it with runLocal(), tsflyte run or tsflyte-execute, which build its graph from its body",
  );
}

/**
 * Defines a dynamic task: `body` receives every input's value, calls tasks, workflows and launch
 * plans (a number of times that may depend on those values) and returns its outputs, promises
 * or values. Called inside a workflow it is a task node like any other.
 */
export function dynamic<I extends TypeMap = Record<never, never>, O extends TypeMap = Record<never, never>>(
  options: TaskOptions<I, O>,
  body: DynamicBody<I, O>,
): Task<I, O> {
  const entity = new DynamicEntity(options, body);
  const call = (inputs: CallInputs<I>): NodeOutputs<O> =>
    addNode(
      entity,
      { kind: "task", entity },
      inputs as Record<string, unknown>,
      entity.inputTypes(),
      entity.outputTypes(),
    );
  return Object.defineProperty(call, ENTITY, { value: entity }) as unknown as Task<I, O>;
}
