// Single-task executions (flyteadmin util/single_task_execution.go): a task is launched through a
// system-generated workflow and launch plan named `.flytegen.<task name>` at the task's version,
// registered like any other (compiled, stored, idempotent) the first time the task is launched.
import { create, fromBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Queryable } from "../../db/index.js";
import { NamedEntityState } from "../../idl/gen/flyteidl/admin/common_pb.js";
import { LaunchPlanCreateRequestSchema } from "../../idl/gen/flyteidl/admin/launch_plan_pb.js";
import { TaskClosureSchema } from "../../idl/gen/flyteidl/admin/task_pb.js";
import { WorkflowCreateRequestSchema } from "../../idl/gen/flyteidl/admin/workflow_pb.js";
import { type Identifier, ResourceType } from "../../idl/gen/flyteidl/core/identifier_pb.js";
import type { VariableMap } from "../../idl/gen/flyteidl/core/interface_pb.js";
import type { Binding } from "../../idl/gen/flyteidl/core/literals_pb.js";
import { fixedLengthUniqueId } from "../../storage/index.js";
import type { AdminContext } from "../context.js";
import { createLaunchPlan } from "../registration/launch-plans.js";
import { createWorkflow } from "../registration/workflows.js";
import { notFound } from "./errors.js";

/** flyteadmin's systemNamePrefix. */
export const SYSTEM_NAME_PREFIX = ".flytegen.";

/** flyteadmin's default when the task sets no retries of its own. */
const DEFAULT_RETRIES = 3;

/** The node id: the task name's letters, digits and `-`, hashed down to 20 characters if longer. */
export function singleTaskNodeId(taskName: string): string {
  return fixedLengthUniqueId(20, [taskName.replace(/[^\p{L}\p{N}-]/gu, "")]);
}

/** Bindings that pass each variable through from `nodeId` ("" = the workflow's own inputs). */
function passThrough(variables: VariableMap | undefined, nodeId: string): Binding[] {
  return Object.keys(variables?.variables ?? {}).map(
    (name) =>
      ({
        var: name,
        binding: { value: { case: "promise", value: { nodeId, var: name } } },
      }) as Binding,
  );
}

/** Registration's AlreadyExists means another launch made it first, which is what we want. */
async function ignoreExisting(registration: Promise<unknown>): Promise<void> {
  try {
    await registration;
  } catch (err) {
    if (!(err instanceof ConnectError) || err.code !== Code.AlreadyExists) throw err;
  }
}

/** Marks a generated name SYSTEM_GENERATED (as flyteadmin does), without touching user-set metadata. */
async function markSystemGenerated(db: Queryable, type: ResourceType, id: Identifier): Promise<void> {
  await db.query(
    "INSERT INTO named_entity_metadata (resource_type, project, domain, name, org, state) VALUES ($1, $2, $3, $4, $5, $6) " +
      "ON CONFLICT (resource_type, project, domain, name) DO NOTHING",
    [type, id.project, id.domain, id.name, id.org, NamedEntityState.SYSTEM_GENERATED],
  );
}

/**
 * The id of the `.flytegen.<task>` launch plan for `taskId`, creating its workflow and launch plan
 * when this version of the task has never been launched. NotFound when the task is not registered.
 */
export async function ensureSingleTaskLaunchPlan(
  ctx: AdminContext,
  taskId: Identifier,
): Promise<{ launchPlanId: Identifier; taskRowId: number }> {
  const rows = await ctx.db.query<{ id: number; closure: Uint8Array }>(
    "SELECT id, closure FROM tasks WHERE project = $1 AND domain = $2 AND name = $3 AND version = $4",
    [taskId.project, taskId.domain, taskId.name, taskId.version],
  );
  if (rows.length === 0) {
    throw notFound(
      `missing entity of type task with identifier project:"${taskId.project}" domain:"${taskId.domain}" ` +
        `name:"${taskId.name}" version:"${taskId.version}"; register the task before launching it`,
    );
  }
  const name = `${SYSTEM_NAME_PREFIX}${taskId.name}`;
  const base = { project: taskId.project, domain: taskId.domain, name, version: taskId.version, org: taskId.org };
  const workflowId = { ...base, resourceType: ResourceType.WORKFLOW } as Identifier;
  const launchPlanId = { ...base, resourceType: ResourceType.LAUNCH_PLAN } as Identifier;
  const existing = await ctx.db.query(
    "SELECT 1 FROM launch_plans WHERE project = $1 AND domain = $2 AND name = $3 AND version = $4",
    [base.project, base.domain, name, base.version],
  );
  const found = { launchPlanId, taskRowId: rows[0].id };
  if (existing.length > 0) return found;

  const template = fromBinary(TaskClosureSchema, rows[0].closure).compiledTask?.template;
  const nodeId = singleTaskNodeId(taskId.name);
  const retries = template?.metadata?.retries ?? { retries: DEFAULT_RETRIES };
  await ignoreExisting(
    createWorkflow(
      ctx,
      create(WorkflowCreateRequestSchema, {
        id: workflowId,
        spec: {
          template: {
            id: workflowId,
            interface: template?.interface,
            nodes: [
              {
                id: nodeId,
                metadata: { name: nodeId, retries },
                inputs: passThrough(template?.interface?.inputs, ""),
                target: { case: "taskNode", value: { reference: { case: "referenceId", value: taskId } } },
              },
            ],
            outputs: passThrough(template?.interface?.outputs, nodeId),
          },
        },
      }),
    ),
  );
  await markSystemGenerated(ctx.db, ResourceType.WORKFLOW, workflowId);
  // Every task input becomes a required launch plan input: registration derives them from the
  // workflow's interface when the plan declares no defaults. Created INACTIVE, as flyteadmin does.
  await ignoreExisting(
    createLaunchPlan(
      ctx,
      create(LaunchPlanCreateRequestSchema, {
        id: launchPlanId,
        spec: { workflowId, entityMetadata: {}, defaultInputs: {}, fixedInputs: {}, labels: {}, annotations: {} },
      }),
    ),
  );
  await markSystemGenerated(ctx.db, ResourceType.LAUNCH_PLAN, launchPlanId);
  return found;
}
