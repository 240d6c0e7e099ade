// CreateLaunchPlan, GetLaunchPlan, UpdateLaunchPlan, GetActiveLaunchPlan and the launch plan lists
// (flyteadmin launch_plan_manager.go, launch_plan_validator.go).

import { clone, create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { LAUNCH_PLAN_COLUMNS, makeFilter, type Queryable, SqlState, sqlState } from "../../db/index.js";
import {
  type ActiveLaunchPlanListRequest,
  type ActiveLaunchPlanRequest,
  type Identifier,
  IdentifierSchema,
  type LaunchPlan,
  LaunchPlanClosureSchema,
  type LaunchPlanCreateRequest,
  LaunchPlanCreateResponseSchema,
  LaunchPlanListSchema,
  LaunchPlanSchema,
  type LaunchPlanSpec,
  LaunchPlanSpecSchema,
  LaunchPlanState,
  type LaunchPlanUpdateRequest,
  LaunchPlanUpdateResponseSchema,
  type NamedEntityIdentifierListRequest,
  NamedEntityIdentifierListSchema,
  type ObjectGetRequest,
  type ResourceListRequest,
  ResourceType,
  TypedInterfaceSchema,
} from "../../idl/index.js";
import type { AdminContext } from "../context.js";
import { describeDifferences, digestOf, sameDigest } from "./digest.js";
import { invalidArgument, missing, notFound } from "./errors.js";
import { identifierText, validateIdentifier, validateProjectAndDomain } from "./identifiers.js";
import { expectedInputs, validateLaunchPlanInputs, validateSchedule } from "./launch-plan-inputs.js";
import { listIds, listPage, scope } from "./lists.js";
import { findWorkflow } from "./workflows.js";
import { validateNotifications } from "../notifications/index.js";

interface LaunchPlanRow {
  id: number;
  project: string;
  domain: string;
  name: string;
  version: string;
  spec: Uint8Array;
  closure: Uint8Array;
  digest: Uint8Array;
  state: number;
  created_at: Date;
  updated_at: Date;
}

const SELECT =
  "SELECT launch_plans.id, launch_plans.project, launch_plans.domain, launch_plans.name, launch_plans.version, " +
  "launch_plans.spec, launch_plans.closure, launch_plans.digest, launch_plans.state, launch_plans.created_at, " +
  "launch_plans.updated_at FROM launch_plans";
// Lists may filter on the launch plan's workflow (flyteadmin joins it for `workflow.` filters).
const SELECT_WITH_WORKFLOW = `${SELECT} JOIN workflows ON workflows.id = launch_plans.workflow_id`;

async function findLaunchPlan(db: Queryable, id: Identifier): Promise<LaunchPlanRow | undefined> {
  const rows = await db.query<LaunchPlanRow>(
    `${SELECT} WHERE project = $1 AND domain = $2 AND name = $3 AND version = $4`,
    [id.project, id.domain, id.name, id.version],
  );
  return rows[0];
}

function launchPlanFromRow(row: LaunchPlanRow): LaunchPlan {
  const closure = fromBinary(LaunchPlanClosureSchema, row.closure);
  closure.state = row.state;
  closure.createdAt = timestampFromDate(row.created_at);
  closure.updatedAt = timestampFromDate(row.updated_at);
  return create(LaunchPlanSchema, {
    id: {
      resourceType: ResourceType.LAUNCH_PLAN,
      project: row.project,
      domain: row.domain,
      name: row.name,
      version: row.version,
    },
    spec: fromBinary(LaunchPlanSpecSchema, row.spec),
    closure,
  });
}

/** The scheduler's columns (schedule_type, cron, rate, kickoff argument) of a spec. */
function scheduleColumns(spec: LaunchPlanSpec) {
  const schedule = spec.entityMetadata?.schedule;
  const expression = schedule?.ScheduleExpression;
  const none = {
    type: "NONE",
    condition: null,
    cron: null,
    offset: null,
    rateValue: null,
    rateUnit: null,
    kickoff: null,
  };
  if (schedule === undefined || expression === undefined || expression.case === undefined) return none;
  const base = { ...none, condition: "SCHED", kickoff: schedule.kickoffTimeInputArg || null };
  switch (expression.case) {
    case "cronExpression":
      return { ...base, type: "CRON", cron: expression.value };
    case "cronSchedule":
      return { ...base, type: "CRON", cron: expression.value.schedule, offset: expression.value.offset || null };
    case "rate":
      return { ...base, type: "RATE", rateValue: expression.value.value, rateUnit: expression.value.unit };
  }
}

export async function createLaunchPlan(ctx: AdminContext, request: LaunchPlanCreateRequest) {
  // flyteadmin checks the workflow id (and fetches the workflow) before the launch plan's own id.
  validateIdentifier(request.spec?.workflowId, ResourceType.WORKFLOW);
  const spec = request.spec!;
  const workflowId = spec.workflowId!;
  const workflow = await findWorkflow(ctx, workflowId);
  if (workflow === undefined) {
    const error = notFound("WORKFLOW", workflowId);
    throw new ConnectError(`${error.rawMessage}; register the workflow before its launch plans`, Code.NotFound);
  }
  validateIdentifier(request.id, ResourceType.LAUNCH_PLAN);
  const id = request.id!;
  await validateProjectAndDomain(ctx.db, ctx.config, id.project, id.domain);
  validateLaunchPlanInputs(spec);
  const iface = fromBinary(TypedInterfaceSchema, workflow.typed_interface);
  const expected = expectedInputs(spec, iface);
  validateSchedule(spec, expected, iface);
  validateNotifications(spec.entityMetadata?.notifications ?? []);
  if (spec.entityMetadata?.launchConditions !== undefined) {
    throw invalidArgument(
      `Launch condition must be empty, found ${spec.entityMetadata.launchConditions.typeUrl}; remove it from entity_metadata`,
    );
  }
  // Stored and returned specs name every unbound workflow input (flyteadmin's mutation).
  spec.defaultInputs = expected;
  const closure = create(LaunchPlanClosureSchema, { expectedInputs: expected, expectedOutputs: iface.outputs });
  const plan = create(LaunchPlanSchema, { id: clone(IdentifierSchema, id), spec, closure });
  const digest = digestOf(LaunchPlanSchema, plan);

  const compareWithExisting = async () => {
    const existing = await findLaunchPlan(ctx.db, id);
    if (existing === undefined) return;
    const identical = () => new ConnectError("launch plan with identical structure already exists", Code.AlreadyExists);
    if (sameDigest(existing.digest, digest)) throw identical();
    const before = create(LaunchPlanSchema, {
      id: clone(IdentifierSchema, id),
      spec: fromBinary(LaunchPlanSpecSchema, existing.spec),
      closure: fromBinary(LaunchPlanClosureSchema, existing.closure),
    });
    const differences = describeDifferences(LaunchPlanSchema, before, plan);
    if (differences === "") throw identical();
    throw invalidArgument(
      `${id.name} launch plan with different structure already exists. (Please register a new version of the launch plan):\n${differences}`,
    );
  };
  await compareWithExisting();

  const schedule = scheduleColumns(spec);
  try {
    await ctx.db.query(
      "INSERT INTO launch_plans (project, domain, name, version, org, workflow_id, spec, closure, digest, state, " +
        "schedule_type, launch_condition_type, cron_expression, cron_offset, rate_value, rate_unit, kickoff_time_input_arg) " +
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $11, $12, $13, $14, $15, $16)",
      [
        id.project,
        id.domain,
        id.name,
        id.version,
        id.org,
        workflow.id,
        toBinary(LaunchPlanSpecSchema, spec),
        toBinary(LaunchPlanClosureSchema, closure),
        digest,
        schedule.type,
        schedule.condition,
        schedule.cron,
        schedule.offset,
        schedule.rateValue,
        schedule.rateUnit,
        schedule.kickoff,
      ],
    );
  } catch (err) {
    if (sqlState(err) === SqlState.uniqueViolation) await compareWithExisting();
    throw err;
  }
  return create(LaunchPlanCreateResponseSchema);
}

