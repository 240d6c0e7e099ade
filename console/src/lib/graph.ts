// A workflow's DAG from its compiled closure, laid out with dagre: nodes by kind, edges from the compiled
// connections (which already include data and explicit `>>` dependencies), branch cases and subworkflows named.
import dagre from "@dagrejs/dagre";
import type { CompiledWorkflow, CompiledWorkflowClosure } from "../../../src/idl/gen/flyteidl/core/compiler_pb.js";
import type { Node } from "../../../src/idl/gen/flyteidl/core/workflow_pb.js";
import { LARGE_GRAPH, layeredLayout } from "./layered-layout.js";

export type NodeKind =
  | "start"
  | "end"
  | "task"
  | "subworkflow"
  | "launchplan"
  | "branch"
  | "gate"
  | "array"
  | "unknown";

export interface GraphNode {
  id: string;
  kind: NodeKind;
  label: string;
  /** What it runs: the task, subworkflow or launch plan name; a branch's cases; a gate's condition. */
  detail: string;
  /** For subworkflow nodes: the subworkflow's own graph, drawn on demand. */
  subworkflow?: CompiledWorkflow;
  /** For gate nodes with a signal: its id, so the execution page can offer approval. */
  signalId?: string;
}

export interface GraphModel {
  nodes: GraphNode[];
  edges: { from: string; to: string }[];
}

export interface Positioned {
  nodes: (GraphNode & { x: number; y: number; width: number; height: number })[];
  edges: { from: string; to: string; points: { x: number; y: number }[] }[];
  width: number;
  height: number;
}

const shortName = (name: string) => name.split(".").pop() ?? name;

function describe(node: Node, subworkflows: Map<string, CompiledWorkflow>): Omit<GraphNode, "id" | "label"> {
  const target = node.target;
  switch (target.case) {
    case "taskNode": {
      const ref = target.value.reference.case === "referenceId" ? target.value.reference.value : undefined;
      return { kind: "task", detail: ref?.name ?? "" };
    }
    case "workflowNode": {
      const ref = target.value.reference;
      if (ref.case === "subWorkflowRef") {
        const key = `${ref.value.project}/${ref.value.domain}/${ref.value.name}/${ref.value.version}`;
        return { kind: "subworkflow", detail: ref.value.name, subworkflow: subworkflows.get(key) };
      }
      return { kind: "launchplan", detail: ref.value?.name ?? "" };
    }
    case "branchNode": {
      const ifElse = target.value.ifElse;
      const cases = [ifElse?.case, ...(ifElse?.other ?? [])].filter((c) => c !== undefined);
      const targets = cases.map((c) => describeTarget(c.thenNode));
      if (ifElse?.default.case === "elseNode") targets.push(`else ${describeTarget(ifElse.default.value)}`);
      else if (ifElse?.default.case === "error") targets.push("else fail");
      return { kind: "branch", detail: targets.join(" | ") };
    }
    case "gateNode": {
      const condition = target.value.condition;
      if (condition.case === "signal")
        return { kind: "gate", detail: `signal ${condition.value.signalId}`, signalId: condition.value.signalId };
      if (condition.case === "approve")
        return { kind: "gate", detail: `approve ${condition.value.signalId}`, signalId: condition.value.signalId };
      return { kind: "gate", detail: "sleep" };
    }
    case "arrayNode":
      return { kind: "array", detail: target.value.node ? describeTarget(target.value.node) : "" };
    default:
      return { kind: node.id === "start-node" ? "start" : node.id === "end-node" ? "end" : "unknown", detail: "" };
  }
}

function describeTarget(node: Node | undefined): string {
  if (!node) return "?";
  const t = node.target;
  if (t.case === "taskNode" && t.value.reference.case === "referenceId") return shortName(t.value.reference.value.name);
  if (t.case === "workflowNode") return shortName(t.value.reference.value?.name ?? "?");
  return node.metadata?.name || node.id;
}

/** The graph of `workflow` (the closure's primary one by default), with start and end nodes. */
export function graphOf(closure: CompiledWorkflowClosure, workflow = closure.primary): GraphModel {
  const subworkflows = new Map<string, CompiledWorkflow>();
  for (const sub of closure.subWorkflows) {
    const id = sub.template?.id;
    if (id) subworkflows.set(`${id.project}/${id.domain}/${id.name}/${id.version}`, sub);
  }
  const nodes: GraphNode[] = [
    { id: "start-node", kind: "start", label: "start", detail: "" },
    ...(workflow?.template?.nodes ?? [])
      .filter((n) => n.id !== "start-node" && n.id !== "end-node")
      .map((n) => ({ id: n.id, label: n.metadata?.name || n.id, ...describe(n, subworkflows) })),
    { id: "end-node", kind: "end", label: "end", detail: "" },
  ];
  // The failure node runs only when the workflow fails: drawn apart, without edges.
  const failure = workflow?.template?.failureNode;
  if (failure)
    nodes.push({
      id: failure.id,
      label: `on failure: ${failure.metadata?.name || failure.id}`,
      ...describe(failure, subworkflows),
    });
  const known = new Set(nodes.map((n) => n.id));
  const edges: GraphModel["edges"] = [];
  for (const [to, list] of Object.entries(workflow?.connections?.upstream ?? {})) {
    for (const from of list.ids) if (known.has(from) && known.has(to)) edges.push({ from, to });
  }
  return { nodes, edges };
}

const NODE_HEIGHT = 44;

const NODE_SPACING = { nodesep: 18, ranksep: 48, margin: 12 };

function nodeSize(node: GraphNode): { width: number; height: number } {
  if (node.kind === "start" || node.kind === "end") return { width: 64, height: 32 };
  const chars = Math.max(node.label.length, 12 + shortName(node.detail).length);
  return { width: Math.min(260, Math.max(120, 16 + 7.2 * chars)), height: NODE_HEIGHT };
}

/**
 * Left-to-right layout; widths follow the labels so long task names stay readable. Dagre for ordinary graphs;
 * above LARGE_GRAPH nodes a linear layered layout, so a 1,000-node execution draws in well under a second.
 */
export function layout(model: GraphModel): Positioned {
  if (model.nodes.length > LARGE_GRAPH) {
    const sizes = new Map(model.nodes.map((n) => [n.id, nodeSize(n)]));
    return layeredLayout(model, { ...NODE_SPACING, size: (id) => sizes.get(id)! });
  }
  const g = new dagre.graphlib.Graph();
  g.setGraph({
    rankdir: "LR",
    nodesep: NODE_SPACING.nodesep,
    ranksep: NODE_SPACING.ranksep,
    marginx: NODE_SPACING.margin,
    marginy: NODE_SPACING.margin,
  });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of model.nodes) g.setNode(node.id, nodeSize(node));
  for (const edge of model.edges) g.setEdge(edge.from, edge.to);
  dagre.layout(g);
  const nodes = model.nodes.map((node) => {
    const box = g.node(node.id);
    return { ...node, x: box.x - box.width / 2, y: box.y - box.height / 2, width: box.width, height: box.height };
  });
  const edges = model.edges.map((edge) => ({ ...edge, points: g.edge(edge.from, edge.to).points ?? [] }));
  const size = g.graph();
  return { nodes, edges, width: size.width ?? 0, height: size.height ?? 0 };
}
