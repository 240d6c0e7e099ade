// CreateWorkflow, GetWorkflow, ListWorkflows, ListWorkflowIds (flyteadmin workflow_manager.go).

import { clone, create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  type CompileError,
  compileWorkflow,
  formatCompileErrors,
  getRequirements,
  type LaunchPlanInterface,
} from "../../compiler/index.js";
import { SqlState, sqlState, WORKFLOW_COLUMNS } from "../../db/index.js";
import { DescriptionEntitySchema } from "../../idl/gen/flyteidl/admin/description_entity_pb.js";
import {
  type CompiledTask,
  type CompiledWorkflowClosure,
  CompiledWorkflowClosureSchema,
  CreateWorkflowFailureReasonSchema,
  type Identifier,
  IdentifierSchema,
  LaunchPlanClosureSchema,
  type NamedEntityIdentifierListRequest,
  NamedEntityIdentifierListSchema,
  type ObjectGetRequest,
  type ResourceListRequest,
  ResourceType,
  TypedInterfaceSchema,
  type Workflow,
  WorkflowClosureSchema,
  type WorkflowCreateRequest,
  WorkflowCreateResponseSchema,
  WorkflowListSchema,
  WorkflowSchema,
} from "../../idl/index.js";
import type { AdminContext } from "../context.js";
import { describeDifferences, digestOf, sameDigest } from "./digest.js";
import { invalidArgument, missing, missingEntityMessage, notFound } from "./errors.js";
import { identifierText, validateIdentifier, validateProjectAndDomain } from "./identifiers.js";
import { listIds, listPage, scope } from "./lists.js";
import { findCompiledTask } from "./tasks.js";

/** flyteadmin's default `registration.maxWorkflowNodes`. */
export const MAX_WORKFLOW_NODES = 100;

export interface WorkflowRow {
  id: number;
  project: string;
  domain: string;
  name: string;
  version: string;
  typed_interface: Uint8Array;
  digest: Uint8Array;
  closure: Uint8Array | null;
  short_description: string;
  created_at: Date;
}

const COLUMNS =
  "workflows.id, workflows.project, workflows.domain, workflows.name, workflows.version, workflows.typed_interface, " +
  "workflows.digest, workflows.short_description, workflows.created_at";

export async function findWorkflow(ctx: AdminContext, id: Identifier): Promise<WorkflowRow | undefined> {
  const rows = await ctx.db.query<WorkflowRow>(
    `SELECT ${COLUMNS}, workflows.closure FROM workflows WHERE project = $1 AND domain = $2 AND name = $3 AND version = $4`,
    [id.project, id.domain, id.name, id.version],
  );
  return rows[0];
}

const workflowId = (row: Omit<WorkflowRow, "closure">) =>
  create(IdentifierSchema, {
    resourceType: ResourceType.WORKFLOW,
    project: row.project,
    domain: row.domain,
    name: row.name,
    version: row.version,
  });

function workflowFromRow(row: WorkflowRow): Workflow {
  const closure = fromBinary(WorkflowClosureSchema, row.closure ?? new Uint8Array());
  closure.createdAt = timestampFromDate(row.created_at);
  return create(WorkflowSchema, { id: workflowId(row), closure, shortDescription: row.short_description });
}

/** Lists carry only the interface of each version, as flyteadmin's transformers do. */
function workflowSummaryFromRow(row: Omit<WorkflowRow, "closure">): Workflow {
  const iface = fromBinary(TypedInterfaceSchema, row.typed_interface);
  return create(WorkflowSchema, {
    id: workflowId(row),
    shortDescription: row.short_description,
    closure: {
      createdAt: timestampFromDate(row.created_at),
      compiledWorkflow: { primary: { template: { interface: iface } } },
    },
  });
}

class MissingReference extends Error {}

/** The tasks and launch plans a workflow references, loaded by exact id as flyteadmin does. */
async function loadRequirements(ctx: AdminContext, taskIds: Identifier[], launchPlanIds: Identifier[]) {
  const tasks: CompiledTask[] = [];
  for (const ref of taskIds) {
    const task = await findCompiledTask(ctx, ref);
    if (task?.template === undefined) throw new MissingReference(missingEntityMessage("TASK", ref));
    // The compiler matches references by the whole identifier; the reference as written is the key.
    task.template.id = clone(IdentifierSchema, ref);
    tasks.push(task);
  }
  const launchPlans: LaunchPlanInterface[] = [];
  for (const ref of launchPlanIds) {
    const rows = await ctx.db.query<{ closure: Uint8Array }>(
      "SELECT closure FROM launch_plans WHERE project = $1 AND domain = $2 AND name = $3 AND version = $4",
      [ref.project, ref.domain, ref.name, ref.version],
    );
    if (rows.length === 0) throw new MissingReference(missingEntityMessage("LAUNCH_PLAN", ref));
    const closure = fromBinary(LaunchPlanClosureSchema, rows[0].closure);
    launchPlans.push({ id: ref, expectedInputs: closure.expectedInputs, expectedOutputs: closure.expectedOutputs });
  }
  return { tasks, launchPlans };
}

