// One node (Flyte's ValidateNode, validators/node.go): its interface and output aliases, sorted
// upstream ids, and what its kind needs: branch structure and case nodes, the sub-workflow compiled,
// the task attached.

import { byteOrder, type ErrorScope, errors } from "./errors.js";
import { validateBranchNode } from "./branch.js";
import { EdgeDirection, END_NODE, type NodeBuilder, START_NODE, type WorkflowBuilder } from "./builder.js";
import { addEdges } from "./edges.js";
import { formatIdentifier, identifierKey } from "./identifier.js";
import { validateUnderlyingInterface } from "./interface.js";
import { effectiveOutputs } from "./outputs.js";

export function validateNode(w: WorkflowBuilder, b: NodeBuilder, errs: ErrorScope): boolean {
  const node = b.node;
  if (node.id === "") errs.collect(errors.valueRequired("<node>", "Id"));
  if (node.id === START_NODE || node.id === END_NODE) return true;

  if (validateUnderlyingInterface(w, b, errs.scope()).ok) effectiveOutputs(b, errs.scope());

  // Flyte sorts them so that the output does not depend on the client's order.
  node.upstreamNodeIds.sort(byteOrder);

  const target = node.target;
  if (target.case === "branchNode") {
    const { discovered, ok } = validateBranchNode(w, b, errs.scope());
    if (ok) for (const sub of discovered) addEdges(w, sub, EdgeDirection.Upstream, errs.scope());
  } else if (target.case === "workflowNode" && target.value.reference.case === "subWorkflowRef") {
    const ref = target.value.reference.value;
    const key = identifierKey(ref);
    if (!w.compiledSubWorkflows.has(key)) {
      const sub = w.context.subWorkflows.get(key);
      if (sub === undefined) {
        errs.collect(errors.workflowReferenceNotFound(node.id, formatIdentifier(ref)));
      } else if (b.subWorkflow === undefined) {
        const stack = w.context.stack;
        const at = stack.findIndex((entry) => entry.key === key);
        if (at >= 0) {
          const chain = [...stack.slice(at).map((entry) => entry.name), formatIdentifier(ref)].join(" > ");
          errs.collect(errors.recursiveSubWorkflow(node.id, chain));
        } else if (w.context.validateWorkflow(w.context, sub, errs.scope())) {
          b.subWorkflow = sub;
          w.compiledSubWorkflows.add(key);
        }
      }
    }
  } else if (target.case === "taskNode" && target.value.reference.case === "referenceId") {
    const ref = target.value.reference.value;
    const task = w.tasks.get(identifierKey(ref));
    if (task !== undefined) b.task = task;
    else errs.collect(errors.taskReferenceNotFound(node.id, formatIdentifier(ref)));
  }
  return !errs.hasErrors;
}
