// GetExecutionMetrics (flyteadmin metrics_manager.go): a core.Span tree that splits an execution's
// wall time into its nodes and task attempts and the overhead between them, computed only from the
// stored execution, node and task closures (created_at, started_at, duration, updated_at).
import { create } from "@bufbuild/protobuf";
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { TimestampSchema } from "@bufbuild/protobuf/wkt";
import type {
  Execution,
  WorkflowExecutionGetMetricsRequest,
  WorkflowExecutionGetMetricsResponse,
} from "../../idl/gen/flyteidl/admin/execution_pb.js";
import {
  WorkflowExecutionGetMetricsResponseSchema,
  WorkflowExecutionGetRequestSchema,
} from "../../idl/gen/flyteidl/admin/execution_pb.js";
import { ObjectGetRequestSchema } from "../../idl/gen/flyteidl/admin/common_pb.js";
import {
  type NodeExecution,
  NodeExecutionGetDataRequestSchema,
  NodeExecutionListRequestSchema,
} from "../../idl/gen/flyteidl/admin/node_execution_pb.js";
import { type TaskExecution, TaskExecutionListRequestSchema } from "../../idl/gen/flyteidl/admin/task_execution_pb.js";
import type { CompiledWorkflowClosure, ConnectionSet_IdList } from "../../idl/gen/flyteidl/core/compiler_pb.js";
import type { Identifier } from "../../idl/gen/flyteidl/core/identifier_pb.js";
import { type Span, SpanSchema } from "../../idl/gen/flyteidl/core/metrics_pb.js";
import type { BranchNode, Node } from "../../idl/gen/flyteidl/core/workflow_pb.js";
import type { AdminContext } from "../context.js";
import { getWorkflow } from "../registration/workflows.js";
import { Code, ConnectError } from "@connectrpc/connect";
import { getExecution } from "./executions.js";
import { getNodeExecutionData, listNodeExecutions } from "./node-executions.js";
import { listTaskExecutions } from "./task-executions.js";

const START_NODE = "start-node";
const END_NODE = "end-node";
/** Page size of the node and task listings, as flyteadmin's RequestLimit. */
const PAGE = 50;

type Operation =
  | "WORKFLOW_SETUP"
  | "WORKFLOW_TEARDOWN"
  | "NODE_SETUP"
  | "NODE_TEARDOWN"
  | "NODE_RESET"
  | "NODE_IDLE"
  | "NODE_TRANSITION"
  | "TASK_SETUP"
  | "TASK_RUNTIME"
  | "TASK_TEARDOWN";

const operation = (startTime: Timestamp | undefined, endTime: Timestamp | undefined, id: Operation): Span =>
  create(SpanSchema, { startTime, endTime, id: { case: "operationId", value: id } });

/** A timestamp in nanoseconds; unset (or the zero time, which Go's reflect check treats alike) is 0. */
const nanos = (t: Timestamp | undefined) => (t === undefined ? 0n : t.seconds * 1_000_000_000n + BigInt(t.nanos));
const isSet = (t: Timestamp | undefined) => nanos(t) !== 0n;
const notBefore = (a: Timestamp | undefined, b: Timestamp | undefined) => nanos(a) >= nanos(b);

function plus(start: Timestamp | undefined, duration: { seconds: bigint; nanos: number }): Timestamp {
  const total = nanos(start) + duration.seconds * 1_000_000_000n + BigInt(duration.nanos);
  return create(TimestampSchema, {
    seconds: total / 1_000_000_000n,
    nanos: Number(total % 1_000_000_000n),
  });
}
const hasDuration = (d: { seconds: bigint; nanos: number } | undefined): d is { seconds: bigint; nanos: number } =>
  d !== undefined && (d.seconds !== 0n || d.nanos !== 0);

/** Records that contradict each other (flyteadmin answers these with a plain, internal error). */
const inconsistent = (message: string) => new ConnectError(message, Code.Internal);

/** Walks one execution's stored records; each method is a function of metrics_manager.go. */
class SpanBuilder {
  constructor(private readonly ctx: AdminContext) {}

  /** Node executions under the execution (or under one parent node), keyed by spec node id. */
  private async nodeExecutions(execution: Execution["id"], parent = ""): Promise<Map<string, NodeExecution>> {
    const found = new Map<string, NodeExecution>();
    for (let token = ""; ; ) {
      const page = await listNodeExecutions(
        this.ctx,
        create(NodeExecutionListRequestSchema, {
          workflowExecutionId: execution,
          limit: PAGE,
          token,
          uniqueParentId: parent,
        }),
      );
      for (const node of page.nodeExecutions) found.set(node.metadata?.specNodeId ?? "", node);
      if (page.nodeExecutions.length < PAGE) return found;
      token = page.token;
    }
  }

