// Admin's execution service: creating executions (from a launch plan or a single task), reading
// them, terminating, relaunching and recovering them, and ingesting the engine's workflow, node
// and task events.
import type { ServiceImpl } from "@connectrpc/connect";
import type { WorkflowExecutionIdentifier } from "../../idl/gen/flyteidl/core/identifier_pb.js";
import type { AdminService } from "../../idl/gen/flyteidl/service/admin_pb.js";
import type { AdminContext } from "../context.js";
import { toConnectError } from "./errors.js";
import { getExecution, getExecutionData, listExecutions, terminateExecution, updateExecution } from "./executions.js";
import { createExecution, recoverExecution, relaunchExecution } from "./launch.js";
import { getExecutionMetrics } from "./metrics.js";
import { createNodeEvent } from "./node-events.js";
import {
  getNodeExecution,
  getNodeExecutionData,
  listNodeExecutions,
  listNodeExecutionsForTask,
} from "./node-executions.js";
import { createTaskEvent } from "./task-events.js";
import { getTaskExecution, getTaskExecutionData, listTaskExecutions } from "./task-executions.js";
import { createWorkflowEvent } from "./workflow-events.js";

export { generateExecutionName } from "./names.js";

/** Binds a handler to the context and maps metastore errors to admin codes. */
function handler<Req, Res>(ctx: AdminContext, fn: (ctx: AdminContext, request: Req) => Promise<Res>) {
  return async (request: Req): Promise<Res> => {
    try {
      return await fn(ctx, request);
    } catch (err) {
      throw toConnectError(err);
    }
  };
}

type Named = { id?: WorkflowExecutionIdentifier };
const created = (_: unknown, response: Named) => response.id;

/**
 * A handler that tells `ctx.onExecutionChange` once it has succeeded, naming the execution: the one the response
 * names (created, relaunched, recovered) or the request does (terminated).
 */
function announcing<Req, Res>(
  ctx: AdminContext,
  inner: (request: Req) => Promise<Res>,
  idOf: (request: Req, response: Res) => WorkflowExecutionIdentifier | undefined,
  terminating = false,
) {
  return async (request: Req): Promise<Res> => {
    const response = await inner(request);
    const id = idOf(request, response);
    if (id !== undefined) {
      ctx.onExecutionChange?.({ id: { project: id.project, domain: id.domain, name: id.name }, terminating });
    }
    return response;
  };
}

export function executionService(ctx: AdminContext): Partial<ServiceImpl<typeof AdminService>> {
  return {
    createExecution: announcing(ctx, handler(ctx, createExecution), created),
    relaunchExecution: announcing(ctx, handler(ctx, relaunchExecution), created),
    recoverExecution: announcing(ctx, handler(ctx, recoverExecution), created),
    getExecution: handler(ctx, getExecution),
    listExecutions: handler(ctx, listExecutions),
    getExecutionData: handler(ctx, getExecutionData),
    getExecutionMetrics: handler(ctx, getExecutionMetrics),
    updateExecution: handler(ctx, updateExecution),
    terminateExecution: announcing(ctx, handler(ctx, terminateExecution), (request) => request.id, true),
    createWorkflowEvent: handler(ctx, createWorkflowEvent),
    createNodeEvent: handler(ctx, createNodeEvent),
    createTaskEvent: handler(ctx, createTaskEvent),
    getNodeExecution: handler(ctx, getNodeExecution),
    listNodeExecutions: handler(ctx, listNodeExecutions),
    listNodeExecutionsForTask: handler(ctx, listNodeExecutionsForTask),
    getNodeExecutionData: handler(ctx, getNodeExecutionData),
    getTaskExecution: handler(ctx, getTaskExecution),
    listTaskExecutions: handler(ctx, listTaskExecutions),
    getTaskExecutionData: handler(ctx, getTaskExecutionData),
  };
}
