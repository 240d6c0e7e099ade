// CreateExecution, RelaunchExecution and RecoverExecution (flyteadmin execution_manager.go): all
// three resolve what to run, compute its inputs and persist a new execution in phase UNDEFINED;
// the engine picks it up from there and reports RUNNING.
import { clone, create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Queryable } from "../../db/index.js";
import { joinUri } from "../../storage/index.js";
import {
  type ExecutionCreateRequest,
  type ExecutionCreateResponse,
  ExecutionCreateResponseSchema,
  ExecutionClosureSchema,
  ExecutionMetadata_ExecutionMode as ExecutionMode,
  ExecutionMetadataSchema,
  type ExecutionRecoverRequest,
  type ExecutionRelaunchRequest,
  type ExecutionSpec,
  ExecutionSpecSchema,
  ExecutionState,
  SystemMetadataSchema,
} from "../../idl/gen/flyteidl/admin/execution_pb.js";
import {
  type LaunchPlanClosure,
  LaunchPlanClosureSchema,
  type LaunchPlanSpec,
  LaunchPlanSpecSchema,
} from "../../idl/gen/flyteidl/admin/launch_plan_pb.js";
import { type Labels, LabelsSchema } from "../../idl/gen/flyteidl/admin/common_pb.js";
import { type Identifier, IdentifierSchema, ResourceType } from "../../idl/gen/flyteidl/core/identifier_pb.js";
import type { ParameterMap } from "../../idl/gen/flyteidl/core/interface_pb.js";
import { type LiteralMap, LiteralMapSchema } from "../../idl/gen/flyteidl/core/literals_pb.js";
import type { AdminContext } from "../context.js";
import { executionDataPrefix } from "./data.js";
import { alreadyExists, invalidArgument, isUniqueViolation, notFound } from "./errors.js";
import { computeInputs } from "./inputs.js";
import { checkExecutionName, generateExecutionName } from "./names.js";
import { loadExecution, requireExecutionId } from "./rows.js";
import { ensureSingleTaskLaunchPlan } from "./single-task.js";
import { checkConcurrency } from "./concurrency.js";
import { applyExecutionConfig, resolveExecutionConfig } from "./execution-config.js";
import { validateNotifications } from "../notifications/index.js";

/** What one new execution is made from, whichever RPC asked for it. */
interface Launch {
  project: string;
  domain: string;
  org: string;
  /** "" to generate one. */
  name: string;
  spec: ExecutionSpec;
  inputs: LiteralMap | undefined;
  sourceExecutionId?: number;
}

/** The entity an execution runs: a launch plan (and its workflow) or a single task. */
interface Target {
  launchEntity: "launch_plan" | "task";
  launchPlanId: number | null;
  workflowId: number | null;
  taskId: number | null;
  workflowIdentifier: Identifier | undefined;
  expected: ParameterMap | undefined;
  fixed: LiteralMap | undefined;
  /** The launch plan whose settings and concurrency policy apply; undefined for single tasks. */
  launchPlanSpec: LaunchPlanSpec | undefined;
  launchPlanName: string;
}

const nonEmpty = (map: LiteralMap | undefined) =>
  map !== undefined && Object.keys(map.literals).length > 0 ? map : undefined;

export async function createExecution(
  ctx: AdminContext,
  request: ExecutionCreateRequest,
): Promise<ExecutionCreateResponse> {
  if (request.project === "") throw invalidArgument("missing project");
  if (request.domain === "") throw invalidArgument("missing domain");
  if (request.name !== "") checkExecutionName(request.name);
  if (request.spec === undefined) throw invalidArgument("missing spec");
  const overrides = request.spec.notificationOverrides;
  if (overrides.case === "notifications") validateNotifications(overrides.value.notifications);
  // Older clients send inputs inside the spec.
  const inputs = nonEmpty(request.inputs) ?? request.spec.inputs;
  return launch(ctx, {
    project: request.project,
    domain: request.domain,
    org: request.org,
    name: request.name,
    spec: request.spec,
    inputs,
  });
}

