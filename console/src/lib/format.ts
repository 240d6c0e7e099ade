// Times and durations as the console shows them.
import { type Duration, durationMs, type Timestamp, timestampMs } from "@bufbuild/protobuf/wkt";
import { formatDuration } from "./literals.js";

export function ms(t: Timestamp | undefined): number | undefined {
  return t && (t.seconds !== 0n || t.nanos !== 0) ? timestampMs(t) : undefined;
}

export function durMs(d: Duration | undefined): number {
  return d ? durationMs(d) : 0;
}

/** "2026-01-31 12:00:05" in the browser's time zone; "—" when unset. */
export function dateTime(t: Timestamp | undefined): string {
  return localTime(ms(t));
}

/** An ISO string from a JSON route, as dateTime shows timestamps. */
export function dateTimeOf(iso: string | null | undefined): string {
  const at = iso ? Date.parse(iso) : Number.NaN;
  return localTime(Number.isNaN(at) ? undefined : at);
}

function localTime(at: number | undefined): string {
  if (at === undefined) return "—";
  const d = new Date(at);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A running thing's duration grows until it ends: started -> now when no duration is recorded yet. */
export function elapsed(
  startedAt: Timestamp | undefined,
  duration: Duration | undefined,
  running: boolean,
  now: number,
): string {
  const d = durMs(duration);
  if (d > 0) return formatDuration(Math.round(d));
  const start = ms(startedAt);
  if (running && start !== undefined) return formatDuration(Math.max(0, Math.round((now - start) / 1000) * 1000));
  return "—";
}
