// Update/Get/Delete of project, project-domain and workflow attributes and ListMatchableAttributes
// (flyteadmin resources/resource_manager.go, validation/attributes_validator.go).
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Queryable } from "../../db/index.js";
import {
  type ListMatchableAttributesRequest,
  ListMatchableAttributesResponseSchema,
  MatchableResource,
  type MatchingAttributes,
  MatchingAttributesSchema,
} from "../../idl/gen/flyteidl/admin/matchable_resource_pb.js";
import {
  type ProjectAttributesDeleteRequest,
  ProjectAttributesDeleteResponseSchema,
  type ProjectAttributesGetRequest,
  ProjectAttributesGetResponseSchema,
  type ProjectAttributesUpdateRequest,
  ProjectAttributesUpdateResponseSchema,
} from "../../idl/gen/flyteidl/admin/project_attributes_pb.js";
import {
  type ProjectDomainAttributesDeleteRequest,
  ProjectDomainAttributesDeleteResponseSchema,
  type ProjectDomainAttributesGetRequest,
  ProjectDomainAttributesGetResponseSchema,
  type ProjectDomainAttributesUpdateRequest,
  ProjectDomainAttributesUpdateResponseSchema,
} from "../../idl/gen/flyteidl/admin/project_domain_attributes_pb.js";
import {
  type WorkflowAttributesDeleteRequest,
  WorkflowAttributesDeleteResponseSchema,
  type WorkflowAttributesGetRequest,
  WorkflowAttributesGetResponseSchema,
  type WorkflowAttributesUpdateRequest,
  WorkflowAttributesUpdateResponseSchema,
} from "../../idl/gen/flyteidl/admin/workflow_attributes_pb.js";
import type { AdminContext } from "../context.js";
import { invalidArgument, invalidValue, missing } from "../registration/errors.js";
import { validateProjectAndDomain } from "../registration/identifiers.js";
import {
  type AttributesKey,
  deleteAttributes,
  getExactAttributes,
  listAttributes,
  matchingAttributes,
  putAttributes,
  resourceTypeName,
} from "./store.js";

// Which MatchableResource each kind of MatchingAttributes is stored under.
const KIND: Record<NonNullable<MatchingAttributes["target"]["case"]>, MatchableResource> = {
  taskResourceAttributes: MatchableResource.TASK_RESOURCE,
  clusterResourceAttributes: MatchableResource.CLUSTER_RESOURCE,
  executionQueueAttributes: MatchableResource.EXECUTION_QUEUE,
  executionClusterLabel: MatchableResource.EXECUTION_CLUSTER_LABEL,
  qualityOfService: MatchableResource.QUALITY_OF_SERVICE_SPECIFICATION,
  pluginOverrides: MatchableResource.PLUGIN_OVERRIDE,
  workflowExecutionConfig: MatchableResource.WORKFLOW_EXECUTION_CONFIG,
  clusterAssignment: MatchableResource.CLUSTER_ASSIGNMENT,
};

/** validateMatchingAttributes: the resource type the attributes are stored under. */
function resourceTypeOf(attributes: MatchingAttributes | undefined, target: string): MatchableResource {
  if (attributes === undefined) throw missing("matching_attributes");
  const kind = attributes.target.case;
  if (kind === undefined) {
    throw invalidArgument(
      `Unrecognized matching attributes type for request ${target}; set one of: ${Object.keys(KIND).join(", ")}`,
    );
  }
  return KIND[kind];
}

function checkResourceType(resourceType: MatchableResource): void {
  if (MatchableResource[resourceType] === undefined) throw invalidValue("resource_type");
}

/** flyteadmin's ValidateProjectExists (gets and deletes of project attributes). */
async function validateProject(db: Queryable, project: string): Promise<void> {
  if (project === "") throw missing("project");
  const rows = await db.query("SELECT 1 FROM projects WHERE identifier = $1", [project]);
  if (rows.length === 0) {
    throw invalidArgument(
      `failed to validate that project [${project}] is registered, err: [project [${project}] not found]; ` +
        "register the project first (RegisterProject)",
    );
  }
}

/** flyteadmin's ValidateProjectForUpdate: the project exists and is not archived. */
async function validateProjectForUpdate(db: Queryable, project: string): Promise<void> {
  await validateProject(db, project);
  const [row] = await db.query<{ state: number }>("SELECT state FROM projects WHERE identifier = $1", [project]);
  if (row.state === 1) {
    throw invalidArgument(`project [${project}] is archived; activate it with UpdateProject before changing it`);
  }
}

function describeKey(key: AttributesKey): string {
  const levels = [`project [${key.project}]`];
  if (key.domain) levels.push(`domain [${key.domain}]`);
  if (key.workflow) levels.push(`workflow [${key.workflow}]`);
  return `${resourceTypeName(key.resourceType)} attributes for ${levels.join(" ")}`;
}

const noAttributes = (key: AttributesKey, setWith: string) =>
  new ConnectError(`no ${describeKey(key)} are set; set them with ${setWith}`, Code.NotFound);

const keyOf = (
  resourceType: MatchableResource,
  at: { project: string; domain?: string; workflow?: string; org: string },
): AttributesKey => ({
  resourceType,
  project: at.project,
  domain: at.domain ?? "",
  workflow: at.workflow ?? "",
  launchPlan: "",
  org: at.org,
});

/** The most specific stored attributes for a key, falling back as flyteadmin's ResourceRepo.Get does. */
async function findMatching(db: Queryable, key: AttributesKey, setWith: string) {
  const [found] = await matchingAttributes(db, key.resourceType, key);
  if (found === undefined) throw noAttributes(key, setWith);
  return found;
}

async function remove(db: Queryable, key: AttributesKey, setWith: string): Promise<void> {
  if (!(await deleteAttributes(db, key))) throw noAttributes(key, setWith);
}

