// Hand-built flyteidl workflows of any size, for compiler property tests and benchmarks:
// a chain, a fan-out/fan-in, and random DAGs over one int -> int task and one list -> int task.
import { create } from "@bufbuild/protobuf";
import {
  type BindingData,
  BindingDataSchema,
  type Identifier,
  IdentifierSchema,
  type Node,
  NodeSchema,
  ResourceType,
  SimpleType,
  type TaskTemplate,
  TaskTemplateSchema,
  type WorkflowTemplate,
  WorkflowTemplateSchema,
} from "../../src/idl/index.js";

const INT = { type: { case: "simple", value: SimpleType.INTEGER } } as const;
const INT_LIST = { type: { case: "collectionType", value: INT } } as const;

function id(resourceType: ResourceType, name: string): Identifier {
  return create(IdentifierSchema, { resourceType, project: "p", domain: "d", name, version: "v1" });
}

export const incrementId = id(ResourceType.TASK, "gen.increment");
export const sumId = id(ResourceType.TASK, "gen.sum");

function task(taskId: Identifier, input: typeof INT | typeof INT_LIST): TaskTemplate {
  return create(TaskTemplateSchema, {
    id: taskId,
    type: "container",
    interface: {
      inputs: { variables: { a: { type: input, description: "a" } } },
      outputs: { variables: { o: { type: INT, description: "o" } } },
    },
    target: { case: "container", value: { image: "example.com/gen:1", args: ["run"] } },
  });
}

/** The two tasks every generated workflow uses. */
export const generatedTasks: TaskTemplate[] = [task(incrementId, INT), task(sumId, INT_LIST)];

export function promise(nodeId: string, variable: string): BindingData {
  return create(BindingDataSchema, { value: { case: "promise", value: { nodeId, var: variable } } });
}

export function taskNode(nodeId: string, taskId: Identifier, a: BindingData): Node {
  return create(NodeSchema, {
    id: nodeId,
    metadata: { name: nodeId },
    inputs: [{ var: "a", binding: a }],
    target: { case: "taskNode", value: { reference: { case: "referenceId", value: taskId } } },
  });
}

function workflowOf(name: string, nodes: Node[], last: string): WorkflowTemplate {
  return create(WorkflowTemplateSchema, {
    id: id(ResourceType.WORKFLOW, name),
    metadata: {},
    interface: {
      inputs: { variables: { x: { type: INT, description: "x" } } },
      outputs: { variables: { o: { type: INT, description: "o" } } },
    },
    nodes,
    outputs: [{ var: "o", binding: promise(last, "o") }],
    metadataDefaults: {},
  });
}

/** n nodes in a line: each increments the previous one's output. */
export function chainWorkflow(n: number): WorkflowTemplate {
  const nodes: Node[] = [];
  for (let i = 0; i < n; i++)
    nodes.push(taskNode(`n${i}`, incrementId, i === 0 ? promise("", "x") : promise(`n${i - 1}`, "o")));
  return workflowOf(`gen.chain_${n}`, nodes, `n${n - 1}`);
}

/** One source node, n - 2 parallel nodes reading it, one node summing them all. */
export function fanWorkflow(n: number): WorkflowTemplate {
  const width = Math.max(n - 2, 1);
  const nodes: Node[] = [taskNode("n0", incrementId, promise("", "x"))];
  for (let i = 1; i <= width; i++) nodes.push(taskNode(`n${i}`, incrementId, promise("n0", "o")));
  const all = create(BindingDataSchema, {
    value: { case: "collection", value: { bindings: nodes.slice(1).map((node) => promise(node.id, "o")) } },
  });
  nodes.push(taskNode("join", sumId, all));
  return workflowOf(`gen.fan_${n}`, nodes, "join");
}

/**
 * A DAG given as each node's upstream node indexes (all smaller than the node's own index),
 * wired through list inputs so any number of upstreams fits: node i sums its upstreams'
 * outputs, or reads the workflow input when it has none.
 */
export function dagWorkflow(upstreams: number[][]): WorkflowTemplate {
  const nodes = upstreams.map((ups, i) =>
    taskNode(
      `n${i}`,
      sumId,
      create(BindingDataSchema, {
        value: {
          case: "collection",
          value: { bindings: ups.length === 0 ? [promise("", "x")] : ups.map((u) => promise(`n${u}`, "o")) },
        },
      }),
    ),
  );
  return workflowOf("gen.dag", nodes, `n${upstreams.length - 1}`);
}
