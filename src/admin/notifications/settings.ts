// The `notifications:` section of admin's YAML (docs/notifications.md).
import { configReader, type Fail } from "../outbox/config.js";
import type { RetryPolicy } from "../outbox/worker.js";

export interface EmailSettings {
  host: string;
  port: number;
  /** TLS from the start (port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  auth: { user: string; pass: string } | undefined;
  from: string;
}

export interface WebhookSettings {
  url: string;
  /** Signs each body (X-Tsflyte-Signature); unsigned without. */
  secret: string | undefined;
}

export interface NotificationSettings {
  /** Subject of emails and webhook messages; Flyte's placeholders, see template.ts. */
  subject: string;
  /** Body when a notification has no template of its own. */
  body: string;
  retry: RetryPolicy;
  pollIntervalMs: number;
  /** Delivered messages are kept this long for `tsflyte get notifications`. */
  retentionHours: number;
  email: EmailSettings | undefined;
  /** Slack channel name -> incoming-webhook URL. */
  slackChannels: Record<string, string>;
  /** Webhook name (recipient `webhook:<name>`) -> where and how to send. */
  webhooks: Record<string, WebhookSettings>;
}

// flyteadmin's defaults, with the console link in place of its example URL.
export const DEFAULT_SUBJECT = 'Notice: Execution "{{ name }}" has {{ phase }} in "{{ domain }}".';
export const DEFAULT_BODY =
  'Execution "{{ name }}" of launch plan {{ launch_plan.name }} has {{ phase }} in "{{ project }}/{{ domain }}". ' +
  "View details at {{ console_url }}.{{ error }}";

export function readNotificationSettings(raw: unknown, fail: Fail): NotificationSettings {
  const read = configReader(fail);
  const top = read.mapping(raw, "notifications");
  const emailRaw = top.email === undefined ? undefined : read.mapping(top.email, "notifications.email");
  let email: EmailSettings | undefined;
  if (emailRaw !== undefined) {
    const auth = emailRaw.auth === undefined ? undefined : read.mapping(emailRaw.auth, "notifications.email.auth");
    const secure = read.bool(emailRaw.secure, "notifications.email.secure", false);
    email = {
      host: read.string(emailRaw.host, "notifications.email.host"),
      port: read.int(emailRaw.port, "notifications.email.port", secure ? 465 : 587, 1),
      secure,
      auth:
        auth === undefined
          ? undefined
          : {
              user: read.string(auth.user, "notifications.email.auth.user"),
              pass:
                read.secret(auth, "notifications.email.auth", "pass") ??
                fail("notifications.email.auth", "needs pass (or passEnv, an environment variable holding it)"),
            },
      from: read.string(emailRaw.from, "notifications.email.from"),
    };
  }
  const slack = read.mapping(top.slack, "notifications.slack");
  const channels = read.mapping(slack.channels, "notifications.slack.channels");
  const slackChannels = Object.fromEntries(
    Object.entries(channels).map(([channel, url]) => [
      channel,
      read.url(url, `notifications.slack.channels.${channel}`, ["https:", "http:"]),
    ]),
  );
  const hooks = read.mapping(top.webhooks, "notifications.webhooks");
  const webhooks = Object.fromEntries(
    Object.entries(hooks).map(([name, value]) => {
      const key = `notifications.webhooks.${name}`;
      const hook = read.mapping(value, key);
      return [
        name,
        { url: read.url(hook.url, `${key}.url`, ["https:", "http:"]), secret: read.secret(hook, key, "secret") },
      ];
    }),
  );
  return {
    subject: read.string(top.subject, "notifications.subject", DEFAULT_SUBJECT),
    body: read.string(top.body, "notifications.body", DEFAULT_BODY),
    retry: read.retry(top, "notifications", { maxAttempts: 8, initialBackoffMs: 1000, maxBackoffMs: 300_000 }),
    pollIntervalMs: read.int(top.pollIntervalMs, "notifications.pollIntervalMs", 500, 10),
    retentionHours: read.int(top.retentionHours, "notifications.retentionHours", 168),
    email,
    slackChannels,
    webhooks,
  };
}
