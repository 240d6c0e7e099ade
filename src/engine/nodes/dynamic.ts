// A dynamic node: a task whose attempt wrote futures.pb (a DynamicJobSpec) instead of outputs. The spec is
// compiled into a workflow named `dynamic_<node>`, stored beside the attempt, reported to admin with the node's
// DYNAMIC_RUNNING event, and run as the node's children; its end node gives the node's outputs.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { compileWorkflow, formatCompileErrors, type LaunchPlanInterface } from "../../compiler/index.js";
import type { DynamicJobSpec } from "../../idl/gen/flyteidl/core/dynamic_job_pb.js";
import {
  type CompiledWorkflowClosure,
  CompiledWorkflowClosureSchema,
  type Identifier,
  ResourceType,
  type TaskTemplate,
  WorkflowTemplateSchema,
} from "../../idl/index.js";
import { joinUri, nodeOutputDir } from "../../storage/index.js";
import type { ExecutionContext, NodeContext } from "../context.js";
import { NodeFailure, userError } from "../errors.js";
import { NodeExecution_Phase, sendNodeEvent } from "../node-events.js";
import { abortScope, type Scope } from "../scope.js";
import { childScope, stepChildScope } from "./subworkflow.js";

/** Compiles the spec a dynamic attempt wrote, stores the closure and reports DYNAMIC_RUNNING. */
export async function startDynamic(
  ctx: NodeContext,
  task: TaskTemplate,
  futuresUri: string,
  spec: DynamicJobSpec,
): Promise<void> {
  const { exec, state } = ctx;
  const closure = await compileDynamic(ctx, task, spec);
  const closureUri = joinUri(nodeOutputDir(ctx.dataDir, state.attempts), "dynamic_compiled.pb");
  await exec.store.put(closureUri, toBinary(CompiledWorkflowClosureSchema, closure));
  exec.include(closure);
  state.dynamic = { closureUri };
  state.phase = "DynamicRunning";
  exec.changed();
  sendNodeEvent(ctx, NodeExecution_Phase.DYNAMIC_RUNNING, {
    extra: {
      isDynamic: true,
      isParent: true,
      targetMetadata: {
        case: "taskNodeMetadata",
        value: {
          dynamicWorkflow: {
            id: closure.primary?.template?.id,
            compiledWorkflow: closure,
            dynamicJobSpecUri: futuresUri,
          },
        },
      },
    },
  });
}

async function compileDynamic(
  ctx: NodeContext,
  task: TaskTemplate,
  spec: DynamicJobSpec,
): Promise<CompiledWorkflowClosure> {
  const id: Identifier = {
    ...(task.id as Identifier),
    resourceType: ResourceType.WORKFLOW,
    name: `dynamic_${ctx.uniqueId}`,
  };
  const workflow = create(WorkflowTemplateSchema, {
    id,
    interface: task.interface,
    nodes: spec.nodes,
    outputs: spec.outputs,
  });
  const result = compileWorkflow({
    workflow,
    tasks: spec.tasks,
    subWorkflows: spec.subworkflows,
    launchPlans: await launchPlansOf(ctx, spec),
  });
  if ("errors" in result) {
    throw new NodeFailure(
      userError(
        "DynamicWorkflowBuildFailed",
        `the workflow dynamic task ${task.id?.name} built does not compile:\n${formatCompileErrors(result.errors)}`,
      ),
    );
  }
  return result.closure;
}

/** Interfaces of the launch plans the dynamic workflow calls, from admin. */
async function launchPlansOf(ctx: NodeContext, spec: DynamicJobSpec): Promise<LaunchPlanInterface[]> {
  const ids = new Map<string, Identifier>();
  const visit = (nodes: DynamicJobSpec["nodes"]) => {
    for (const node of nodes) {
      if (node.target.case === "workflowNode" && node.target.value.reference.case === "launchplanRef") {
        const lp = node.target.value.reference.value;
        ids.set(`${lp.project}/${lp.domain}/${lp.name}/${lp.version}`, lp);
      }
    }
  };
  visit(spec.nodes);
  for (const sub of spec.subworkflows) visit(sub.nodes);
  const plans: LaunchPlanInterface[] = [];
  for (const id of ids.values()) {
    const plan = await ctx.exec.api.admin.getLaunchPlan({ id });
    plans.push({ id, expectedInputs: plan.closure?.expectedInputs, expectedOutputs: plan.closure?.expectedOutputs });
  }
  return plans;
}

export function dynamicScope(ctx: NodeContext, closure: CompiledWorkflowClosure): Scope {
  if (closure.primary === undefined) throw new Error("dynamic workflow closure has no primary workflow");
  return childScope(ctx, closure.primary, true);
}

/** Decoded closures by execution and location: a dynamic node's children are stepped every round. */
const loaded = new WeakMap<ExecutionContext, Map<string, CompiledWorkflowClosure>>();

async function loadClosure(ctx: NodeContext): Promise<CompiledWorkflowClosure> {
  const uri = ctx.state.dynamic?.closureUri as string;
  let closures = loaded.get(ctx.exec);
  if (closures === undefined) {
    closures = new Map();
    loaded.set(ctx.exec, closures);
  }
  let closure = closures.get(uri);
  if (closure === undefined) {
    closure = fromBinary(CompiledWorkflowClosureSchema, await ctx.exec.store.get(uri));
    ctx.exec.include(closure);
    closures.set(uri, closure);
  }
  return closure;
}

/** One round of the dynamic workflow's nodes. */
export async function stepDynamic(ctx: NodeContext): Promise<void> {
  await stepChildScope(ctx, dynamicScope(ctx, await loadClosure(ctx)));
}

export async function abortDynamic(ctx: NodeContext, reason: string): Promise<void> {
  await abortScope(ctx.exec, dynamicScope(ctx, await loadClosure(ctx)), reason);
}
