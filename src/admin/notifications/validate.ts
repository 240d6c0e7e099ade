// flyteadmin's validation/notifications_validator.go, applied to launch plans and CreateExecution.
import { Code, ConnectError } from "@connectrpc/connect";
import type { Notification } from "../../idl/gen/flyteidl/admin/common_pb.js";
import { WorkflowExecution_Phase as Phase } from "../../idl/gen/flyteidl/core/execution_pb.js";

const TERMINAL = new Set([Phase.SUCCEEDED, Phase.FAILED, Phase.TIMED_OUT, Phase.ABORTED]);

/**
 * Every notification needs a type, at least one recipient and no empty one, and may only list
 * terminal phases. Refusals are InvalidArgument with flyteadmin's message first, then what to fix.
 */
export function validateNotifications(notifications: readonly Notification[]): void {
  for (const notification of notifications) {
    if (notification.type.case === undefined) {
      throw invalid("invalid notification type", "set email, slack or pager_duty");
    }
    const recipients = notification.type.value.recipientsEmail;
    if (recipients.length === 0)
      throw invalid("missing recipients", `give the ${notification.type.case} notification at least one`);
    if (recipients.some((recipient) => recipient === "")) throw invalid("missing recipient", "remove the empty one");
    for (const phase of notification.phases) {
      if (!TERMINAL.has(phase)) {
        throw invalid(
          "invalid phase",
          `${Phase[phase] ?? phase} is not terminal; use SUCCEEDED, FAILED, TIMED_OUT or ABORTED`,
        );
      }
    }
  }
}

const invalid = (flyte: string, fix: string) => new ConnectError(`${flyte}: ${fix}`, Code.InvalidArgument);
