import type { Duration } from "@bufbuild/protobuf/wkt";

/** A protobuf Duration in milliseconds; undefined when absent or zero (Flyte's "no timeout"). */
export function durationMs(duration: Duration | undefined): number | undefined {
  if (duration === undefined) return undefined;
  const ms = Number(duration.seconds) * 1000 + Math.floor(duration.nanos / 1e6);
  return ms > 0 ? ms : undefined;
}
