import type { OutboxMessage, Outcome } from "./worker.js";

/**
 * Sends a batch keeping each key's order: one key's messages go one after the other, and after a
 * failure the rest of that key are skipped (they wait behind the failed one); different keys go
 * concurrently, at most `concurrency` at a time.
 */
export async function deliverInKeyOrder(
  messages: OutboxMessage[],
  concurrency: number,
  send: (message: OutboxMessage) => Promise<Outcome>,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = messages.map(() => ({ status: "skipped" }));
  const byKey = new Map<string, number[]>();
  for (const [i, message] of messages.entries()) {
    const indexes = byKey.get(message.key);
    if (indexes) indexes.push(i);
    else byKey.set(message.key, [i]);
  }
  const queues = [...byKey.values()];
  const lane = async () => {
    for (let queue = queues.shift(); queue !== undefined; queue = queues.shift()) {
      for (const i of queue) {
        outcomes[i] = await send(messages[i]);
        if (outcomes[i].status !== "delivered") break;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, queues.length)) }, lane));
  return outcomes;
}

/** Sends every message, at most `concurrency` at a time, in no particular order. */
export async function deliverEach(
  messages: OutboxMessage[],
  concurrency: number,
  send: (message: OutboxMessage) => Promise<Outcome>,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = messages.map(() => ({ status: "skipped" }));
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < messages.length; i = next++) outcomes[i] = await send(messages[i]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, messages.length)) }, lane));
  return outcomes;
}
