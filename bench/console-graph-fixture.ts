// The console's big-graph fixture, shared by bench/console-graph.ts and test/console-actions.test.ts: a workflow
// of 1,000 task nodes (parallel chains), and a finished run of it written as the engine would report it (node and
// task events through AdminService) without running 1,000 task processes.
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { Client } from "@connectrpc/connect";
import {
  NodeExecution_Phase,
  TaskExecution_Phase,
  WorkflowExecution_Phase,
} from "../src/idl/gen/flyteidl/core/execution_pb.js";
import type { AdminService } from "../src/idl/gen/flyteidl/service/admin_pb.js";
import { LiteralMapSchema } from "../src/idl/index.js";

export const GRAPH_NODES = 1000;
const CHAINS = 25;

/** `graph.ts`: GRAPH_NODES no-op tasks in CHAINS parallel chains, all started from the workflow's input. */
export const GRAPH_WORKFLOW_FILE = "graph.ts";
export const GRAPH_LAUNCH_PLAN = "graph.graph_1000";
export const GRAPH_WORKFLOW_SOURCE = `import { t, task, workflow } from "tsflyte";

export const step = task({ inputs: { x: t.int() }, outputs: { x: t.int() } }, ({ x }) => ({ x: x + 1 }));

export const graph_1000 = workflow(
  { inputs: { x: t.int().default(0) }, outputs: { x: t.int() } },
  ({ x }) => {
    const ends = [];
    for (let chain = 0; chain < ${CHAINS}; chain++) {
      let value = x;
      for (let i = 0; i < ${GRAPH_NODES / CHAINS}; i++) value = step({ x: value }).x;
      ends.push(value);
    }
    return { x: ends[0] };
  },
);
`;

/** Admin settings the fixture needs: flyteadmin's default limit of 100 nodes per workflow is lifted. */
export const GRAPH_ADMIN_SETTINGS = { registration: { maxWorkflowNodes: 0 } };

/**
 * Creates an execution of the graph workflow and reports it SUCCEEDED with every node and one task attempt per
 * node, as the engine would (RUNNING then SUCCEEDED each). Call it on a cluster without an engine, or the engine
 * would run the execution too. `attempts: false` reports only each node's SUCCEEDED (4x fewer events, for tests
 * that only draw the graph). Returns the execution's name.
 */
export async function seedGraphRun(
  client: Client<typeof AdminService>,
  scope: { project: string; domain: string; version: string },
  options: { attempts: boolean } = { attempts: true },
): Promise<string> {
  const { project, domain, version } = scope;
  const created = await client.createExecution({
    project,
    domain,
    spec: { launchPlan: { resourceType: 3, project, domain, name: GRAPH_LAUNCH_PLAN, version } },
    inputs: create(LiteralMapSchema, {}),
  });
  const executionId = { project, domain, name: created.id?.name ?? "" };
  const execution = await client.getExecution({ id: executionId });
  const workflow = await client.getWorkflow({ id: execution.closure?.workflowId });
  const nodes = (workflow.closure?.compiledWorkflow?.primary?.template?.nodes ?? []).filter(
    (n) => n.id !== "start-node" && n.id !== "end-node",
  );
  let clock = Date.now();
  const at = () => timestampFromMs(clock++);
  const producerId = "console-graph-fixture";
  await client.createWorkflowEvent({
    event: { executionId, producerId, phase: WorkflowExecution_Phase.RUNNING, occurredAt: at() },
  });
  const report = async (node: (typeof nodes)[number]) => {
    const nodeExecutionId = { nodeId: node.id, executionId };
    const taskId =
      node.target.case === "taskNode" && node.target.value.reference.case === "referenceId"
        ? node.target.value.reference.value
        : undefined;
    const nodeEvent = (phase: NodeExecution_Phase) =>
      client.createNodeEvent({
        event: {
          id: nodeExecutionId,
          producerId,
          phase,
          specNodeId: node.id,
          nodeName: node.id,
          occurredAt: at(),
          eventVersion: 2,
        },
      });
    const taskEvent = (phase: TaskExecution_Phase) =>
      client.createTaskEvent({
        event: {
          taskId,
          parentNodeExecutionId: nodeExecutionId,
          producerId,
          retryAttempt: 0,
          phase,
          taskType: "python-task",
          occurredAt: at(),
          eventVersion: 1,
        },
      });
    if (options.attempts) {
      await nodeEvent(NodeExecution_Phase.RUNNING);
      await taskEvent(TaskExecution_Phase.RUNNING);
      await taskEvent(TaskExecution_Phase.SUCCEEDED);
    }
    await nodeEvent(NodeExecution_Phase.SUCCEEDED);
  };
  // A few nodes at a time, as an engine reports a wide graph; admin orders each execution's events by its lock.
  const queue = [...nodes];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let node = queue.shift(); node; node = queue.shift()) await report(node);
    }),
  );
  await client.createWorkflowEvent({
    event: {
      executionId,
      producerId,
      phase: WorkflowExecution_Phase.SUCCEEDED,
      occurredAt: at(),
      outputResult: { case: "outputData", value: create(LiteralMapSchema, {}) },
    },
  });
  return executionId.name;
}
