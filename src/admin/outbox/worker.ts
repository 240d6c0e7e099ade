// Delivers the messages of one outbox topic: they were written in the transaction that produced them
// (so a message exists exactly when its cause was committed), and this loop sends them after the
// commit, marks them delivered, retries failures with exponential backoff and parks a message as
// dead-lettered after too many attempts. Because the mark is a row update, a restarted admin picks
// up where the last one stopped and never resends what was marked.
import type { Database } from "../../db/index.js";

export interface OutboxMessage {
  id: number;
  /** What the message is about (an execution); ordered topics deliver one key's messages in id order. */
  key: string;
  payload: Uint8Array;
  /** The attempt this delivery is, from 1. */
  attempt: number;
  /** The event log row a published event refers to; null for other messages. */
  eventId: number | null;
}

/**
 * What became of one message: delivered; failed (retried later, or dead-lettered at once when
 * `permanent`, because no retry can fix it); or skipped, not tried because an earlier message of its
 * key failed in the same batch (it keeps its place behind that one and costs no attempt).
 */
export type Outcome =
  | { status: "delivered" }
  | { status: "failed"; error: string; permanent?: boolean }
  | { status: "skipped" };

export interface RetryPolicy {
  /** Attempts before a message is dead-lettered; 0 retries forever. */
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
}

export interface OutboxWorkerOptions {
  db: Database;
  topic: string;
  /** One key's messages are claimed only while no earlier message of that key waits for a retry. */
  ordered: boolean;
  batchSize: number;
  pollIntervalMs: number;
  retry: RetryPolicy;
  /** Delivered messages older than this are deleted; 0 keeps them. */
  retentionMs: number;
  /** Sends a batch and answers one outcome per message, in the batch's order. */
  deliver(messages: OutboxMessage[]): Promise<Outcome[]>;
  /** A failure of the loop itself (the metastore), reported and retried at the next poll. */
  onError(error: unknown): void;
}

export interface OutboxWorker {
  /** Looks for messages now instead of at the next poll. */
  wake(): void;
  /** Finishes the batch in flight (so what was sent is marked) and stops. */
  stop(): Promise<void>;
}

// How long a claimed message is hidden from other claimers: a worker that dies mid-batch leaves
// its messages to be retried once this has passed.
const LEASE_MS = 60_000;
const CLEANUP_EVERY_MS = 60_000;

export function backoffMs(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** Math.max(0, attempt - 1));
}

export function startOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  let stopped = false;
  let wakeUp: (() => void) | undefined;
  let lastCleanup = 0;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });

  const loop = (async () => {
    while (!stopped) {
      let claimed = 0;
      try {
        claimed = await runBatch(options);
        if (options.retentionMs > 0 && Date.now() - lastCleanup > CLEANUP_EVERY_MS) {
          lastCleanup = Date.now();
          await options.db.query(
            "DELETE FROM outbox WHERE topic = $1 AND delivered_at < now() - $2::bigint * interval '1 millisecond'",
            [options.topic, options.retentionMs],
          );
        }
      } catch (error) {
        options.onError(error);
      }
      // A full batch means more may be waiting: go on at once.
      if (!stopped && claimed < options.batchSize) await sleep(options.pollIntervalMs);
    }
  })();

  return {
    wake: () => wakeUp?.(),
    async stop() {
      stopped = true;
      wakeUp?.();
      await loop;
    },
  };
}

/** Claims, delivers and marks one batch; answers how many messages it claimed. */
async function runBatch(options: OutboxWorkerOptions): Promise<number> {
  const { db, topic } = options;
  const messages = await claim(options);
  if (messages.length === 0) return 0;
  let outcomes: Outcome[];
  try {
    outcomes = await options.deliver(messages);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    outcomes = messages.map(() => ({ status: "failed", error: text }));
  }
  const delivered: number[] = [];
  const skipped: number[] = [];
  for (const [i, message] of messages.entries()) {
    const outcome = outcomes[i] ?? { status: "failed", error: "the sender gave no outcome for this message" };
    if (outcome.status === "delivered") delivered.push(message.id);
    else if (outcome.status === "skipped") skipped.push(message.id);
    else {
      const { maxAttempts } = options.retry;
      const dead = outcome.permanent === true || (maxAttempts > 0 && message.attempt >= maxAttempts);
      await db.query(
        `UPDATE outbox SET last_error = $2, dead_at = CASE WHEN $3 THEN now() END,
           available_at = now() + $4::bigint * interval '1 millisecond'
         WHERE id = $1`,
        [message.id, outcome.error, dead, backoffMs(options.retry, message.attempt)],
      );
    }
  }
  if (delivered.length > 0) {
    await db.query("UPDATE outbox SET delivered_at = now(), last_error = NULL WHERE id = ANY($1::bigint[])", [
      delivered,
    ]);
  }
  if (skipped.length > 0) {
    await db.query(
      "UPDATE outbox SET attempts = attempts - 1, available_at = now() WHERE topic = $1 AND id = ANY($2::bigint[])",
      [topic, skipped],
    );
  }
  return messages.length;
}

async function claim(options: OutboxWorkerOptions): Promise<OutboxMessage[]> {
  // Claims are serialised per topic (several admins may share one PostgreSQL), and a claim hides
  // its messages for a lease, so a message is in at most one batch at a time. For ordered topics a
  // message whose key has an earlier message waiting (in backoff or leased) is not claimed.
  const keyOrder = options.ordered
    ? `AND NOT EXISTS (
         SELECT 1 FROM outbox p
         WHERE p.topic = o.topic AND p.key = o.key AND p.id < o.id
           AND p.delivered_at IS NULL AND p.dead_at IS NULL AND p.available_at > now())`
    : "";
  return options.db.transaction(
    async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock(hashtext('tsflyte.outbox.' || $1))", [options.topic]);
      const rows = await tx.query<{
        id: number;
        key: string;
        payload: Uint8Array;
        attempts: number;
        event_id: number | null;
      }>(
        `WITH claimed AS (
           SELECT o.id FROM outbox o
           WHERE o.topic = $1 AND o.delivered_at IS NULL AND o.dead_at IS NULL AND o.available_at <= now()
             ${keyOrder}
           ORDER BY o.id LIMIT $2
           FOR UPDATE SKIP LOCKED)
         UPDATE outbox SET attempts = outbox.attempts + 1,
           available_at = now() + $3::bigint * interval '1 millisecond'
         FROM claimed WHERE outbox.id = claimed.id
         RETURNING outbox.id, outbox.key, outbox.payload, outbox.attempts, outbox.event_id`,
        [options.topic, options.batchSize, LEASE_MS],
      );
      return rows
        .sort((a, b) => a.id - b.id)
        .map((row) => ({
          id: row.id,
          key: row.key,
          payload: row.payload,
          attempt: row.attempts,
          eventId: row.event_id,
        }));
    },
    { isolation: "read committed" },
  );
}
