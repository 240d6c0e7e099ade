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
import { TaskClosureSchema } from "../../idl/gen/flyteidl/admin/task_pb.js";
import { type Identifier, IdentifierSchema, ResourceType } from "../../idl/gen/flyteidl/core/identifier_pb.js";
import { type ParameterMap, ParameterMapSchema, ParameterSchema } from "../../idl/gen/flyteidl/core/interface_pb.js";
import { type LiteralMap, LiteralMapSchema } from "../../idl/gen/flyteidl/core/literals_pb.js";
import type { AdminContext } from "../context.js";
import { executionDataPrefix } from "./data.js";
import { alreadyExists, invalidArgument, isUniqueViolation, notFound } from "./errors.js";
import { computeInputs } from "./inputs.js";
import { checkExecutionName, generateExecutionName } from "./names.js";
import { loadExecution, requireExecutionId } from "./rows.js";

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
  launchPlanSpec: LaunchPlanSpec | undefined;
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
  await checkProjectDomain(db, request.project, request.domain, config.domains);
  const target = await resolveTarget(db, request.spec.launchPlan);
  const computed = computeInputs(target.expected, target.fixed, request.inputs);
  const userInputs = request.inputs ?? create(LiteralMapSchema);
  const name = request.name || generateExecutionName();
  const id = { project: request.project, domain: request.domain, name, org: request.org };

  const spec = resolveSpec(clone(ExecutionSpecSchema, request.spec), target.launchPlanSpec, id);
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

async function checkProjectDomain(db: Queryable, project: string, domain: string, domains: string[]): Promise<void> {
  const rows = await db.query<{ state: number }>("SELECT state FROM projects WHERE identifier = $1", [project]);
  if (rows.length === 0) {
    throw invalidArgument(
      `failed to validate that project [${project}] and domain [${domain}] are registered, err: [project [${project}] not found]`,
    );
  }
  if (rows[0].state === 1) throw invalidArgument(`project [${project}] is not active`);
  if (!domains.includes(domain)) throw invalidArgument(`domain [${domain}] is unrecognized by system`);
}

async function resolveTarget(db: Queryable, id: Identifier | undefined): Promise<Target> {
  if (id === undefined) throw invalidArgument("missing launch_plan");
  for (const field of ["project", "domain", "name", "version"] as const) {
    if (id[field] === "") throw invalidArgument(`missing ${field}`);
  }
  const key = [id.project, id.domain, id.name, id.version];
  if (id.resourceType === ResourceType.TASK) return resolveTask(db, key);
  if (id.resourceType !== ResourceType.LAUNCH_PLAN) {
    throw invalidArgument(
      `invalid resource type ${ResourceType[id.resourceType] ?? id.resourceType}; expected LAUNCH_PLAN or TASK`,
    );
  }
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
  };
}

/** A single task runs with its own interface as inputs, every one of them required. */
async function resolveTask(db: Queryable, key: string[]): Promise<Target> {
  const rows = await db.query<{ id: number; closure: Uint8Array }>(
    "SELECT id, closure FROM tasks WHERE project = $1 AND domain = $2 AND name = $3 AND version = $4",
    key,
  );
  if (rows.length === 0) {
    throw notFound(
      `missing entity of type task with identifier project:"${key[0]}" domain:"${key[1]}" name:"${key[2]}" version:"${key[3]}"`,
    );
  }
  const template = fromBinary(TaskClosureSchema, rows[0].closure).compiledTask?.template;
  const variables = template?.interface?.inputs?.variables ?? {};
  const expected = create(ParameterMapSchema, {
    parameters: Object.fromEntries(
      Object.entries(variables).map(([name, variable]) => [
        name,
        create(ParameterSchema, { var: variable, behavior: { case: "required", value: true } }),
      ]),
    ),
  });
  return {
    launchEntity: "task",
    launchPlanId: null,
    workflowId: null,
    taskId: rows[0].id,
    workflowIdentifier: undefined,
    expected,
    fixed: undefined,
    launchPlanSpec: undefined,
  };
}

/**
 * The spec as stored: settings the caller left unset come from the launch plan (flyteadmin's
 * execution config resolution, without matchable attributes); principal is the caller (no auth
 * yet, so ""), and the system metadata names the namespace the execution runs in.
 */
function resolveSpec(
  spec: ExecutionSpec,
  lp: LaunchPlanSpec | undefined,
  id: { project: string; domain: string },
): ExecutionSpec {
  spec.inputs = undefined;
  spec.metadata ??= create(ExecutionMetadataSchema);
  spec.metadata.principal = "";
  spec.metadata.systemMetadata = create(SystemMetadataSchema, { namespace: `${id.project}-${id.domain}` });
  if (lp === undefined) return spec;
  if (spec.maxParallelism === 0) spec.maxParallelism = lp.maxParallelism;
  if (spec.securityContext === undefined) spec.securityContext = lp.securityContext;
  if (!spec.rawOutputDataConfig?.outputLocationPrefix) spec.rawOutputDataConfig = lp.rawOutputDataConfig;
  if (Object.keys(spec.labels?.values ?? {}).length === 0) spec.labels = lp.labels;
  if (Object.keys(spec.annotations?.values ?? {}).length === 0) spec.annotations = lp.annotations;
  if (spec.interruptible === undefined) spec.interruptible = lp.interruptible;
  spec.overwriteCache = spec.overwriteCache || lp.overwriteCache;
  if (Object.keys(spec.envs?.values ?? {}).length === 0) spec.envs = lp.envs;
  return spec;
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
