// Publishes every accepted workflow, node and task event to the configured sinks, at least once and
// in order per execution. Event ingestion writes one outbox message per sink beside the event-log
// row (same transaction, see executions/event-log.ts); one worker per sink reads them in batches.
import type { Database, Queryable } from "../../db/index.js";
import { deliverInKeyOrder } from "../outbox/ordered.js";
import { type OutboxMessage, type OutboxWorker, startOutboxWorker } from "../outbox/worker.js";
import { cloudEventOf, type StoredEvent } from "./cloudevent.js";
import { natsSink } from "./nats.js";
import { EVENT_KINDS, type EventKind, type EventSettings, type SinkSettings } from "./settings.js";
import type { Published, Sink } from "./sink.js";
import { webhookSink } from "./webhook.js";

export { type EventKind, type EventSettings, readEventSettings } from "./settings.js";
export { cloudEventOf, EVENT_LOG_ID, prototext, type StoredEvent } from "./cloudevent.js";
export { natsSubject } from "./nats.js";

export const topicOf = (sink: { name: string }) => `events.${sink.name}`;

export interface EventsOut {
  /** The outbox topics an accepted event of each kind is written to. */
  topics: Record<EventKind, readonly string[]>;
  stop(): Promise<void>;
}

// Executions whose events are published at once; one execution's events always go one by one.
const CONCURRENCY = 32;

export function startEventsOut(db: Database, settings: EventSettings, onError: (error: unknown) => void): EventsOut {
  const topics = Object.fromEntries(
    EVENT_KINDS.map((kind) => [kind, settings.sinks.filter((s) => s.eventTypes.includes(kind)).map(topicOf)]),
  ) as Record<EventKind, string[]>;
  const running = settings.sinks.map((sinkSettings) => {
    const sink = openSink(sinkSettings);
    const worker = startOutboxWorker({
      db,
      topic: topicOf(sinkSettings),
      ordered: true,
      batchSize: settings.batchSize,
      pollIntervalMs: settings.pollIntervalMs,
      retry: settings.retry,
      retentionMs: settings.retentionHours * 3_600_000,
      onError,
      deliver: async (messages) => {
        const events = await loadEvents(db, messages, settings.source);
        return deliverInKeyOrder(messages, CONCURRENCY, async (message) => {
          const event = events.get(message.eventId ?? -1);
          if (event === undefined) {
            return { status: "failed", error: `event log row ${message.eventId} is gone`, permanent: true };
          }
          return sink.send(message, event);
        });
      },
    });
    return { sink, worker };
  });
  return {
    topics,
    async stop() {
      await Promise.all(running.map(({ worker }: { worker: OutboxWorker }) => worker.stop()));
      await Promise.all(running.map(({ sink }) => sink.close()));
    },
  };
}

function openSink(settings: SinkSettings): Sink {
  return settings.type === "nats" ? natsSink(settings) : webhookSink(settings);
}

async function loadEvents(db: Queryable, messages: OutboxMessage[], source: string): Promise<Map<number, Published>> {
  const ids = messages.map((m) => m.eventId).filter((id): id is number => id !== null);
  const rows = await db.query<StoredEvent>(
    `SELECT e.id, e.kind, e.event, x.project, x.domain, x.name
     FROM execution_events e JOIN executions x ON x.id = e.execution_id
     WHERE e.id = ANY($1::bigint[])`,
    [ids],
  );
  return new Map(rows.map((stored) => [stored.id, { stored, cloudEvent: cloudEventOf(stored, source) }]));
}