export async function relaunchExecution(
  ctx: AdminContext,
  request: ExecutionRelaunchRequest,
): Promise<ExecutionCreateResponse> {
  const { row, spec, inputs } = await previous(ctx, request.id, request.name);
  spec.metadata ??= create(ExecutionMetadataSchema);
  spec.metadata.mode = ExecutionMode.RELAUNCH;
  spec.metadata.referenceExecution = requireExecutionId(request.id);
  spec.overwriteCache = request.overwriteCache;
  return launch(ctx, { ...identity(row), name: request.name, spec, inputs, sourceExecutionId: row.id });
}

export async function recoverExecution(
  ctx: AdminContext,
  request: ExecutionRecoverRequest,
): Promise<ExecutionCreateResponse> {
  const { row, spec, inputs } = await previous(ctx, request.id, request.name);
  spec.metadata ??= create(ExecutionMetadataSchema);
  spec.metadata.mode = ExecutionMode.RECOVERED;
  spec.metadata.referenceExecution = requireExecutionId(request.id);
  if (request.metadata?.parentNodeExecution) spec.metadata.parentNodeExecution = request.metadata.parentNodeExecution;
  return launch(ctx, { ...identity(row), name: request.name, spec, inputs, sourceExecutionId: row.id });
}

const identity = (row: { project: string; domain: string; org: string }) => ({
  project: row.project,
  domain: row.domain,
  org: row.org,
});

/** The execution to relaunch or recover: its spec and the inputs its caller gave. */
async function previous(ctx: AdminContext, id: ExecutionRelaunchRequest["id"], name: string) {
  const row = await loadExecution(ctx.db, requireExecutionId(id));
  if (name !== "") checkExecutionName(name);
  const spec = fromBinary(ExecutionSpecSchema, row.spec);
  const inputs =
    row.user_inputs_uri !== "" ? fromBinary(LiteralMapSchema, await ctx.store.get(row.user_inputs_uri)) : spec.inputs;
  spec.inputs = undefined;
  return { row, spec, inputs };
}

async function launch(ctx: AdminContext, request: Launch): Promise<ExecutionCreateResponse> {
  const { db, config } = ctx;
  const projectLabels = await checkProjectDomain(db, request.project, request.domain, config.domains);
  const target = await resolveTarget(ctx, request.spec.launchPlan);
  const computed = computeInputs(target.expected, target.fixed, request.inputs);
  const userInputs = request.inputs ?? create(LiteralMapSchema);
  const name = request.name || generateExecutionName();
  const id = { project: request.project, domain: request.domain, name, org: request.org };

  const spec = clone(ExecutionSpecSchema, request.spec);
  const executionConfig = await resolveExecutionConfig(db, spec, target.launchPlanSpec, {
    project: id.project,
    domain: id.domain,
    workflowName: target.launchPlanSpec?.workflowId?.name ?? "",
  });
  prepareSpec(spec, id);
  applyExecutionConfig(spec, executionConfig);
  spec.labels = withProjectLabels(spec.labels, projectLabels);
  const parent = await parentNodeExecution(db, spec);
  if (parent !== undefined) {
    spec.metadata!.principal = parent.principal;
    spec.metadata!.nesting = parent.nesting + 1;
  }

  const now = new Date();
  const closure = create(ExecutionClosureSchema, {
    createdAt: timestampFromDate(now),
    updatedAt: timestampFromDate(now),
    notifications: notifications(spec, target.launchPlanSpec),
    workflowId: target.workflowIdentifier,
    stateChangeDetails: {
      state: ExecutionState.EXECUTION_ACTIVE,
      occurredAt: timestampFromDate(now),
      principal: spec.metadata!.principal,
    },
  });
  const prefix = executionDataPrefix(config, id);
  const inputsUri = joinUri(prefix, "inputs");
  const userInputsUri = joinUri(prefix, "user_inputs");
  const tags = [...Object.entries(spec.labels?.values ?? {}), ...spec.tags.map((tag) => [tag, ""] as [string, string])];

  try {
    await db.transaction(
      async (tx) => {
        await checkConcurrency(tx, id, target);
        const [row] = await tx.query<{ id: number }>(
          `INSERT INTO executions (project, domain, name, org, launch_plan_id, workflow_id, task_id, launch_entity,
             mode, principal, spec, closure, inputs_uri, user_inputs_uri, scheduled_at, created_at, updated_at,
             parent_node_execution_id, source_execution_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, $17, $18)
           RETURNING id`,
          [
            id.project,
            id.domain,
            id.name,
            id.org,
            target.launchPlanId,
            target.workflowId,
            target.taskId,
            target.launchEntity,
            spec.metadata!.mode,
            spec.metadata!.principal,
            toBinary(ExecutionSpecSchema, spec),
            toBinary(ExecutionClosureSchema, closure),
            inputsUri,
            userInputsUri,
            spec.metadata!.scheduledAt ? new Date(Number(spec.metadata!.scheduledAt.seconds) * 1000) : null,
            now,
            parent?.id ?? null,
            request.sourceExecutionId ?? null,
          ],
        );
        for (const [key, value] of tags) {
          await tx.query(
            "INSERT INTO execution_tags (execution_id, key, value) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            [row.id, key, value],
          );
        }
        // Written once the name is known to be ours (the insert above holds it until commit), so a
        // duplicate request never overwrites the inputs of the execution it collides with.
        await Promise.all([
          ctx.store.put(inputsUri, toBinary(LiteralMapSchema, computed)),
          ctx.store.put(userInputsUri, toBinary(LiteralMapSchema, userInputs)),
        ]);
      },
      { isolation: "read committed" },
    );
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw alreadyExists(`execution with name ${id.name} already exists in project ${id.project} domain ${id.domain}`);
    }
    throw err;
  }
  return create(ExecutionCreateResponseSchema, { id });
}