async function compile(ctx: AdminContext, request: WorkflowCreateRequest): Promise<CompiledWorkflowClosure> {
  const spec = request.spec!;
  const template = spec.template!;
  const fail = (inner: string, fix: string) =>
    invalidArgument(`failed to compile workflow for [${identifierText(request.id!)}] with err: ${inner}${fix}`);
  const compileFailure = (errors: CompileError[]) =>
    fail(formatCompileErrors(errors), "fix the workflow and register it again");
  const requirements = getRequirements(template, spec.subWorkflows);
  if ("errors" in requirements) throw compileFailure(requirements.errors);
  let loaded: Awaited<ReturnType<typeof loadRequirements>>;
  try {
    loaded = await loadRequirements(ctx, requirements.taskIds, requirements.launchPlanIds);
  } catch (err) {
    if (err instanceof MissingReference) {
      throw fail(err.message, "; register it first (tasks and launch plans before the workflows that use them)");
    }
    throw err;
  }
  const result = compileWorkflow({ workflow: template, subWorkflows: spec.subWorkflows, ...loaded });
  if ("errors" in result) throw compileFailure(result.errors);
  return result.closure;
}

function reason(kind: "existsIdenticalStructure" | "existsDifferentStructure", id: Identifier) {
  return { desc: CreateWorkflowFailureReasonSchema, value: { reason: { case: kind, value: { id } } } };
}

export async function createWorkflow(ctx: AdminContext, request: WorkflowCreateRequest) {
  validateIdentifier(request.id, ResourceType.WORKFLOW);
  const id = request.id!;
  await validateProjectAndDomain(ctx.db, ctx.config, id.project, id.domain);
  if (request.spec?.template === undefined) throw missing("spec");
  const template = request.spec.template;
  template.id = clone(IdentifierSchema, id);
  const compiled = await compile(ctx, request);

  const userNodes = (compiled.primary?.template?.nodes.length ?? 2) - 2;
  const limit = ctx.config.maxWorkflowNodes ?? MAX_WORKFLOW_NODES;
  if (limit > 0 && userNodes > limit) {
    throw invalidArgument(
      `number of nodes in workflow [${identifierText(id)}] exceeds limit (${userNodes} > ${limit}); ` +
        "split it into sub-workflows or launch plans, or raise admin's registration.maxWorkflowNodes",
    );
  }

  const digest = digestOf(CompiledWorkflowClosureSchema, compiled);
  const compareWithExisting = async () => {
    const existing = await findWorkflow(ctx, id);
    if (existing === undefined) return;
    const identical = () =>
      new ConnectError("workflow with identical structure already exists", Code.AlreadyExists, undefined, [
        reason("existsIdenticalStructure", id),
      ]);
    if (sameDigest(existing.digest, digest)) throw identical();
    const before =
      fromBinary(WorkflowClosureSchema, existing.closure ?? new Uint8Array()).compiledWorkflow ??
      create(CompiledWorkflowClosureSchema);
    const differences = describeDifferences(CompiledWorkflowClosureSchema, before, compiled);
    if (differences === "") throw identical();
    throw new ConnectError(
      `${id.name} workflow with different structure already exists. (Please register a new version of the workflow):\n${differences}`,
      Code.InvalidArgument,
      undefined,
      [reason("existsDifferentStructure", id)],
    );
  };
  await compareWithExisting();

  const closure = create(WorkflowClosureSchema, { compiledWorkflow: compiled });
  const shortDescription = request.spec.description?.shortDescription ?? "";
  const iface = template.interface ?? create(TypedInterfaceSchema);
  try {
    await ctx.db.transaction(async (tx) => {
      await tx.query(
        "INSERT INTO workflows (project, domain, name, version, org, typed_interface, digest, closure, short_description) " +
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        [
          id.project,
          id.domain,
          id.name,
          id.version,
          id.org,
          toBinary(TypedInterfaceSchema, iface),
          digest,
          toBinary(WorkflowClosureSchema, closure),
          shortDescription,
        ],
      );
      if (request.spec?.description !== undefined) {
        const description = clone(DescriptionEntitySchema, request.spec.description);
        description.id = clone(IdentifierSchema, id);
        await tx.query(
          "INSERT INTO description_entities (resource_type, project, domain, name, version, org, short_description, description) " +
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
          [
            ResourceType.WORKFLOW,
            id.project,
            id.domain,
            id.name,
            id.version,
            id.org,
            shortDescription,
            toBinary(DescriptionEntitySchema, description),
          ],
        );
      }
    });
  } catch (err) {
    if (sqlState(err) === SqlState.uniqueViolation) await compareWithExisting();
    throw err;
  }
  return create(WorkflowCreateResponseSchema);
}

export async function getWorkflow(ctx: AdminContext, request: ObjectGetRequest) {
  if (request.id === undefined) throw missing("id");
  const row = await findWorkflow(ctx, request.id);
  if (row === undefined) throw notFound("WORKFLOW", request.id);
  return workflowFromRow(row);
}

export async function listWorkflows(ctx: AdminContext, request: ResourceListRequest) {
  if (request.id === undefined) throw missing("id");
  const { rows, token } = await listPage<Omit<WorkflowRow, "closure">>(ctx.db, {
    from: `SELECT ${COLUMNS} FROM workflows`,
    where: scope("workflows", request.id.project, request.id.domain, request.id.name),
    filters: request.filters,
    columns: WORKFLOW_COLUMNS,
    sort: request.sortBy,
    order: { defaultSort: { key: "created_at", direction: "DESCENDING" }, tiebreak: "workflows.id" },
    limit: request.limit,
    token: request.token,
  });
  return create(WorkflowListSchema, { workflows: rows.map(workflowSummaryFromRow), token });
}

export async function listWorkflowIds(ctx: AdminContext, request: NamedEntityIdentifierListRequest) {
  return create(NamedEntityIdentifierListSchema, await listIds(ctx.db, "workflows", request));
}