export async function getLaunchPlan(ctx: AdminContext, request: ObjectGetRequest) {
  if (request.id === undefined) throw missing("id");
  const row = await findLaunchPlan(ctx.db, request.id);
  if (row === undefined) throw notFound("LAUNCH_PLAN", request.id);
  return launchPlanFromRow(row);
}

/**
 * Activates or deactivates one version. Activation deactivates the name's active version in the
 * same transaction; the partial unique index keeps "one ACTIVE version per name" even under
 * concurrent writers.
 */
export async function updateLaunchPlan(ctx: AdminContext, request: LaunchPlanUpdateRequest) {
  const id = request.id;
  if (request.state === LaunchPlanState.INACTIVE) validateIdentifier(id, ResourceType.LAUNCH_PLAN);
  else if (request.state !== LaunchPlanState.ACTIVE) {
    throw invalidArgument(
      `Unrecognized launch plan state ${request.state} for update for launch plan [${id ? identifierText(id) : ""}]; ` +
        "use ACTIVE (1) or INACTIVE (0)",
    );
  }
  // flytectl activates with ids that carry no resource type, which flyteadmin lets through.
  if (id === undefined) throw missing("id");
  await ctx.db.transaction(async (tx) => {
    const row = await findLaunchPlan(tx, id);
    if (row === undefined) throw notFound("LAUNCH_PLAN", id);
    if (request.state === LaunchPlanState.ACTIVE) {
      await tx.query(
        "UPDATE launch_plans SET state = 0, updated_at = now() WHERE project = $1 AND domain = $2 AND name = $3 " +
          "AND state = 1 AND id <> $4",
        [row.project, row.domain, row.name, row.id],
      );
    }
    await tx.query("UPDATE launch_plans SET state = $1, updated_at = now() WHERE id = $2", [request.state, row.id]);
  });
  return create(LaunchPlanUpdateResponseSchema);
}

