import type { Readable } from "node:stream";
import { BlobStoreError } from "./errors.js";

/**
 * The chunks of the stream given to `put`, as bytes. A failure of the stream itself is reported as such (not as
 * a store failure), and the stream is destroyed when the consumer stops early.
 */
export async function* sourceChunks(data: Readable, uri: string): AsyncGenerator<Uint8Array> {
  const iterator: AsyncIterator<unknown> = data[Symbol.asyncIterator]();
  let done = false;
  try {
    for (;;) {
      let next: IteratorResult<unknown>;
      try {
        next = await iterator.next();
      } catch (error) {
        done = true;
        throw new BlobStoreError(
          "put",
          uri,
          `reading the data to store failed: ${error instanceof Error ? error.message : String(error)}`,
          "Check the stream given to put; nothing was stored",
          { cause: error },
        );
      }
      if (next.done) {
        done = true;
        return;
      }
      yield typeof next.value === "string" ? Buffer.from(next.value) : (next.value as Uint8Array);
    }
  } finally {
    if (!done) await iterator.return?.();
  }
}
