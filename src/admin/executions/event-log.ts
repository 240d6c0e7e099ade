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
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO execution_events (execution_id, kind, node_id, phase, producer_id, occurred_at, event)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [entry.executionId, entry.kind, entry.nodeId, entry.phase, entry.producerId, dateOf(entry.occurredAt), entry.event],
  );
}
