// A notification as flytekit writes it into LaunchPlanSpec.entity_metadata: the phases as
// WorkflowExecution.Phase values, and the kind's recipients (flytekit never sets a template).
import { create } from "@bufbuild/protobuf";
import { type Notification as NotificationProto, NotificationSchema } from "../../idl/gen/flyteidl/admin/common_pb.js";
import { WorkflowExecution_Phase } from "../../idl/gen/flyteidl/core/execution_pb.js";
import type { Notification } from "../notification.js";

export function serializeNotification(notification: Notification): NotificationProto {
  const value = { recipientsEmail: [...notification.recipientsEmail], template: notification.template };
  return create(NotificationSchema, {
    phases: notification.phases.map((phase) => WorkflowExecution_Phase[phase]),
    type: { case: notification.kind, value },
  });
}
