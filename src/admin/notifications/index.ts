// Notifications (flyteidl `Notification` on launch plans and executions): a workflow event that
// reaches a listed phase writes messages to the outbox in its own transaction; a worker sends them
// by email, Slack or webhook, with retries, and dead-letters what keeps failing.
import type { Database } from "../../db/index.js";
import { deliverEach } from "../outbox/ordered.js";
import { startOutboxWorker } from "../outbox/worker.js";
import { notificationSender } from "./channels.js";
import { NOTIFICATION_TOPIC } from "./messages.js";
import type { NotificationSettings } from "./settings.js";

export { notificationsHttpHandler, NOTIFICATIONS_PATH, listNotifications, type NotificationEntry } from "./http.js";
export { enqueueNotifications, type TerminalEvent } from "./messages.js";
export { type NotificationSettings, readNotificationSettings } from "./settings.js";
export { validateNotifications } from "./validate.js";
export { consoleUrl } from "./template.js";

const CONCURRENCY = 8;

export function startNotificationSender(
  db: Database,
  settings: NotificationSettings,
  onError: (error: unknown) => void,
): { stop(): Promise<void> } {
  const sender = notificationSender(settings);
  const worker = startOutboxWorker({
    db,
    topic: NOTIFICATION_TOPIC,
    ordered: false,
    batchSize: 50,
    pollIntervalMs: settings.pollIntervalMs,
    retry: settings.retry,
    retentionMs: settings.retentionHours * 3_600_000,
    onError,
    deliver: (messages) => deliverEach(messages, CONCURRENCY, sender.send),
  });
  return {
    async stop() {
      await worker.stop();
      sender.close();
    },
  };
}
