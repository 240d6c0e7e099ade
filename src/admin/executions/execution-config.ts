// An execution's settings (flyteadmin execution_manager.go getExecutionConfig, util.MergeIntoExecConfig):
// each field takes the first value set in the request, then the launch plan, then the
// WORKFLOW_EXECUTION_CONFIG attributes of the workflow (or, failing that, project-domain), then
// those of the project. The result is written into the stored ExecutionSpec.
import { create } from "@bufbuild/protobuf";
import type { Queryable } from "../../db/index.js";
import type { Annotations, Envs, Labels, RawOutputDataConfig } from "../../idl/gen/flyteidl/admin/common_pb.js";
import type { ExecutionSpec } from "../../idl/gen/flyteidl/admin/execution_pb.js";
import type { LaunchPlanSpec } from "../../idl/gen/flyteidl/admin/launch_plan_pb.js";
import {
  MatchableResource,
  type WorkflowExecutionConfig,
  WorkflowExecutionConfigSchema,
} from "../../idl/gen/flyteidl/admin/matchable_resource_pb.js";
import type { SecurityContext } from "../../idl/gen/flyteidl/core/security_pb.js";
import { matchingAttributes } from "../attributes/index.js";

/** What a request, a launch plan and an execution config all carry. */
interface ConfigSource {
  maxParallelism: number;
  securityContext?: SecurityContext;
  rawOutputDataConfig?: RawOutputDataConfig;
  labels?: Labels;
  annotations?: Annotations;
  interruptible?: boolean;
  overwriteCache: boolean;
  envs?: Envs;
}

const hasRunAs = (context: SecurityContext | undefined) => {
  const runAs = context?.runAs;
  return (
    runAs !== undefined && (runAs.k8sServiceAccount !== "" || runAs.iamRole !== "" || runAs.executionIdentity !== "")
  );
};
const hasEntries = (values: object | undefined) => values !== undefined && Object.keys(values).length > 0;

/** MergeIntoExecConfig: fills the fields of `into` still unset from `from`. */
function mergeInto(into: WorkflowExecutionConfig, from: ConfigSource): void {
  if (into.maxParallelism === 0 && from.maxParallelism > 0) into.maxParallelism = from.maxParallelism;
  if (into.securityContext === undefined && hasRunAs(from.securityContext)) into.securityContext = from.securityContext;
  // Launch plans carry empty labels, annotations and raw output configs, hence the deep checks.
  if (!into.rawOutputDataConfig?.outputLocationPrefix && from.rawOutputDataConfig?.outputLocationPrefix) {
    into.rawOutputDataConfig = from.rawOutputDataConfig;
  }
  if (!hasEntries(into.labels?.values) && hasEntries(from.labels?.values)) into.labels = from.labels;
  if (!hasEntries(into.annotations?.values) && hasEntries(from.annotations?.values))
    into.annotations = from.annotations;
  if (into.interruptible === undefined && from.interruptible !== undefined) into.interruptible = from.interruptible;
  if (!into.overwriteCache && from.overwriteCache) into.overwriteCache = true;
  if (!hasEntries(into.envs?.values) && hasEntries(from.envs?.values)) into.envs = from.envs;
}

/**
 * The resolved config for an execution of `workflowName` ("" for single tasks, which flyteadmin
 * resolves without their generated launch plan). One query reads every candidate attribute row.
 */
export async function resolveExecutionConfig(
  db: Queryable,
  spec: ExecutionSpec,
  launchPlan: LaunchPlanSpec | undefined,
  scope: { project: string; domain: string; workflowName: string },
): Promise<WorkflowExecutionConfig> {
  const config = create(WorkflowExecutionConfigSchema);
  mergeInto(config, spec);
  if (launchPlan !== undefined) mergeInto(config, launchPlan);
  const [specific, project] = await Promise.all([
    matchingAttributes(db, MatchableResource.WORKFLOW_EXECUTION_CONFIG, {
      project: scope.project,
      domain: scope.domain,
      workflow: scope.workflowName,
    }),
    matchingAttributes(db, MatchableResource.WORKFLOW_EXECUTION_CONFIG, { project: scope.project, domain: "" }),
  ]);
  for (const found of [specific[0], project[0]]) {
    const attributes = found?.attributes.target;
    if (attributes?.case === "workflowExecutionConfig") mergeInto(config, attributes.value);
  }
  return config;
}

/** Writes the resolved config into the spec that is stored, as flyteadmin's completeResolvedSpec does. */
export function applyExecutionConfig(spec: ExecutionSpec, config: WorkflowExecutionConfig): void {
  spec.maxParallelism = config.maxParallelism;
  spec.securityContext = config.securityContext;
  spec.rawOutputDataConfig = config.rawOutputDataConfig;
  spec.labels = config.labels;
  spec.annotations = config.annotations;
  spec.interruptible = config.interruptible;
  spec.overwriteCache = config.overwriteCache;
  spec.envs = config.envs;
}