export async function getActiveLaunchPlan(ctx: AdminContext, request: ActiveLaunchPlanRequest) {
  const id = request.id;
  if (id === undefined) throw missing("id");
  if (!id.project) throw missing("project");
  if (!id.domain) throw missing("domain");
  if (!id.name) throw missing("name");
  const rows = await ctx.db.query<LaunchPlanRow>(
    `${SELECT} WHERE project = $1 AND domain = $2 AND name = $3 AND state = 1`,
    [id.project, id.domain, id.name],
  );
  if (rows.length === 0) {
    throw new ConnectError(
      `No active launch plan could be found: ${id.project}:${id.domain}:${id.name}; activate a version with UpdateLaunchPlan`,
      Code.NotFound,
    );
  }
  return launchPlanFromRow(rows[0]);
}

const LIST_ORDER = {
  defaultSort: { key: "created_at", direction: "DESCENDING" as const },
  tiebreak: "launch_plans.id",
};

export async function listLaunchPlans(ctx: AdminContext, request: ResourceListRequest) {
  if (request.id === undefined) throw missing("id");
  const { rows, token } = await listPage<LaunchPlanRow>(ctx.db, {
    from: SELECT_WITH_WORKFLOW,
    where: scope("launch_plans", request.id.project, request.id.domain, request.id.name),
    filters: request.filters,
    columns: LAUNCH_PLAN_COLUMNS,
    sort: request.sortBy,
    order: LIST_ORDER,
    limit: request.limit,
    token: request.token,
  });
  return create(LaunchPlanListSchema, { launchPlans: rows.map(launchPlanFromRow), token });
}

export async function listActiveLaunchPlans(ctx: AdminContext, request: ActiveLaunchPlanListRequest) {
  const { rows, token } = await listPage<LaunchPlanRow>(ctx.db, {
    from: SELECT_WITH_WORKFLOW,
    where: scope("launch_plans", request.project, request.domain),
    filters: "",
    extraFilters: [makeFilter("eq", "state", "ACTIVE")],
    columns: LAUNCH_PLAN_COLUMNS,
    sort: request.sortBy,
    order: LIST_ORDER,
    limit: request.limit,
    token: request.token,
  });
  return create(LaunchPlanListSchema, { launchPlans: rows.map(launchPlanFromRow), token });
}

export async function listLaunchPlanIds(ctx: AdminContext, request: NamedEntityIdentifierListRequest) {
  return create(NamedEntityIdentifierListSchema, await listIds(ctx.db, "launch_plans", request));
}