// Project level (domain '').

export async function updateProjectAttributes(ctx: AdminContext, request: ProjectAttributesUpdateRequest) {
  const attributes = request.attributes;
  if (attributes === undefined) throw missing("attributes");
  await validateProjectForUpdate(ctx.db, attributes.project);
  const type = resourceTypeOf(attributes.matchingAttributes, attributes.project);
  await putAttributes(ctx.db, keyOf(type, attributes), attributes.matchingAttributes!);
  return create(ProjectAttributesUpdateResponseSchema);
}

export async function getProjectAttributes(ctx: AdminContext, request: ProjectAttributesGetRequest) {
  checkResourceType(request.resourceType);
  await validateProject(ctx.db, request.project);
  const key = keyOf(request.resourceType, request);
  const found = await getExactAttributes(ctx.db, key);
  let matching = found?.attributes;
  if (matching === undefined) {
    // flyteadmin answers an unset execution config with the platform's defaults; this admin has
    // no platform-level execution config, so those are empty.
    if (request.resourceType !== MatchableResource.WORKFLOW_EXECUTION_CONFIG) {
      throw noAttributes(key, "UpdateProjectAttributes");
    }
    matching = create(MatchingAttributesSchema, { target: { case: "workflowExecutionConfig", value: {} } });
  }
  return create(ProjectAttributesGetResponseSchema, {
    attributes: { project: request.project, matchingAttributes: matching, org: request.org },
  });
}

export async function deleteProjectAttributes(ctx: AdminContext, request: ProjectAttributesDeleteRequest) {
  checkResourceType(request.resourceType);
  await validateProjectForUpdate(ctx.db, request.project);
  await remove(ctx.db, keyOf(request.resourceType, request), "UpdateProjectAttributes");
  return create(ProjectAttributesDeleteResponseSchema);
}

// Project-domain level.

export async function updateProjectDomainAttributes(ctx: AdminContext, request: ProjectDomainAttributesUpdateRequest) {
  const attributes = request.attributes;
  if (attributes === undefined) throw missing("attributes");
  await validateProjectAndDomain(ctx.db, ctx.config, attributes.project, attributes.domain);
  const type = resourceTypeOf(attributes.matchingAttributes, `${attributes.project}-${attributes.domain}`);
  await putAttributes(ctx.db, keyOf(type, attributes), attributes.matchingAttributes!);
  return create(ProjectDomainAttributesUpdateResponseSchema);
}

export async function getProjectDomainAttributes(ctx: AdminContext, request: ProjectDomainAttributesGetRequest) {
  checkResourceType(request.resourceType);
  await validateProjectAndDomain(ctx.db, ctx.config, request.project, request.domain);
  const found = await findMatching(ctx.db, keyOf(request.resourceType, request), "UpdateProjectDomainAttributes");
  return create(ProjectDomainAttributesGetResponseSchema, {
    attributes: {
      project: found.project,
      domain: found.domain,
      matchingAttributes: found.attributes,
      org: found.org,
    },
  });
}

export async function deleteProjectDomainAttributes(ctx: AdminContext, request: ProjectDomainAttributesDeleteRequest) {
  checkResourceType(request.resourceType);
  await validateProjectAndDomain(ctx.db, ctx.config, request.project, request.domain);
  await remove(ctx.db, keyOf(request.resourceType, request), "UpdateProjectDomainAttributes");
  return create(ProjectDomainAttributesDeleteResponseSchema);
}

// Workflow level.

export async function updateWorkflowAttributes(ctx: AdminContext, request: WorkflowAttributesUpdateRequest) {
  const attributes = request.attributes;
  if (attributes === undefined) throw missing("attributes");
  await validateProjectAndDomain(ctx.db, ctx.config, attributes.project, attributes.domain);
  if (attributes.workflow === "") throw missing("name");
  const target = `${attributes.project}-${attributes.domain}-${attributes.workflow}`;
  const type = resourceTypeOf(attributes.matchingAttributes, target);
  await putAttributes(ctx.db, keyOf(type, attributes), attributes.matchingAttributes!);
  return create(WorkflowAttributesUpdateResponseSchema);
}

export async function getWorkflowAttributes(ctx: AdminContext, request: WorkflowAttributesGetRequest) {
  checkResourceType(request.resourceType);
  await validateProjectAndDomain(ctx.db, ctx.config, request.project, request.domain);
  if (request.workflow === "") throw missing("name");
  const found = await findMatching(ctx.db, keyOf(request.resourceType, request), "UpdateWorkflowAttributes");
  return create(WorkflowAttributesGetResponseSchema, {
    attributes: {
      project: found.project,
      domain: found.domain,
      workflow: found.workflow,
      matchingAttributes: found.attributes,
      org: found.org,
    },
  });
}

export async function deleteWorkflowAttributes(ctx: AdminContext, request: WorkflowAttributesDeleteRequest) {
  checkResourceType(request.resourceType);
  await validateProjectAndDomain(ctx.db, ctx.config, request.project, request.domain);
  if (request.workflow === "") throw missing("name");
  await remove(ctx.db, keyOf(request.resourceType, request), "UpdateWorkflowAttributes");
  return create(WorkflowAttributesDeleteResponseSchema);
}

export async function listMatchableAttributes(ctx: AdminContext, request: ListMatchableAttributesRequest) {
  checkResourceType(request.resourceType);
  const rows = await listAttributes(ctx.db, request.resourceType);
  return create(ListMatchableAttributesResponseSchema, {
    configurations: rows.map((row) => ({
      attributes: row.attributes,
      project: row.project,
      domain: row.domain,
      workflow: row.workflow,
      launchPlan: row.launchPlan,
      org: row.org,
    })),
  });
}
