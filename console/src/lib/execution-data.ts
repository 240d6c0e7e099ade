// What the execution page shows, in two passes per poll: the execution, its workflow and its node executions
// first (enough to draw the graph coloured by phase, even for 1,000 nodes), then the nodes' task attempts, which
// take one request per node. Task executions of finished nodes never change, so they are kept between polls and
// only running nodes' attempts are fetched again.
import type { Execution } from "../../../src/idl/gen/flyteidl/admin/execution_pb.js";
import type { NodeExecution } from "../../../src/idl/gen/flyteidl/admin/node_execution_pb.js";
import type { TaskExecution } from "../../../src/idl/gen/flyteidl/admin/task_execution_pb.js";
import type { Workflow } from "../../../src/idl/gen/flyteidl/admin/workflow_pb.js";
import { NodeExecution_Phase } from "../../../src/idl/gen/flyteidl/core/execution_pb.js";
import { admin } from "./api.js";

export type ExecutionIds = { project: string; domain: string; name: string };

export interface ExecutionSnapshot {
  execution: Execution;
  workflow: Workflow | undefined;
  /** Top-level node executions, without the start and end nodes. */
  nodes: NodeExecution[];
  /** Task attempts by node id, oldest first. */
  attempts: Map<string, TaskExecution[]>;
}

const FINAL_NODE = new Set([
  NodeExecution_Phase.SUCCEEDED,
  NodeExecution_Phase.FAILED,
  NodeExecution_Phase.ABORTED,
  NodeExecution_Phase.SKIPPED,
  NodeExecution_Phase.TIMED_OUT,
  NodeExecution_Phase.RECOVERED,
]);

const NODE_PAGE = 500;

/** The execution and its nodes; `attempts` are the previous poll's (or none) until loadAttempts fills them. */
export async function loadSnapshot(
  id: ExecutionIds,
  previous: ExecutionSnapshot | undefined,
): Promise<ExecutionSnapshot> {
  const execution = await admin.getExecution({ id });
  const workflowId = execution.closure?.workflowId;
  const workflow =
    previous?.workflow ?? (workflowId ? await admin.getWorkflow({ id: workflowId }).catch(() => undefined) : undefined);
  const nodes: NodeExecution[] = [];
  let token = "";
  do {
    const page = await admin.listNodeExecutions({ workflowExecutionId: id, limit: NODE_PAGE, token });
    nodes.push(...page.nodeExecutions);
    token = page.token;
  } while (token);
  const shown = nodes.filter((n) => n.id?.nodeId !== "start-node" && n.id?.nodeId !== "end-node");
  return { execution, workflow, nodes: shown, attempts: previous?.attempts ?? new Map() };
}

/** Most task-execution requests in flight at once: a browser opens few connections per origin anyway. */
const ATTEMPT_REQUESTS = 6;

/** Task attempts by node id for `snapshot`'s nodes; `previous` is the snapshot whose attempts were last loaded. */
export async function loadAttempts(
  snapshot: ExecutionSnapshot,
  previous: ExecutionSnapshot | undefined,
): Promise<Map<string, TaskExecution[]>> {
  const attempts = new Map<string, TaskExecution[]>();
  const before = new Map((previous?.nodes ?? []).map((n) => [n.id?.nodeId ?? "", n]));
  const toFetch: NodeExecution[] = [];
  for (const node of snapshot.nodes) {
    const nodeId = node.id?.nodeId ?? "";
    const kept = previous?.attempts.get(nodeId);
    if (kept && FINAL_NODE.has(before.get(nodeId)?.closure?.phase ?? 0)) attempts.set(nodeId, kept);
    else if (!node.metadata?.isParentNode && node.closure?.targetMetadata.case !== "workflowNodeMetadata")
      toFetch.push(node);
  }
  await Promise.all(
    Array.from({ length: ATTEMPT_REQUESTS }, async () => {
      for (let node = toFetch.shift(); node; node = toFetch.shift()) {
        const list = await admin.listTaskExecutions({ nodeExecutionId: node.id, limit: 100 });
        attempts.set(
          node.id?.nodeId ?? "",
          [...list.taskExecutions].sort((a, b) => (a.id?.retryAttempt ?? 0) - (b.id?.retryAttempt ?? 0)),
        );
      }
    }),
  );
  return attempts;
}
