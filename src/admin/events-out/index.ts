// Publishes every accepted workflow, node and task event to the configured sinks, at least once and
// in order per execution. Event ingestion writes one outbox message per sink beside the event-log
// row (same transaction, see executions/event-log.ts); one worker per sink reads them in batches.
import type { Database, Queryable } from "../../db/index.js";
import { deliverInKeyOrder } from "../outbox/ordered.js";
import { type OutboxMessage, type OutboxWorker, startOutboxWorker } from "../outbox/worker.js";
import { type DecodedEvent, decodeStored, type StoredEvent } from "./cloudevent.js";
import { requestCloudEvent } from "./cloudevent-v1.js";
import { isEnriched, wrappedCloudEvent } from "./cloudevent-v2.js";
import { type FactsLookup, factsLookup, nodeKey, type NodeRef, UNKNOWN_EXECUTION } from "./execution-facts.js";
import { natsSink } from "./nats.js";
import { EVENT_KINDS, type EventKind, type EventSettings, type SinkSettings } from "./settings.js";
import type { Published, Sink } from "./sink.js";
import { webhookSink } from "./webhook.js";

export { type CloudEventVersion, type EventKind, type EventSettings, readEventSettings } from "./settings.js";
export { decodeStored, EVENT_LOG_ID, prototext, type StoredEvent } from "./cloudevent.js";
export { type ExecutionFacts, V2_TYPES, wrappedCloudEvent } from "./cloudevent-v2.js";
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
  // One lookup (and cache) shared by the sinks: they publish the same events.
  const toCloudEvents = cloudEventsOf(db, settings);
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
        const events = await toCloudEvents(messages);
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

/** Reads a batch's events from the log and turns them into the configured version's CloudEvents. */
function cloudEventsOf(db: Queryable, settings: EventSettings) {
  const facts = settings.cloudEventVersion === "v2" ? factsLookup(db) : undefined;
  return async (messages: OutboxMessage[]): Promise<Map<number, Published>> => {
    const ids = messages.map((m) => m.eventId).filter((id): id is number => id !== null);
    const rows = await db.query<StoredEvent>(
      `SELECT e.id, e.kind, e.event, e.execution_id AS "executionId", x.project, x.domain, x.name
       FROM execution_events e JOIN executions x ON x.id = e.execution_id
       WHERE e.id = ANY($1::bigint[])`,
      [ids],
    );
    const decoded = rows.map(decodeStored);
    const published = facts
      ? await wrapped(decoded, facts)
      : decoded.map((d) => ({ stored: d.stored, cloudEvent: requestCloudEvent(d, settings.source) }));
    return new Map(published.map((p) => [p.stored.id, p]));
  };
}

async function wrapped(decoded: DecodedEvent[], lookup: FactsLookup): Promise<Published[]> {
  const executions = await lookup.executions(decoded.map((d) => d.stored.executionId));
  // A node's latest task attempt, for the node events v2 enriches.
  const nodes: NodeRef[] = [];
  for (const d of decoded) {
    if (d.kind === "node" && isEnriched(d) && d.event.id)
      nodes.push({ executionId: d.stored.executionId, id: d.event.id });
  }
  const nodeTasks = await lookup.nodeTasks(nodes);
  return decoded.map((d) => {
    const nodeTask =
      d.kind === "node" && d.event.id
        ? nodeTasks.get(nodeKey({ executionId: d.stored.executionId, id: d.event.id }))
        : undefined;
    const execution = executions.get(d.stored.executionId) ?? UNKNOWN_EXECUTION;
    return { stored: d.stored, cloudEvent: wrappedCloudEvent(d, execution, nodeTask) };
  });
}
