// Registration in admin: projects, domains, tasks, workflows, launch plans and named entities of
// flyteidl's AdminService, with flyteadmin's validation, idempotency and error codes.

import type { ServiceImpl } from "@connectrpc/connect";
import type { AdminService } from "../../idl/gen/flyteidl/service/admin_pb.js";
import type { AdminContext } from "../context.js";
import { getDescriptionEntity, listDescriptionEntities } from "./description-entities.js";
import { toConnectError } from "./errors.js";
import {
  createLaunchPlan,
  getActiveLaunchPlan,
  getLaunchPlan,
  listActiveLaunchPlans,
  listLaunchPlanIds,
  listLaunchPlans,
  updateLaunchPlan,
} from "./launch-plans.js";
import { getNamedEntity, listNamedEntities, updateNamedEntity } from "./named-entities.js";
import { ensureDefaults, getDomains, getProject, listProjects, registerProject, updateProject } from "./projects.js";
import { createTask, getTask, listTaskIds, listTasks } from "./tasks.js";
import { getVersion } from "./version.js";
import { createWorkflow, getWorkflow, listWorkflowIds, listWorkflows } from "./workflows.js";

export { ensureDefaults };
export {
  DEST_DIR_PLACEHOLDER,
  DOMAIN_PLACEHOLDER,
  type HydrateOptions,
  hydrateIdentifier,
  hydrateLaunchPlan,
  hydrateTaskSpec,
  hydrateWorkflowSpec,
  PROJECT_PLACEHOLDER,
  REMOTE_PACKAGE_PATH_PLACEHOLDER,
  VERSION_PLACEHOLDER,
} from "./hydrate.js";
export { MAX_WORKFLOW_NODES } from "./workflows.js";

/** A handler whose failures all reach the client as Connect/gRPC statuses. */
function handler<Req, Res>(ctx: AdminContext, fn: (ctx: AdminContext, request: Req) => Promise<Res> | Res) {
  return async (request: Req): Promise<Res> => {
    try {
      return await fn(ctx, request);
    } catch (err) {
      throw toConnectError(err);
    }
  };
}

type Registration = Pick<
  ServiceImpl<typeof AdminService>,
  | "createTask"
  | "getTask"
  | "listTaskIds"
  | "listTasks"
  | "createWorkflow"
  | "getWorkflow"
  | "listWorkflowIds"
  | "listWorkflows"
  | "createLaunchPlan"
  | "getLaunchPlan"
  | "getActiveLaunchPlan"
  | "listActiveLaunchPlans"
  | "listLaunchPlanIds"
  | "listLaunchPlans"
  | "updateLaunchPlan"
  | "registerProject"
  | "updateProject"
  | "getProject"
  | "listProjects"
  | "getDomains"
  | "listNamedEntities"
  | "getNamedEntity"
  | "updateNamedEntity"
  | "getVersion"
  | "getDescriptionEntity"
  | "listDescriptionEntities"
>;

/** The registration RPCs of AdminService, to merge with the other admin services' handlers. */
export function registrationService(ctx: AdminContext): Partial<ServiceImpl<typeof AdminService>> {
  const service: Registration = {
    createTask: handler(ctx, createTask),
    getTask: handler(ctx, getTask),
    listTaskIds: handler(ctx, listTaskIds),
    listTasks: handler(ctx, listTasks),
    createWorkflow: handler(ctx, createWorkflow),
    getWorkflow: handler(ctx, getWorkflow),
    listWorkflowIds: handler(ctx, listWorkflowIds),
    listWorkflows: handler(ctx, listWorkflows),
    createLaunchPlan: handler(ctx, createLaunchPlan),
    getLaunchPlan: handler(ctx, getLaunchPlan),
    getActiveLaunchPlan: handler(ctx, getActiveLaunchPlan),
    listActiveLaunchPlans: handler(ctx, listActiveLaunchPlans),
    listLaunchPlanIds: handler(ctx, listLaunchPlanIds),
    listLaunchPlans: handler(ctx, listLaunchPlans),
    updateLaunchPlan: handler(ctx, updateLaunchPlan),
    registerProject: handler(ctx, registerProject),
    updateProject: handler(ctx, updateProject),
    getProject: handler(ctx, getProject),
    listProjects: handler(ctx, listProjects),
    getDomains: handler(ctx, getDomains),
    listNamedEntities: handler(ctx, listNamedEntities),
    getNamedEntity: handler(ctx, getNamedEntity),
    updateNamedEntity: handler(ctx, updateNamedEntity),
    getVersion: handler(ctx, getVersion),
    getDescriptionEntity: handler(ctx, getDescriptionEntity),
    listDescriptionEntities: handler(ctx, listDescriptionEntities),
  };
  return service;
}
