// Node interfaces (Flyte's ValidateInterface / ValidateUnderlyingInterface, validators/interface.go):
// what a node consumes and produces, derived from its task, launch plan, sub-workflow, branch cases,
// gate condition or array sub-node.

import { create } from "@bufbuild/protobuf";
import {
  type Node,
  type TypedInterface,
  TypedInterfaceSchema,
  type Variable,
  type VariableMap,
  VariableMapSchema,
  VariableSchema,
} from "../idl/index.js";
import { validateBindings } from "./bindings.js";
import { validateBranchInterface } from "./branch.js";
import { EdgeDirection, type NodeBuilder, type WorkflowBuilder } from "./builder.js";
import { type ErrorScope, errors } from "./errors.js";
import { formatIdentifier, identifierKey } from "./identifier.js";

/**
 * Checks every variable has a name and a type. A missing interface, or missing inputs / outputs,
 * become empty ones that are present (and serialise as `{}`): Flyte writes them back into the
 * objects it was given, which is visible in compiled tasks and templates.
 */
export function validateInterface(
  nodeId: string,
  iface: TypedInterface | undefined,
  errs: ErrorScope,
): { iface: TypedInterface; ok: boolean } {
  const result = iface ?? create(TypedInterfaceSchema);
  if (result.inputs !== undefined) validateVariables(nodeId, result.inputs, errs.scope());
  else result.inputs = create(VariableMapSchema);
  if (result.outputs !== undefined) validateVariables(nodeId, result.outputs, errs.scope());
  else result.outputs = create(VariableMapSchema);
  return { iface: result, ok: !errs.hasErrors };
}

function validateVariables(nodeId: string, params: VariableMap, errs: ErrorScope): void {
  for (const [name, variable] of Object.entries(params.variables)) {
    if (name === "") errs.collect(errors.valueRequired(nodeId, "paramName"));
    if (variable.type === undefined) errs.collect(errors.valueRequired(nodeId, "param.Type"));
  }
}

/** The interface of a node, computed once and kept on its builder when it has no errors. */
export function validateUnderlyingInterface(
  w: WorkflowBuilder,
  b: NodeBuilder,
  errs: ErrorScope,
): { iface?: TypedInterface; ok: boolean } {
  if (b.iface !== undefined) return { iface: b.iface, ok: true };
  const node = b.node;
  let iface: TypedInterface | undefined;
  const target = node.target;
  switch (target.case) {
    case "taskNode": {
      const ref = target.value.reference;
      if (ref.case !== "referenceId") {
        errs.collect(errors.valueRequired(node.id, "TaskNode.ReferenceId"));
        break;
      }
      const task = w.tasks.get(identifierKey(ref.value));
      if (task === undefined) errs.collect(errors.taskReferenceNotFound(node.id, formatIdentifier(ref.value)));
      else iface = task.interface ?? emptyInterface();
      break;
    }
    case "workflowNode":
      iface = workflowNodeInterface(w, node, errs);
      break;
    case "branchNode":
      iface = validateBranchInterface(w, b, errs.scope()).iface;
      break;
    case "gateNode": {
      const condition = target.value.condition;
      if (condition.case === "approve") {
        // An approved gate passes its inputs through: its inputs and outputs are what its bindings provide.
        const { resolved } = validateBindings(
          w,
          b,
          node.inputs,
          create(VariableMapSchema),
          false,
          EdgeDirection.Upstream,
          errs.scope(),
        );
        iface = create(TypedInterfaceSchema, { inputs: resolved!, outputs: resolved! });
      } else if (condition.case === "signal") {
        const signal = condition.value;
        if (signal.type === undefined) {
          errs.collect(errors.valueRequired(node.id, "GateNode.Signal.Type"));
        } else if (signal.outputVariableName === "") {
          errs.collect(errors.valueRequired(node.id, "GateNode.Signal.OutputVariableName"));
        } else {
          iface = create(TypedInterfaceSchema, {
            inputs: create(VariableMapSchema),
            outputs: create(VariableMapSchema, {
              variables: { [signal.outputVariableName]: create(VariableSchema, { type: signal.type }) },
            }),
          });
        }
      } else if (condition.case === "sleep") {
        iface = emptyInterface();
      } else {
        errs.collect(errors.noConditionFound(node.id));
      }
      break;
    }
    case "arrayNode": {
      // The array node exposes its sub-node's interface as is: flytekit already declares it over lists.
      const sub = target.value.node;
      if (sub === undefined) {
        errs.collect(errors.valueRequired(node.id, "ArrayNode.Node"));
        break;
      }
      const result = validateUnderlyingInterface(w, w.builderFor(sub), errs.scope());
      if (result.ok) iface = result.iface;
      break;
    }
    default:
      errs.collect(errors.valueRequired(node.id, "Target"));
  }
  if (iface !== undefined) validateInterface(node.id, iface, errs.scope());
  if (!errs.hasErrors) b.iface = iface;
  return { iface, ok: !errs.hasErrors };
}

