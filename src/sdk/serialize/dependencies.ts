import type { Entity } from "../entity.js";
import type { GraphNode } from "../graph.js";
import { defaultLaunchPlan, type LaunchPlanEntity } from "../launch-plan.js";
import type { WorkflowEntity } from "../workflow.js";

/** The nodes of a workflow at any depth of branches (not inside subworkflows). */
export function allNodes(nodes: GraphNode[]): GraphNode[] {
  return nodes.flatMap((node) => {
    if (node.target.kind !== "branch") return [node];
    const { branch } = node.target;
    const inner = branch.cases.map((c) => c.node);
    if (branch.otherwise && "node" in branch.otherwise) inner.push(branch.otherwise.node);
    return [node, ...allNodes(inner)];
  });
}

function workflowNodes(wf: WorkflowEntity): GraphNode[] {
  const graph = wf.graph();
  return allNodes(graph.failureNode ? [...graph.nodes, graph.failureNode] : graph.nodes);
}

/** Entities a workflow's nodes call directly. */
export function directDependencies(wf: WorkflowEntity): Entity[] {
  const found = new Set<Entity>();
  for (const node of workflowNodes(wf)) if (node.target.kind !== "branch") found.add(node.target.entity);
  return [...found];
}

/** Every workflow called as a subworkflow, at any depth, each once (launch plans excluded). */
export function subWorkflows(wf: WorkflowEntity): WorkflowEntity[] {
  const found = new Set<WorkflowEntity>();
  const visit = (w: WorkflowEntity) => {
    for (const dep of directDependencies(w)) {
      if (dep.kind === "workflow" && !found.has(dep as WorkflowEntity)) {
        found.add(dep as WorkflowEntity);
        visit(dep as WorkflowEntity);
      }
    }
  };
  visit(wf);
  return [...found];
}

/**
 * The entities to register for `roots`, dependencies first (pyflyte's order): a task before
 * the workflows that use it, a workflow before its launch plans, a called launch plan before
 * the workflow calling it. Every workflow brings its default launch plan.
 */
export function registrationOrder(roots: Entity[]): Entity[] {
  const ordered: Entity[] = [];
  const seen = new Set<Entity>();
  const visit = (entity: Entity) => {
    if (seen.has(entity)) return;
    seen.add(entity);
    if (entity.kind === "workflow") {
      const wf = entity as WorkflowEntity;
      for (const dep of directDependencies(wf)) visit(dep);
      ordered.push(wf);
      visit(defaultLaunchPlan(wf));
    } else if (entity.kind === "launchPlan") {
      visit((entity as LaunchPlanEntity).workflow);
      ordered.push(entity);
    } else {
      ordered.push(entity);
    }
  };
  for (const root of roots) visit(root);
  return ordered;
}
