import type { JsonValue } from "@bufbuild/protobuf";
import type { CloudEvent } from "cloudevents";
import type { OutboxMessage, Outcome } from "../outbox/worker.js";
import type { StoredEvent } from "./cloudevent.js";

/** An event ready to publish: the log row it came from and its CloudEvent. */
export interface Published {
  stored: StoredEvent;
  cloudEvent: CloudEvent<JsonValue>;
}

/** Where published events go. `send` is called for one key's messages one at a time, in order. */
export interface Sink {
  send(message: OutboxMessage, event: Published): Promise<Outcome>;
  close(): Promise<void>;
}
