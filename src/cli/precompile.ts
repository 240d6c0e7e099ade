import { relative } from "node:path";
import { type CompileError, compilePackage } from "../compiler/index.js";
import type { LaunchPlan, TaskSpec, WorkflowSpec } from "../idl/index.js";
import type { SerializedEntity, WorkflowEntity } from "../sdk/index.js";
import type { GraphNode } from "../sdk/graph.js";
import type { SourceLocation } from "../sdk/source.js";

/** Workflows that do not compile: every error, each pointing at the user's call where known. */
export class CompileFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CompileFailure";
  }
}

/** Compiled node ids as admin prints them (`n1-n0` inside branch n1) -> the call that made the node. */
function nodeSources(wf: WorkflowEntity): Map<string, SourceLocation | undefined> {
  const sources = new Map<string, SourceLocation | undefined>();
  const walk = (nodes: GraphNode[], prefix: string) => {
    for (const node of nodes) {
      const id = prefix ? `${prefix}-${node.id}` : node.id;
      sources.set(id, node.source);
      if (node.target.kind === "branch") {
        const { branch } = node.target;
        const inner = branch.cases.map((c) => c.node);
        if (branch.otherwise && "node" in branch.otherwise) inner.push(branch.otherwise.node);
        walk(inner, id);
      }
    }
  };
  const graph = wf.graph();
  walk(graph.failureNode ? [...graph.nodes, graph.failureNode] : graph.nodes, "");
  return sources;
}

function where(source: SourceLocation | undefined): string {
  return source ? ` at ${relative(process.cwd(), source.file)}:${source.line}:${source.column}` : "";
}

/**
 * Compiles every serialized workflow as admin will at registration, so that a mistake shows
 * before anything runs or is uploaded. Throws CompileFailure listing every error.
 */
export function precompile(serialized: SerializedEntity[]): void {
  const tasks: TaskSpec[] = [];
  const workflows: WorkflowSpec[] = [];
  const launchPlans: LaunchPlan[] = [];
  const entities = new Map<string, WorkflowEntity>();
  for (const s of serialized) {
    if (s.kind === 1) tasks.push(s.spec);
    else if (s.kind === 2) {
      workflows.push(s.spec);
      entities.set(s.name, s.entity);
    } else launchPlans.push(s.spec);
  }
  const failed = compilePackage({ tasks, workflows, launchPlans }).filter((r) => r.errors.length > 0);
  if (failed.length === 0) return;
  const text = failed.map((result) => {
    const wf = entities.get(result.name);
    const sources = wf ? nodeSources(wf) : new Map();
    const lines = result.errors.map(
      (e: CompileError) =>
        `  ${e.code}${e.nodeId ? ` [node ${e.nodeId}]` : ""}${where(sources.get(e.nodeId))}: ${e.message}`,
    );
    return `workflow ${result.name} does not compile:\n${lines.join("\n")}`;
  });
  throw new CompileFailure(text.join("\n"));
}
