// The HTTP webhook sink: CloudEvents' HTTP binding in binary mode (ce-* headers, data as the body)
// or structured mode (the whole envelope as application/cloudevents+json), signed when a secret is set.
import { HTTP } from "cloudevents";
import { post } from "../outbox/http.js";
import type { OutboxMessage, Outcome } from "../outbox/worker.js";
import type { WebhookSinkSettings } from "./settings.js";
import type { Published, Sink } from "./sink.js";

export function webhookSink(settings: WebhookSinkSettings): Sink {
  return {
    send(message: OutboxMessage, event: Published): Promise<Outcome> {
      const http = settings.mode === "binary" ? HTTP.binary(event.cloudEvent) : HTTP.structured(event.cloudEvent);
      const body = typeof http.body === "string" ? http.body : JSON.stringify(http.body);
      const headers = Object.fromEntries(Object.entries(http.headers).map(([k, v]) => [k, String(v)]));
      return post(settings.url, body, headers, { secret: settings.secret, deliveryId: message.id });
    },
    async close() {},
  };
}
