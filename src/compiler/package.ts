// Offline compilation of a registration package, as `flytectl compile --file` does
// (flytectl/cmd/compile/compile.go): every task is compiled, then every workflow against all the
// package's tasks, its own sub-workflows and the launch plans of the package. A workflow whose
// launch plans run other workflows of the package is compiled after those, so their launch plans'
// interfaces are known. Unlike flytectl, which stops at the first failure, every entity gets a
// result; and a launch plan's inputs are what flyteadmin would expect of it (required unless the
// launch plan gives a default, absent when fixed) instead of flytectl's "all optional".

import { clone, create } from "@bufbuild/protobuf";
import {
  type CompiledTask,
  CompiledTaskSchema,
  type CompiledWorkflowClosure,
  type LaunchPlan,
  LaunchPlanSchema,
  type Parameter,
  ParameterMapSchema,
  ParameterSchema,
  type TaskSpec,
  TaskSpecSchema,
  type TypedInterface,
  VariableMapSchema,
  VariableSchema,
  type WorkflowSpec,
  WorkflowSpecSchema,
} from "../idl/index.js";
import type { LaunchPlanInterface } from "./builder.js";
import { type CompileError, errors } from "./errors.js";
import { identifierKey } from "./identifier.js";
import { getRequirements } from "./requirements.js";
import { compileTask } from "./task.js";
import { compileWorkflow } from "./workflow.js";

export interface PackageEntities {
  tasks: readonly TaskSpec[];
  workflows: readonly WorkflowSpec[];
  launchPlans: readonly LaunchPlan[];
}

export interface PackageResult {
  /** "workflow", or "task" for a task that does not compile. */
  kind: "task" | "workflow";
  /** The entity's name (its id's name). */
  name: string;
  /** Empty when the entity compiled. */
  errors: CompileError[];
  /** The compiled workflow, for a workflow that compiled. */
  closure?: CompiledWorkflowClosure;
}

/**
 * Compiles every task and workflow of a package. The results hold one entry per workflow (in package
 * order, after the tasks) and one per task that does not compile (flytectl fails the whole package
 * then). The given entities are not changed.
 */
export function compilePackage(entities: PackageEntities): PackageResult[] {
  const results: PackageResult[] = [];
  const tasks: CompiledTask[] = [];
  for (const spec of entities.tasks) {
    const template = clone(TaskSpecSchema, spec).template;
    const name = template?.id?.name ?? "";
    if (template === undefined) {
      results.push({ kind: "task", name, errors: [errors.valueRequired("root", "Template")] });
      continue;
    }
    const compiled = compileTask(template);
    if ("errors" in compiled) results.push({ kind: "task", name, errors: compiled.errors });
    // A task with errors is still offered to the workflows, so that they are checked against it.
    if (template.id !== undefined) tasks.push(create(CompiledTaskSchema, { template }));
  }

  // Like flytectl, workflows and launch plans are found by name (the last of a name wins).
  const workflows = new Map<string, WorkflowSpec>();
  for (const spec of entities.workflows) {
    workflows.set(spec.template?.id?.name ?? "", clone(WorkflowSpecSchema, spec));
  }
  const plans = new Map<string, LaunchPlan>();
  for (const plan of entities.launchPlans) plans.set(plan.id?.name ?? "", clone(LaunchPlanSchema, plan));

  const providers = new Map<string, LaunchPlanInterface>();
  const done = new Map<string, PackageResult>();
  const inProgress = new Set<string>();

  const compile = (name: string, spec: WorkflowSpec): PackageResult => {
    const finished = done.get(name);
    if (finished !== undefined) return finished;
    inProgress.add(name);
    const template = spec.template;
    let result: PackageResult;
    if (template === undefined) {
      result = { kind: "workflow", name, errors: [errors.valueRequired("root", "Template")] };
    } else {
      // Workflows run by this one's launch plans first: their launch plans need their interfaces.
      const reqs = getRequirements(template, spec.subWorkflows);
      for (const lpId of "errors" in reqs ? [] : reqs.launchPlanIds) {
        const target = plans.get(lpId.name)?.spec?.workflowId?.name;
        const targetSpec = target === undefined ? undefined : workflows.get(target);
        if (target !== undefined && targetSpec !== undefined && !inProgress.has(target)) compile(target, targetSpec);
      }
      const compiled = compileWorkflow({
        workflow: template,
        subWorkflows: spec.subWorkflows,
        tasks,
        launchPlans: [...providers.values()],
      });
      if ("closure" in compiled) {
        result = { kind: "workflow", name, errors: [], closure: compiled.closure };
        const iface = compiled.closure.primary?.template?.interface;
        for (const plan of plans.values()) {
          if (plan.id !== undefined && plan.spec?.workflowId?.name === name) {
            providers.set(identifierKey(plan.id), launchPlanInterface(plan, iface));
          }
        }
      } else {
        result = { kind: "workflow", name, errors: compiled.errors };
      }
    }
    inProgress.delete(name);
    done.set(name, result);
    return result;
  };

  for (const [name, spec] of workflows) results.push(compile(name, spec));
  return results;
}

/**
 * What a launch plan offers to the nodes that call it, as flyteadmin computes its expected inputs
 * and outputs when it is registered: every workflow input that the launch plan does not fix, with
 * the launch plan's default when it has one and required otherwise; the workflow's outputs.
 */
export function launchPlanInterface(
  plan: LaunchPlan,
  workflowInterface: TypedInterface | undefined,
): LaunchPlanInterface {
  const defaults = plan.spec?.defaultInputs?.parameters ?? {};
  const fixed = plan.spec?.fixedInputs?.literals ?? {};
  const parameters: Record<string, Parameter> = {};
  for (const [name, variable] of Object.entries(workflowInterface?.inputs?.variables ?? {})) {
    if (Object.hasOwn(defaults, name)) {
      parameters[name] = defaults[name];
    } else if (!Object.hasOwn(fixed, name)) {
      parameters[name] = create(ParameterSchema, {
        var: create(VariableSchema, { type: variable.type, description: variable.description }),
        behavior: { case: "required", value: true },
      });
    }
  }
  return {
    id: plan.id!,
    expectedInputs: create(ParameterMapSchema, { parameters }),
    expectedOutputs: workflowInterface?.outputs ?? create(VariableMapSchema),
  };
}
