// The NATS JetStream sink: each event is published as a structured CloudEvent (JSON envelope) on
// `<prefix>.<project>.<domain>.<kind>`, with the outbox id as JetStream's message id, so a message
// resent after a crash between publish and mark is dropped by the stream's duplicate window.
import { connect, headers, type JetStreamClient, type NatsConnection, type NatsError } from "nats";
import type { OutboxMessage, Outcome } from "../outbox/worker.js";
import type { Published, Sink } from "./sink.js";
import type { NatsSinkSettings } from "./settings.js";

// JetStream's API error code for "stream not found".
const STREAM_NOT_FOUND = 10059;

/** A subject token: NATS splits on `.` and reserves `*`, `>` and whitespace. */
const token = (text: string) => text.replace(/[^A-Za-z0-9_-]/g, "_") || "_";

export function natsSubject(prefix: string, event: { project: string; domain: string; kind: string }): string {
  return `${prefix}.${token(event.project)}.${token(event.domain)}.${event.kind}`;
}

export function natsSink(settings: NatsSinkSettings): Sink {
  let connecting: Promise<{ nc: NatsConnection; js: JetStreamClient }> | undefined;

  // Connected on first use, so admin starts (and keeps events in the outbox) while NATS is down.
  function connection() {
    connecting ??= open().catch((error: unknown) => {
      connecting = undefined;
      throw error;
    });
    return connecting;
  }

  async function open() {
    const where = settings.servers.join(", ");
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers: settings.servers,
        user: settings.user,
        pass: settings.pass,
        token: settings.token,
        name: "tsflyte-admin",
        maxReconnectAttempts: -1,
        timeout: 5_000,
      });
    } catch (error) {
      throw new Error(`cannot connect to NATS at ${where} (events sink ${settings.name}): ${(error as Error).message}`);
    }
    const jsm = await nc.jetstreamManager();
    try {
      await jsm.streams.info(settings.stream);
    } catch (error) {
      if ((error as NatsError).api_error?.err_code !== STREAM_NOT_FOUND) throw error;
      await jsm.streams.add({ name: settings.stream, subjects: [`${settings.subjectPrefix}.>`] });
    }
    return { nc, js: nc.jetstream() };
  }

  return {
    async send(message: OutboxMessage, event: Published): Promise<Outcome> {
      const subject = natsSubject(settings.subjectPrefix, event.stored);
      try {
        const { js } = await connection();
        const h = headers();
        h.set("content-type", "application/cloudevents+json");
        await js.publish(subject, JSON.stringify(event.cloudEvent), {
          msgID: `tsflyte-outbox-${message.id}`,
          headers: h,
        });
        return { status: "delivered" };
      } catch (error) {
        const text = (error as Error).message;
        const hint = /503|no responders/i.test(text)
          ? `: no JetStream stream takes ${subject}; add ${settings.subjectPrefix}.> to stream ${settings.stream}'s subjects`
          : "";
        return { status: "failed", error: `NATS publish to ${subject} failed: ${text}${hint}` };
      }
    },
    async close() {
      const open = connecting;
      connecting = undefined;
      if (open) await (await open.catch(() => undefined))?.nc.drain();
    },
  };
}
