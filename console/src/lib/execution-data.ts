// Everything the execution page shows, loaded in one pass so each poll renders a consistent snapshot.
// Task executions of finished nodes never change, so they are kept between polls and only running nodes'
// attempts are fetched again.
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
  const attempts = new Map<string, TaskExecution[]>();
  await Promise.all(
    shown.map(async (node) => {
      const nodeId = node.id?.nodeId ?? "";
      const kept = previous?.attempts.get(nodeId);
      const before = previous?.nodes.find((n) => n.id?.nodeId === nodeId);
      if (kept && before && FINAL_NODE.has(before.closure?.phase ?? 0)) {
        attempts.set(nodeId, kept);
        return;
      }
      if (node.metadata?.isParentNode || node.closure?.targetMetadata.case === "workflowNodeMetadata") return;
      const list = await admin.listTaskExecutions({ nodeExecutionId: node.id, limit: 100 });
      attempts.set(
        nodeId,
        [...list.taskExecutions].sort((a, b) => (a.id?.retryAttempt ?? 0) - (b.id?.retryAttempt ?? 0)),
      );
    }),
  );
  return { execution, workflow, nodes: shown, attempts };
}