  private async taskExecutions(node: NodeExecution): Promise<TaskExecution[]> {
    const found: TaskExecution[] = [];
    for (let token = ""; ; ) {
      const page = await listTaskExecutions(
        this.ctx,
        create(TaskExecutionListRequestSchema, { nodeExecutionId: node.id, limit: PAGE, token }),
      );
      found.push(...page.taskExecutions);
      if (page.taskExecutions.length < PAGE) return found;
      token = page.token;
    }
  }

  private async compiledWorkflow(id: Identifier | undefined): Promise<CompiledWorkflowClosure | undefined> {
    if (id === undefined) return undefined;
    return (await getWorkflow(this.ctx, create(ObjectGetRequestSchema, { id }))).closure?.compiledWorkflow;
  }

  async execution(execution: Execution, depth: number): Promise<Span> {
    const spans: Span[] = [];
    const closure = execution.closure;
    if (depth !== 0) {
      const workflow = await this.compiledWorkflow(closure?.workflowId);
      const nodes = await this.nodeExecutions(execution.id);
      const start = nodes.get(START_NODE);
      if (!isSet(start?.closure?.updatedAt)) {
        spans.push(operation(closure?.createdAt, closure?.updatedAt, "WORKFLOW_SETUP"));
      } else {
        spans.push(operation(closure?.createdAt, start?.closure?.updatedAt, "WORKFLOW_SETUP"));
        await this.nodes(nodes, workflow, spans, depth - 1);
        const last = latestUpstream(END_NODE, workflow?.primary?.connections?.upstream, nodes);
        if (last !== undefined && notBefore(closure?.updatedAt, last.closure?.updatedAt)) {
          spans.push(operation(last.closure?.updatedAt, closure?.updatedAt, "WORKFLOW_TEARDOWN"));
        }
      }
    }
    return create(SpanSchema, {
      startTime: closure?.createdAt,
      endTime: closure?.updatedAt,
      id: { case: "workflowId", value: execution.id! },
      spans,
    });
  }

  private async nodes(
    nodes: Map<string, NodeExecution>,
    workflow: CompiledWorkflowClosure | undefined,
    spans: Span[],
    depth: number,
  ): Promise<void> {
    const sorted = [...nodes.values()].sort((a, b) => compare(a.closure?.createdAt, b.closure?.createdAt));
    for (const nodeExecution of sorted) {
      const specNodeId = nodeExecution.metadata?.specNodeId ?? "";
      if (specNodeId === START_NODE || specNodeId === END_NODE) continue;
      const node = workflow?.primary?.template?.nodes.find((n) => n.id === specNodeId);
      if (node === undefined) {
        throw inconsistent(
          `failed to discover workflow node '${specNodeId}' in workflow '${workflow?.primary?.template?.id?.name ?? ""}'; ` +
            "the execution's node events name a node its workflow does not have",
        );
      }
      const span = await this.node(nodeExecution, node, depth);
      const last = latestUpstream(specNodeId, workflow?.primary?.connections?.upstream, nodes);
      if (last !== undefined) {
        span.spans.unshift(operation(last.closure?.updatedAt, nodeExecution.closure?.createdAt, "NODE_TRANSITION"));
      }
      spans.push(span);
    }
  }

  private async node(nodeExecution: NodeExecution, node: Node, depth: number): Promise<Span> {
    const spans: Span[] = [];
    if (depth !== 0) {
      const target = node.target;
      switch (target.case) {
        case "branchNode":
          await this.branch(nodeExecution, target.value, spans, depth - 1);
          break;
        case "gateNode":
          gate(nodeExecution, spans);
          break;
        case "taskNode":
          if (nodeExecution.metadata?.isParentNode) await this.dynamic(nodeExecution, spans, depth - 1);
          else await this.task(nodeExecution, spans, depth - 1);
          break;
        case "workflowNode": {
          const reference = target.value.reference;
          if (reference.case === "launchplanRef") await this.launchPlan(nodeExecution, spans, depth - 1);
          else if (reference.case === "subWorkflowRef")
            await this.subworkflow(nodeExecution, reference.value, spans, depth - 1);
          break;
        }
        // Other node kinds (array nodes) get no breakdown, as in flyteadmin, so the rest still shows.
      }
    }
    return create(SpanSchema, {
      startTime: nodeExecution.closure?.createdAt,
      endTime: nodeExecution.closure?.updatedAt,
      id: { case: "nodeId", value: nodeExecution.id! },
      spans,
    });
  }

