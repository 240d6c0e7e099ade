// Matchable attributes: settings stored per project, project-domain or workflow (task resources,
// execution config, queues, cluster assignment...) that CreateExecution and registration consult.
import type { ServiceImpl } from "@connectrpc/connect";
import type { AdminService } from "../../idl/gen/flyteidl/service/admin_pb.js";
import type { AdminContext } from "../context.js";
import { toConnectError } from "../registration/errors.js";
import {
  deleteProjectAttributes,
  deleteProjectDomainAttributes,
  deleteWorkflowAttributes,
  getProjectAttributes,
  getProjectDomainAttributes,
  getWorkflowAttributes,
  listMatchableAttributes,
  updateProjectAttributes,
  updateProjectDomainAttributes,
  updateWorkflowAttributes,
} from "./service.js";

export { matchingAttributes } from "./store.js";

function handler<Req, Res>(ctx: AdminContext, fn: (ctx: AdminContext, request: Req) => Promise<Res>) {
  return async (request: Req): Promise<Res> => {
    try {
      return await fn(ctx, request);
    } catch (err) {
      throw toConnectError(err);
    }
  };
}

/** The matchable-attribute RPCs of AdminService, to merge with the other admin services' handlers. */
export function attributesService(ctx: AdminContext): Partial<ServiceImpl<typeof AdminService>> {
  return {
    updateProjectAttributes: handler(ctx, updateProjectAttributes),
    getProjectAttributes: handler(ctx, getProjectAttributes),
    deleteProjectAttributes: handler(ctx, deleteProjectAttributes),
    updateProjectDomainAttributes: handler(ctx, updateProjectDomainAttributes),
    getProjectDomainAttributes: handler(ctx, getProjectDomainAttributes),
    deleteProjectDomainAttributes: handler(ctx, deleteProjectDomainAttributes),
    updateWorkflowAttributes: handler(ctx, updateWorkflowAttributes),
    getWorkflowAttributes: handler(ctx, getWorkflowAttributes),
    deleteWorkflowAttributes: handler(ctx, deleteWorkflowAttributes),
    listMatchableAttributes: handler(ctx, listMatchableAttributes),
  };
}