/** Checks the project and domain; returns the project's labels, which every execution carries. */
async function checkProjectDomain(
  db: Queryable,
  project: string,
  domain: string,
  domains: string[],
): Promise<Record<string, string>> {
  const rows = await db.query<{ state: number; labels: Record<string, string> }>(
    "SELECT state, labels FROM projects WHERE identifier = $1",
    [project],
  );
  if (rows.length === 0) {
    throw invalidArgument(
      `failed to validate that project [${project}] and domain [${domain}] are registered, err: [project [${project}] not found]`,
    );
  }
  if (rows[0].state === 1) throw invalidArgument(`project [${project}] is not active`);
  if (!domains.includes(domain)) throw invalidArgument(`domain [${domain}] is unrecognized by system`);
  return rows[0].labels;
}

/** flyteadmin's addProjectLabels: project labels are added, the execution's own win on a clash. */
function withProjectLabels(labels: Labels | undefined, projectLabels: Record<string, string>): Labels | undefined {
  if (Object.keys(projectLabels).length === 0) return labels;
  return create(LabelsSchema, { values: { ...projectLabels, ...labels?.values } });
}

async function resolveTarget(ctx: AdminContext, id: Identifier | undefined): Promise<Target> {
  if (id === undefined) throw invalidArgument("missing launch_plan");
  for (const field of ["project", "domain", "name", "version"] as const) {
    if (id[field] === "") throw invalidArgument(`missing ${field}`);
  }
  if (id.resourceType === ResourceType.TASK) return resolveTask(ctx, id);
  if (id.resourceType !== ResourceType.LAUNCH_PLAN) {
    throw invalidArgument(
      `invalid resource type ${ResourceType[id.resourceType] ?? id.resourceType}; expected LAUNCH_PLAN or TASK`,
    );
  }
  return resolveLaunchPlan(ctx.db, id);
}

