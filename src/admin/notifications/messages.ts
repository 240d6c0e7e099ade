// Turns the notifications an execution carries into outbox messages when a workflow event reaches
// one of their phases. Messages are rendered here, inside the event's transaction, so a retry
// after a restart sends exactly what was decided then; addresses (webhook URLs, secrets) are
// looked up at send time, so they stay in the config and out of the metastore.
import { fromBinary } from "@bufbuild/protobuf";
import type { Queryable } from "../../db/index.js";
import type { Notification } from "../../idl/gen/flyteidl/admin/common_pb.js";
import { type ExecutionClosure, ExecutionSpecSchema } from "../../idl/gen/flyteidl/admin/execution_pb.js";
import { WorkflowExecution_Phase } from "../../idl/gen/flyteidl/core/execution_pb.js";
import type { NotificationSettings } from "./settings.js";
import { render, type TemplateVariables, templateVariables } from "./template.js";

export const NOTIFICATION_TOPIC = "notification";

export type Channel = "email" | "slack" | "webhook";

/** One message in the outbox, as JSON. */
export interface NotificationMessage {
  channel: Channel;
  /** Email addresses, or the one Slack channel, or the one webhook name. */
  to: string[];
  /** The notification's type in flyteidl: email, slack or pagerDuty. */
  type: string;
  subject: string;
  body: string;
  phase: string;
  occurredAt: string;
  variables: TemplateVariables;
}

export const WEBHOOK_PREFIX = "webhook:";

/** The outbox key of an execution's notifications: what `get notifications --execution` looks up. */
export const executionKey = (id: { project: string; domain: string; name: string }) =>
  `${id.project}/${id.domain}/${id.name}`;

/**
 * Splits one notification by channel: a recipient written `webhook:<name>` goes to that webhook;
 * a Slack notification's other recipients are channel names; everything else is an email address
 * (PagerDuty, as in flyteadmin, through its email integration). The email recipients share one mail.
 */
export function messagesFor(
  notification: Notification,
  common: Omit<NotificationMessage, "channel" | "to" | "type" | "body">,
  defaultBody: string,
): NotificationMessage[] {
  const type = notification.type;
  if (type.case === undefined) return [];
  const body = render(type.value.template || defaultBody, common.variables);
  const message = (channel: Channel, to: string[]) => ({ ...common, channel, to, type: type.case, body });
  const messages: NotificationMessage[] = [];
  const emails: string[] = [];
  for (const recipient of type.value.recipientsEmail) {
    if (recipient.startsWith(WEBHOOK_PREFIX))
      messages.push(message("webhook", [recipient.slice(WEBHOOK_PREFIX.length)]));
    else if (type.case === "slack") messages.push(message("slack", [recipient]));
    else emails.push(recipient);
  }
  if (emails.length > 0) messages.unshift(message("email", emails));
  return messages;
}

export interface TerminalEvent {
  execution: { project: string; domain: string; name: string; spec: Uint8Array };
  closure: ExecutionClosure;
  phase: WorkflowExecution_Phase;
  occurredAt: Date;
}

/** Writes the messages a workflow event calls for, in the event's transaction. */
export async function enqueueNotifications(
  tx: Queryable,
  event: TerminalEvent,
  settings: Pick<NotificationSettings, "subject" | "body">,
  publicUrl: string,
): Promise<number> {
  const due = event.closure.notifications.filter((n) => n.phases.includes(event.phase));
  if (due.length === 0) return 0;
  const phase = WorkflowExecution_Phase[event.phase];
  const spec = fromBinary(ExecutionSpecSchema, event.execution.spec);
  const variables = templateVariables(event.execution, phase, spec, event.closure, publicUrl);
  const common = {
    subject: render(settings.subject, variables),
    phase,
    occurredAt: event.occurredAt.toISOString(),
    variables,
  };
  const encoder = new TextEncoder();
  let count = 0;
  for (const notification of due) {
    for (const message of messagesFor(notification, common, settings.body)) {
      await tx.query("INSERT INTO outbox (topic, key, payload) VALUES ($1, $2, $3)", [
        NOTIFICATION_TOPIC,
        executionKey(event.execution),
        encoder.encode(JSON.stringify(message)),
      ]);
      count++;
    }
  }
  return count;
}
