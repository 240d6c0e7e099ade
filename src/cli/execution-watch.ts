// `run --remote --wait`: follows an execution on admin until it ends, showing each node's phase and duration
// (ListNodeExecutions, polled): redrawn in place on a terminal, one line per change otherwise.
import { type Duration, type Timestamp, timestampMs } from "@bufbuild/protobuf/wkt";
import type { Execution } from "../idl/gen/flyteidl/admin/execution_pb.js";
import type { NodeExecution } from "../idl/gen/flyteidl/admin/node_execution_pb.js";
import { NodeExecution_Phase, WorkflowExecution_Phase } from "../idl/gen/flyteidl/core/execution_pb.js";
import type { AdminClients } from "./client.js";

export interface ExecutionId {
  project: string;
  domain: string;
  name: string;
}

const TERMINAL = new Set([
  WorkflowExecution_Phase.SUCCEEDED,
  WorkflowExecution_Phase.FAILED,
  WorkflowExecution_Phase.ABORTED,
  WorkflowExecution_Phase.TIMED_OUT,
]);

const NODE_DONE = new Set([
  NodeExecution_Phase.SUCCEEDED,
  NodeExecution_Phase.FAILED,
  NodeExecution_Phase.ABORTED,
  NodeExecution_Phase.SKIPPED,
  NodeExecution_Phase.TIMED_OUT,
  NodeExecution_Phase.RECOVERED,
]);

/** Admin's bookkeeping nodes, not the user's. */
const HIDDEN = new Set(["start-node", "end-node"]);

const PAGE = 500;

function seconds(duration: Duration | undefined): number {
  return duration === undefined ? 0 : Number(duration.seconds) + duration.nanos / 1e9;
}

export function formatSeconds(s: number): string {
  return s < 60 ? `${s.toFixed(1)}s` : `${Math.floor(s / 60)}m${Math.round(s % 60)}s`;
}

function since(start: Timestamp | undefined): number {
  return start === undefined ? 0 : (Date.now() - timestampMs(start)) / 1000;
}

interface Row {
  node: string;
  name: string;
  phase: string;
  duration: string;
}

function row(node: NodeExecution, names: Map<string, string>): Row {
  const phase = node.closure?.phase ?? NodeExecution_Phase.UNDEFINED;
  const nodeId = node.id?.nodeId ?? "";
  let duration = "";
  if (NODE_DONE.has(phase)) duration = formatSeconds(seconds(node.closure?.duration));
  else if (node.closure?.startedAt) duration = formatSeconds(since(node.closure.startedAt));
  return { node: nodeId, name: names.get(nodeId) ?? "", phase: NodeExecution_Phase[phase], duration };
}

/** The view of the nodes: a table redrawn on a terminal, else a line each time a node changes phase. */
class NodeView {
  private drawn = 0;
  private readonly seen = new Map<string, string>();

  constructor(private readonly stream: NodeJS.WriteStream) {}

  show(rows: Row[]): void {
    if (this.stream.isTTY) {
      const width = (key: keyof Row) => Math.max(4, ...rows.map((r) => r[key].length));
      const lines = rows.map((r) =>
        `  ${r.node.padEnd(width("node"))}  ${r.name.padEnd(width("name"))}  ${r.phase.padEnd(width("phase"))}  ${r.duration}`.slice(
          0,
          (this.stream.columns ?? 100) - 1,
        ),
      );
      // Back to the table's first line, then rewrite every line (a node may have appeared in between).
      if (this.drawn > 0) this.stream.write(`\x1b[${this.drawn}A`);
      for (const line of lines) this.stream.write(`\r\x1b[K${line}\n`);
      this.drawn = lines.length;
      return;
    }
    for (const r of rows) {
      if (this.seen.get(r.node) === r.phase) continue;
      this.seen.set(r.node, r.phase);
      this.stream.write(
        `  ${r.node}  ${r.name}  ${r.phase}${r.duration && r.phase !== "RUNNING" ? `  ${r.duration}` : ""}\n`,
      );
    }
  }
}

async function listNodes(clients: AdminClients, id: ExecutionId): Promise<NodeExecution[]> {
  const nodes: NodeExecution[] = [];
  let token = "";
  do {
    const page = await clients.admin.listNodeExecutions({ workflowExecutionId: id, limit: PAGE, token });
    nodes.push(...page.nodeExecutions);
    token = page.token;
  } while (token !== "");
  return nodes;
}

/** Node ids to the names of what they run (task, subworkflow, launch plan), from the compiled workflow. */
async function nodeNames(clients: AdminClients, execution: Execution): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const workflowId = execution.closure?.workflowId;
  if (workflowId === undefined) return names;
  const workflow = await clients.admin.getWorkflow({ id: workflowId });
  const template = workflow.closure?.compiledWorkflow?.primary?.template;
  const failureNode = template?.failureNode;
  for (const node of [...(template?.nodes ?? []), ...(failureNode ? [failureNode] : [])]) {
    names.set(node.id, node.metadata?.name ?? "");
  }
  return names;
}

/** Polls until the execution ends, showing its nodes on `stream`; returns the finished execution. */
export async function watchExecution(
  clients: AdminClients,
  id: ExecutionId,
  stream: NodeJS.WriteStream = process.stderr,
  pollMs = 250,
): Promise<Execution> {
  const view = new NodeView(stream);
  let names: Map<string, string> | undefined;
  for (;;) {
    const execution = await clients.admin.getExecution({ id });
    names ??= await nodeNames(clients, execution);
    const nodes = (await listNodes(clients, id)).filter((n) => !HIDDEN.has(n.id?.nodeId ?? ""));
    const known = names;
    view.show(nodes.map((n) => row(n, known)));
    if (TERMINAL.has(execution.closure?.phase ?? WorkflowExecution_Phase.UNDEFINED)) return execution;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
