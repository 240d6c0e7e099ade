// Which tasks and launch plans a workflow needs (Flyte's GetRequirements, requirements.go): the
// caller loads these before compiling. Task nodes, launch-plan nodes, branch cases, array sub-nodes
// and the failure node are walked; sub-workflows are followed through the given sub-workflows.

import { create } from "@bufbuild/protobuf";
import {
  type CompiledWorkflow,
  CompiledWorkflowSchema,
  type Identifier,
  type Node,
  type WorkflowTemplate,
} from "../idl/index.js";
import { type CompileError, ErrorScope, errors } from "./errors.js";
import { compareIdentifiers, formatIdentifier, identifierKey } from "./identifier.js";

export interface Requirements {
  /** Required task ids, unique, in Flyte's order (resource type, project, domain, name, version). */
  taskIds: Identifier[];
  /** Required launch plan ids, unique, same order. */
  launchPlanIds: Identifier[];
}

/**
 * Flyte's GetRequirements. It only fails when the sub-workflows cannot be indexed (two with the same
 * id: DuplicateId; one without an id: ValueRequired). Like Flyte it does not report sub-workflow
 * references it cannot resolve (CompileWorkflow does); unlike Flyte it terminates on sub-workflows
 * that contain themselves.
 */
export function getRequirements(
  template: WorkflowTemplate,
  subWorkflows: readonly WorkflowTemplate[] = [],
): Requirements | { errors: CompileError[] } {
  const errs = ErrorScope.root();
  const index = indexSubWorkflows(toCompiledWorkflows(subWorkflows), errs.scope());
  if (index === undefined) return { errors: errs.list() };
  const { taskIds, launchPlanIds } = collectRequirements(template, index, true);
  return { taskIds, launchPlanIds };
}

export function toCompiledWorkflows(templates: readonly WorkflowTemplate[]): CompiledWorkflow[] {
  return templates.map((template) => create(CompiledWorkflowSchema, { template }));
}

/**
 * Flyte's NewWorkflowIndex: sub-workflows by id. A repeated id is DuplicateId (Node Id = the
 * workflow id); a sub-workflow without an id stops the indexing (Flyte stops without saying why;
 * this reports ValueRequired).
 */
export function indexSubWorkflows(
  workflows: readonly CompiledWorkflow[],
  errs: ErrorScope,
): Map<string, CompiledWorkflow> | undefined {
  const index = new Map<string, CompiledWorkflow>();
  for (const [i, wf] of workflows.entries()) {
    const id = wf.template?.id;
    if (id === undefined) {
      errs.collect(errors.valueRequired("root", `subWorkflows[${i}].id`));
      return undefined;
    }
    const key = identifierKey(id);
    if (index.has(key)) errs.collect(errors.duplicateId(formatIdentifier(id)));
    else index.set(key, wf);
  }
  return errs.hasErrors ? undefined : index;
}

export interface CollectedRequirements extends Requirements {
  /** Sub-workflow references that are not in the index, with the referencing node (only when following). */
  missingSubWorkflows: { nodeId: string; id: Identifier }[];
}

/**
 * The requirement walk. With `followSubWorkflows`, referenced sub-workflows are walked too (each
 * once, so one that contains itself terminates); without, only this template's own nodes count.
 */
export function collectRequirements(
  template: WorkflowTemplate,
  subWorkflows: ReadonlyMap<string, CompiledWorkflow>,
  followSubWorkflows: boolean,
): CollectedRequirements {
  const tasks = new Map<string, Identifier>();
  const launchPlans = new Map<string, Identifier>();
  const missingSubWorkflows: { nodeId: string; id: Identifier }[] = [];
  const walked = new Set<string>();

  const visitWorkflow = (wf: WorkflowTemplate) => {
    for (const node of wf.nodes) visitNode(node);
    if (wf.failureNode !== undefined) visitNode(wf.failureNode);
  };

  const visitNode = (node: Node | undefined) => {
    if (node === undefined) return;
    const target = node.target;
    switch (target.case) {
      case "taskNode": {
        const ref = target.value.reference;
        if (ref.case === "referenceId") tasks.set(identifierKey(ref.value), ref.value);
        return;
      }
      case "workflowNode": {
        const ref = target.value.reference;
        if (ref.case === "launchplanRef") {
          launchPlans.set(identifierKey(ref.value), ref.value);
        } else if (ref.case === "subWorkflowRef" && followSubWorkflows) {
          const key = identifierKey(ref.value);
          const sub = subWorkflows.get(key);
          if (sub?.template === undefined) {
            missingSubWorkflows.push({ nodeId: node.id, id: ref.value });
          } else if (!walked.has(key)) {
            walked.add(key);
            visitWorkflow(sub.template);
          }
        }
        return;
      }
      case "branchNode": {
        const ifElse = target.value.ifElse;
        if (ifElse === undefined) return;
        visitNode(ifElse.case?.thenNode);
        for (const other of ifElse.other) visitNode(other.thenNode);
        if (ifElse.default.case === "elseNode") visitNode(ifElse.default.value);
        return;
      }
      case "arrayNode":
        visitNode(target.value.node);
        return;
      default:
        return;
    }
  };

  visitWorkflow(template);
  return {
    taskIds: [...tasks.values()].sort(compareIdentifiers),
    launchPlanIds: [...launchPlans.values()].sort(compareIdentifiers),
    missingSubWorkflows,
  };
}
