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
  return graph.failureNode ? [...graph.nodes, graph.failureNode] : graph.nodes;
}

/** Entities that nodes (and the nodes inside their branches) call directly, each once. */
export function graphEntities(nodes: GraphNode[]): Entity[] {
  const found = new Set<Entity>();
  for (const node of allNodes(nodes)) if ("entity" in node.target) found.add(node.target.entity);
  return [...found];
}

/** Entities a workflow's nodes call directly. */
export function directDependencies(wf: WorkflowEntity): Entity[] {
  return graphEntities(workflowNodes(wf));
}

/** Every workflow called as a subworkflow, at any depth, each once (launch plans excluded). */
export function subWorkflows(wf: WorkflowEntity): WorkflowEntity[] {
  return nestedWorkflows(directDependencies(wf));
}

/** The workflows among `entities` and every subworkflow inside them, at any depth, each once. */
export function nestedWorkflows(entities: Entity[]): WorkflowEntity[] {
  const found = new Set<WorkflowEntity>();
  const visit = (deps: Entity[]) => {
    for (const dep of deps) {
      if (dep.kind === "workflow" && !found.has(dep as WorkflowEntity)) {
        found.add(dep as WorkflowEntity);
        visit(directDependencies(dep as WorkflowEntity));
      }
    }
  };
  visit(entities);
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
