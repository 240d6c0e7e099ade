// What every event handler shares: the producer check against the execution's engine, and the
// append-only log of accepted events (written in the transaction that applies the event).
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import type { Queryable } from "../../db/index.js";
import { incompatibleCluster, invalidArgument } from "./errors.js";
import { dateOf } from "./time.js";

// Producer id older propellers send whatever cluster they run in.
const LEGACY_PRODUCER = "propeller";

/**
 * An event from another engine than the one running the execution is refused, with the detail
 * propeller recognises. An execution no engine has claimed yet accepts any producer.
 */
export function checkProducer(producerId: string, cluster: string, what: string): void {
  if (producerId === "" || producerId === LEGACY_PRODUCER || cluster === "" || producerId === cluster) return;
  throw incompatibleCluster(
    `Cannot accept events for running/terminated ${what} execution from cluster ${producerId}; expected ${cluster}`,
    cluster,
  );
}

export const claimsCluster = (producerId: string) => producerId !== "" && producerId !== LEGACY_PRODUCER;

export function requireOccurredAt(ts: Timestamp | undefined): Timestamp {
  if (ts === undefined) throw invalidArgument("missing occurred_at");
  return ts;
}

/**
 * Appends an accepted event to the log and, in the same statement, one outbox message per topic it
 * is published to (keyed by the execution, so each execution's events are published in log order).
 */
export async function appendEvent(
  tx: Queryable,
  entry: {
    executionId: number;
    kind: "workflow" | "node" | "task";
    nodeId: string | null;
    phase: string;
    producerId: string;
    occurredAt: Timestamp;
    event: Uint8Array;
    /** Outbox topics the event is published to. */
    publishTo?: readonly string[];
  },
): Promise<void> {
  const publishTo = entry.publishTo ?? [];
  const values = [
    entry.executionId,
    entry.kind,
    entry.nodeId,
    entry.phase,
    entry.producerId,
    dateOf(entry.occurredAt),
    entry.event,
  ];
  const insert = `INSERT INTO execution_events (execution_id, kind, node_id, phase, producer_id, occurred_at, event)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`;
  if (publishTo.length === 0) {
    await tx.query(insert, values);
    return;
  }
  await tx.query(
    `WITH logged AS (${insert} RETURNING id)
     INSERT INTO outbox (topic, key, payload, event_id)
     SELECT topic, $1::text, ''::bytea, logged.id FROM logged, unnest($8::text[]) AS topic`,
    [...values, publishTo],
  );
}
