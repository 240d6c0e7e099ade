// Sends one notification message through its channel: SMTP (nodemailer), a Slack incoming
// webhook, or a generic webhook with a signed JSON body.
import nodemailer from "nodemailer";
import { post } from "../outbox/http.js";
import type { OutboxMessage, Outcome } from "../outbox/worker.js";
import type { NotificationMessage } from "./messages.js";
import type { NotificationSettings } from "./settings.js";

export interface NotificationSender {
  send(outbox: OutboxMessage): Promise<Outcome>;
  close(): void;
}

const looksLikeHtml = (body: string) => /<[a-z][^>]*>/i.test(body);

export function notificationSender(settings: NotificationSettings): NotificationSender {
  const email = settings.email;
  const mailer =
    email === undefined
      ? undefined
      : nodemailer.createTransport({
          host: email.host,
          port: email.port,
          secure: email.secure,
          auth: email.auth,
          connectionTimeout: 10_000,
          greetingTimeout: 10_000,
          socketTimeout: 30_000,
        });

  async function sendEmail(message: NotificationMessage): Promise<Outcome> {
    if (mailer === undefined || email === undefined) {
      return permanent("no SMTP server is configured: set notifications.email (host, port, from) in admin's config");
    }
    try {
      await mailer.sendMail({
        from: email.from,
        to: message.to,
        subject: message.subject,
        ...(looksLikeHtml(message.body) ? { html: message.body } : { text: message.body }),
      });
      return { status: "delivered" };
    } catch (error) {
      const code = (error as { responseCode?: number }).responseCode;
      const text = `SMTP ${email.host}:${email.port} refused the mail to ${message.to.join(", ")}: ${(error as Error).message}`;
      // 5xx answers are the server's final word on this mail (unknown recipient, refused sender).
      return { status: "failed", error: text, permanent: code !== undefined && code >= 500 };
    }
  }

  function slackUrl(channel: string): string | undefined {
    const channels = settings.slackChannels;
    return channels[channel] ?? channels[channel.replace(/^#/, "")] ?? channels[`#${channel}`];
  }

  async function send(outbox: OutboxMessage): Promise<Outcome> {
    let message: NotificationMessage;
    try {
      message = JSON.parse(new TextDecoder().decode(outbox.payload)) as NotificationMessage;
    } catch (error) {
      return permanent(`outbox message ${outbox.id} is not a notification: ${(error as Error).message}`);
    }
    if (message.channel === "email") return sendEmail(message);
    if (message.channel === "slack") {
      const channel = message.to[0];
      const url = slackUrl(channel);
      if (url === undefined) {
        return permanent(`Slack channel "${channel}" has no webhook URL: add it under notifications.slack.channels`);
      }
      return post(
        url,
        JSON.stringify({ text: message.body }),
        { "content-type": "application/json" },
        {
          deliveryId: outbox.id,
        },
      );
    }
    const name = message.to[0];
    const hook = settings.webhooks[name];
    if (hook === undefined) {
      return permanent(`webhook "${name}" is not configured: add it under notifications.webhooks with its url`);
    }
    const body = JSON.stringify({
      subject: message.subject,
      message: message.body,
      phase: message.phase,
      occurredAt: message.occurredAt,
      notificationType: message.type,
      execution: {
        project: message.variables.project,
        domain: message.variables.domain,
        name: message.variables.name,
      },
      consoleUrl: message.variables.console_url,
      variables: message.variables,
    });
    return post(hook.url, body, { "content-type": "application/json" }, { secret: hook.secret, deliveryId: outbox.id });
  }

  return { send, close: () => mailer?.close() };
}

const permanent = (error: string): Outcome => ({ status: "failed", error, permanent: true });