async function resolveLaunchPlan(db: Queryable, id: Identifier): Promise<Target> {
  const key = [id.project, id.domain, id.name, id.version];
  const rows = await db.query<{
    id: number;
    spec: Uint8Array;
    closure: Uint8Array;
    workflow_id: number;
    w_project: string;
    w_domain: string;
    w_name: string;
    w_version: string;
    w_org: string;
  }>(
    `SELECT launch_plans.id, launch_plans.spec, launch_plans.closure, launch_plans.workflow_id,
       workflows.project AS w_project, workflows.domain AS w_domain, workflows.name AS w_name,
       workflows.version AS w_version, workflows.org AS w_org
     FROM launch_plans JOIN workflows ON workflows.id = launch_plans.workflow_id
     WHERE launch_plans.project = $1 AND launch_plans.domain = $2 AND launch_plans.name = $3 AND launch_plans.version = $4`,
    key,
  );
  if (rows.length === 0) {
    throw notFound(
      `missing entity of type launch plan with identifier project:"${id.project}" domain:"${id.domain}" name:"${id.name}" version:"${id.version}"`,
    );
  }
  const row = rows[0];
  const spec = fromBinary(LaunchPlanSpecSchema, row.spec);
  const closure: LaunchPlanClosure = fromBinary(LaunchPlanClosureSchema, row.closure);
  return {
    launchEntity: "launch_plan",
    launchPlanId: row.id,
    workflowId: row.workflow_id,
    taskId: null,
    workflowIdentifier: create(IdentifierSchema, {
      resourceType: ResourceType.WORKFLOW,
      project: row.w_project,
      domain: row.w_domain,
      name: row.w_name,
      version: row.w_version,
      org: row.w_org,
    }),
    // The closure's parameter map is what registration derived for callers; older rows may lack it.
    expected: closure.expectedInputs ?? spec.defaultInputs,
    fixed: spec.fixedInputs,
    launchPlanSpec: spec,
    launchPlanName: id.name,
  };
}

/**
 * A single task runs through its `.flytegen.` workflow and launch plan (made on first launch). As
 * in flyteadmin, the execution links the task and the workflow but no launch plan, and the generated
 * plan's (empty) settings take no part in resolving the execution's config.
 */
async function resolveTask(ctx: AdminContext, taskId: Identifier): Promise<Target> {
  const { launchPlanId, taskRowId } = await ensureSingleTaskLaunchPlan(ctx, taskId);
  const target = await resolveLaunchPlan(ctx.db, launchPlanId);
  return { ...target, launchEntity: "task", launchPlanId: null, taskId: taskRowId, launchPlanSpec: undefined };
}

/**
 * The caller's part of the stored spec: principal is the caller (no auth yet, so ""), and the
 * system metadata names the namespace the execution runs in.
 */
function prepareSpec(spec: ExecutionSpec, id: { project: string; domain: string }): void {
  spec.inputs = undefined;
  spec.metadata ??= create(ExecutionMetadataSchema);
  spec.metadata.principal = "";
  spec.metadata.systemMetadata = create(SystemMetadataSchema, { namespace: `${id.project}-${id.domain}` });
}

/** Request notifications if any, none if disabled, else the launch plan's. */
function notifications(spec: ExecutionSpec, lp: LaunchPlanSpec | undefined) {
  const overrides = spec.notificationOverrides;
  if (overrides.case === "notifications" && overrides.value.notifications.length > 0)
    return overrides.value.notifications;
  if (overrides.case === "disableAll" && overrides.value) return [];
  return lp?.entityMetadata?.notifications ?? [];
}

/** A child launched by a launch plan node: its parent node execution must exist; it inherits the caller. */
async function parentNodeExecution(db: Queryable, spec: ExecutionSpec) {
  const parent = spec.metadata?.parentNodeExecution;
  if (parent === undefined) return undefined;
  const exec = requireExecutionId(parent.executionId);
  const rows = await db.query<{ id: number; principal: string; spec: Uint8Array }>(
    `SELECT node_executions.id, executions.principal, executions.spec
     FROM node_executions JOIN executions ON executions.id = node_executions.execution_id
     WHERE executions.project = $1 AND executions.domain = $2 AND executions.name = $3 AND node_executions.node_id = $4`,
    [exec.project, exec.domain, exec.name, parent.nodeId],
  );
  if (rows.length === 0) throw notFound(`parent node execution ${parent.nodeId} of ${exec.name} not found`);
  const nesting = fromBinary(ExecutionSpecSchema, rows[0].spec).metadata?.nesting ?? 0;
  return { id: rows[0].id, principal: rows[0].principal, nesting };
}