  private async branch(nodeExecution: NodeExecution, branch: BranchNode, spans: Span[], depth: number) {
    const children = await this.nodeExecutions(nodeExecution.id?.executionId, nodeExecution.id?.nodeId);
    const closure = nodeExecution.closure;
    if (children.size === 0) {
      spans.push(operation(closure?.createdAt, closure?.updatedAt, "NODE_SETUP"));
      return;
    }
    if (children.size !== 1) {
      throw inconsistent(
        `invalid branch node execution: expected 1 but found ${children.size} node execution(s) under ${nodeExecution.id?.nodeId}`,
      );
    }
    const [child] = children.values();
    const chosen = branchNode(child.metadata?.specNodeId ?? "", branch);
    if (chosen === undefined) {
      throw inconsistent(
        `failed to identify branch node final node definition for nodeID '${child.metadata?.specNodeId}'`,
      );
    }
    spans.push(operation(closure?.createdAt, child.closure?.createdAt, "NODE_SETUP"));
    spans.push(await this.node(child, chosen, depth));
    if (notBefore(closure?.updatedAt, child.closure?.updatedAt)) {
      spans.push(operation(child.closure?.updatedAt, closure?.updatedAt, "NODE_TEARDOWN"));
    }
  }

  private async task(nodeExecution: NodeExecution, spans: Span[], depth: number) {
    const attempts = await this.taskExecutions(nodeExecution);
    const closure = nodeExecution.closure;
    if (attempts.length === 0) {
      spans.push(operation(closure?.createdAt, closure?.updatedAt, "NODE_SETUP"));
      return;
    }
    spans.push(operation(closure?.createdAt, attempts[0].closure?.createdAt, "NODE_SETUP"));
    taskAttempts(attempts, spans, depth);
    const last = attempts[attempts.length - 1];
    if (notBefore(closure?.updatedAt, last.closure?.updatedAt)) {
      spans.push(operation(last.closure?.updatedAt, closure?.updatedAt, "NODE_TEARDOWN"));
    }
  }

  private async dynamic(nodeExecution: NodeExecution, spans: Span[], depth: number) {
    const attempts = await this.taskExecutions(nodeExecution);
    const closure = nodeExecution.closure;
    if (attempts.length === 0) {
      spans.push(operation(closure?.createdAt, closure?.updatedAt, "NODE_SETUP"));
      return;
    }
    spans.push(operation(closure?.createdAt, attempts[0].closure?.createdAt, "NODE_SETUP"));
    taskAttempts(attempts, spans, depth);
    const children = await this.nodeExecutions(nodeExecution.id?.executionId, nodeExecution.id?.nodeId);
    const lastTask = attempts[attempts.length - 1];
    if (children.size === 0) {
      if (notBefore(closure?.updatedAt, lastTask.closure?.updatedAt)) {
        spans.push(operation(lastTask.closure?.updatedAt, closure?.updatedAt, "NODE_RESET"));
      }
      return;
    }
    spans.push(operation(lastTask.closure?.updatedAt, children.get(START_NODE)?.closure?.updatedAt, "NODE_RESET"));
    const data = await getNodeExecutionData(
      this.ctx,
      create(NodeExecutionGetDataRequestSchema, { id: nodeExecution.id }),
    );
    const workflow = data.dynamicWorkflow?.compiledWorkflow;
    await this.nodes(children, workflow, spans, depth);
    const last = latestUpstream(END_NODE, workflow?.primary?.connections?.upstream, children);
    if (last !== undefined && notBefore(closure?.updatedAt, last.closure?.updatedAt)) {
      spans.push(operation(last.closure?.updatedAt, closure?.updatedAt, "NODE_TEARDOWN"));
    }
  }

  private async launchPlan(nodeExecution: NodeExecution, spans: Span[], depth: number) {
    const closure = nodeExecution.closure;
    const metadata = closure?.targetMetadata;
    if (metadata?.case !== "workflowNodeMetadata") {
      spans.push(operation(closure?.createdAt, closure?.updatedAt, "NODE_SETUP"));
      return;
    }
    const child = await getExecution(
      this.ctx,
      create(WorkflowExecutionGetRequestSchema, { id: metadata.value.executionId }),
    );
    spans.push(operation(closure?.createdAt, child.closure?.createdAt, "NODE_SETUP"));
    spans.push(await this.execution(child, depth));
    if (notBefore(closure?.updatedAt, child.closure?.updatedAt)) {
      spans.push(operation(child.closure?.updatedAt, closure?.updatedAt, "NODE_TEARDOWN"));
    }
  }

