// Event times: timestamps keep nanoseconds, durations are stored as bigint nanoseconds.
import { create } from "@bufbuild/protobuf";
import { type Duration, DurationSchema, type Timestamp, timestampDate } from "@bufbuild/protobuf/wkt";

export const nanosOf = (ts: Timestamp) => ts.seconds * 1_000_000_000n + BigInt(ts.nanos);

/** `end - start` as a Duration and as nanoseconds for the duration_ns column. */
export function between(start: Timestamp, end: Timestamp): { duration: Duration; ns: bigint } {
  const ns = nanosOf(end) - nanosOf(start);
  const seconds = ns / 1_000_000_000n;
  return { duration: create(DurationSchema, { seconds, nanos: Number(ns - seconds * 1_000_000_000n) }), ns };
}

/** A timestamp for a timestamptz column. */
export const dateOf = (ts: Timestamp) => timestampDate(ts);

/** `reported_at` when the producer set it, else `occurred_at` (flyteadmin's updated_at rule). */
export function reportedOr(reported: Timestamp | undefined, occurred: Timestamp): Timestamp {
  return reported !== undefined && (reported.seconds !== 0n || reported.nanos !== 0) ? reported : occurred;
}

/**
 * Sets a finished closure's duration from its start to `end` and returns it in nanoseconds for
 * the duration_ns column; null when the closure never started.
 */
export function recordDuration(closure: { startedAt?: Timestamp; duration?: Duration }, end: Timestamp): bigint | null {
  if (closure.startedAt === undefined) return null;
  const elapsed = between(closure.startedAt, end);
  closure.duration = elapsed.duration;
  return elapsed.ns;
}