function workflowNodeInterface(w: WorkflowBuilder, node: Node, errs: ErrorScope): TypedInterface | undefined {
  if (node.target.case !== "workflowNode") return undefined;
  const ref = node.target.value.reference;
  const launchPlanRef = ref.case === "launchplanRef" ? ref.value : undefined;
  // Flyte compares the Go text of the reference with the template id, so a launch plan reference
  // equal to the workflow's own id (and, as in Go, no reference in a template without id) is the
  // workflow calling itself.
  if (identifierKey(launchPlanRef) === identifierKey(w.template.id)) {
    const own = w.template.interface;
    if (own === undefined) errs.collect(errors.valueRequired(node.id, "WorkflowNode.Interface"));
    return own;
  }
  if (launchPlanRef !== undefined) {
    const lp = w.launchPlans.get(identifierKey(launchPlanRef));
    if (lp === undefined) {
      errs.collect(errors.workflowReferenceNotFound(node.id, formatIdentifier(launchPlanRef)));
      return undefined;
    }
    const inputs = lp.expectedInputs;
    if (inputs === undefined) errs.collect(errors.valueRequired(node.id, "WorkflowNode.ExpectedInputs"));
    const outputs = lp.expectedOutputs;
    if (outputs === undefined) errs.collect(errors.valueRequired(node.id, "WorkflowNode.ExpectedOutputs"));
    // The node must bind the required inputs; inputs with defaults only when it overrides them.
    const exposed: Record<string, Variable> = {};
    for (const [name, param] of Object.entries(inputs?.parameters ?? {})) {
      const required = param.behavior.case === "required" && param.behavior.value;
      if (required || node.inputs.some((binding) => binding.var === name)) {
        exposed[name] = param.var ?? create(VariableSchema);
      }
    }
    return create(TypedInterfaceSchema, { inputs: create(VariableMapSchema, { variables: exposed }), outputs });
  }
  if (ref.case === "subWorkflowRef") {
    const sub = w.context.subWorkflows.get(identifierKey(ref.value));
    if (sub === undefined) {
      errs.collect(errors.workflowReferenceNotFound(node.id, formatIdentifier(ref.value)));
      return undefined;
    }
    if (sub.template === undefined) {
      errs.collect(errors.valueRequired(node.id, "WorkflowNode.Template"));
      return undefined;
    }
    const own = sub.template.interface;
    if (own === undefined) errs.collect(errors.valueRequired(node.id, "WorkflowNode.Template.Interface"));
    return own;
  }
  errs.collect(
    errors.workflowReferenceNotFound(node.id, "none: the node has neither a launch plan nor a sub-workflow reference"),
  );
  return undefined;
}

function emptyInterface(): TypedInterface {
  return create(TypedInterfaceSchema, { inputs: create(VariableMapSchema), outputs: create(VariableMapSchema) });
}