  private async subworkflow(nodeExecution: NodeExecution, id: Identifier, spans: Span[], depth: number) {
    const children = await this.nodeExecutions(nodeExecution.id?.executionId, nodeExecution.id?.nodeId);
    const closure = nodeExecution.closure;
    if (children.size === 0) {
      spans.push(operation(closure?.createdAt, closure?.updatedAt, "NODE_SETUP"));
      return;
    }
    spans.push(operation(closure?.createdAt, children.get(START_NODE)?.closure?.updatedAt, "NODE_SETUP"));
    // flyteadmin loads the subworkflow as a registered workflow by the reference's id.
    const workflow = await this.compiledWorkflow(id);
    await this.nodes(children, workflow, spans, depth);
    const last = latestUpstream(END_NODE, workflow?.primary?.connections?.upstream, children);
    if (last !== undefined && notBefore(closure?.updatedAt, last.closure?.updatedAt)) {
      spans.push(operation(last.closure?.updatedAt, closure?.updatedAt, "NODE_TEARDOWN"));
    }
  }
}

function compare(a: Timestamp | undefined, b: Timestamp | undefined): number {
  const x = nanos(a);
  const y = nanos(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The upstream node of `nodeId` that finished last (latest updated_at), if any ran. */
function latestUpstream(
  nodeId: string,
  upstream: { [key: string]: ConnectionSet_IdList } | undefined,
  nodes: Map<string, NodeExecution>,
): NodeExecution | undefined {
  let latest: NodeExecution | undefined;
  for (const id of upstream?.[nodeId]?.ids ?? []) {
    const candidate = nodes.get(id);
    if (candidate !== undefined && nanos(candidate.closure?.updatedAt) > nanos(latest?.closure?.updatedAt)) {
      latest = candidate;
    }
  }
  return latest;
}

function branchNode(nodeId: string, branch: BranchNode): Node | undefined {
  const ifElse = branch.ifElse;
  if (ifElse?.case?.thenNode?.id === nodeId) return ifElse.case.thenNode;
  const other = ifElse?.other.find((block) => block.thenNode?.id === nodeId);
  if (other !== undefined) return other.thenNode;
  if (ifElse?.default.case === "elseNode" && ifElse.default.value.id === nodeId) return ifElse.default.value;
  return undefined;
}

function gate(nodeExecution: NodeExecution, spans: Span[]): void {
  const closure = nodeExecution.closure;
  if (!isSet(closure?.startedAt)) {
    spans.push(operation(closure?.createdAt, closure?.updatedAt, "NODE_SETUP"));
    return;
  }
  spans.push(operation(closure?.createdAt, closure?.startedAt, "NODE_SETUP"));
  if (!hasDuration(closure?.duration)) {
    spans.push(operation(closure?.startedAt, closure?.updatedAt, "NODE_IDLE"));
    return;
  }
  const end = plus(closure?.startedAt, closure.duration);
  spans.push(operation(closure?.startedAt, end, "NODE_IDLE"));
  spans.push(operation(end, closure?.updatedAt, "NODE_TEARDOWN"));
}

function taskAttempt(attempt: TaskExecution): Span {
  const closure = attempt.closure;
  const spans: Span[] = [];
  if (!isSet(closure?.startedAt)) {
    spans.push(operation(closure?.createdAt, closure?.updatedAt, "TASK_SETUP"));
  } else {
    spans.push(operation(closure?.createdAt, closure?.startedAt, "TASK_SETUP"));
    if (!hasDuration(closure?.duration)) {
      spans.push(operation(closure?.startedAt, closure?.updatedAt, "TASK_RUNTIME"));
    } else {
      const end = plus(closure?.startedAt, closure.duration);
      spans.push(operation(closure?.startedAt, end, "TASK_RUNTIME"));
      if (notBefore(closure?.updatedAt, end)) spans.push(operation(end, closure?.updatedAt, "TASK_TEARDOWN"));
    }
  }
  return create(SpanSchema, {
    startTime: closure?.createdAt,
    endTime: closure?.updatedAt,
    id: { case: "taskId", value: attempt.id! },
    spans,
  });
}

/** Attempts in creation order, with the gap before each retry as NODE_RESET. */
function taskAttempts(attempts: TaskExecution[], spans: Span[], depth: number): void {
  attempts.sort((a, b) => compare(a.closure?.createdAt, b.closure?.createdAt));
  attempts.forEach((attempt, index) => {
    if (index > 0) {
      spans.push(operation(attempts[index - 1].closure?.updatedAt, attempt.closure?.createdAt, "NODE_RESET"));
    }
    if (depth !== 0) spans.push(taskAttempt(attempt));
  });
}

export async function getExecutionMetrics(
  ctx: AdminContext,
  request: WorkflowExecutionGetMetricsRequest,
): Promise<WorkflowExecutionGetMetricsResponse> {
  const execution = await getExecution(ctx, create(WorkflowExecutionGetRequestSchema, { id: request.id }));
  const span = await new SpanBuilder(ctx).execution(execution, request.depth);
  return create(WorkflowExecutionGetMetricsResponseSchema, { span });
}
