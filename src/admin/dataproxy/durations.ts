import type { Duration } from "@bufbuild/protobuf/wkt";
import { invalidArgument } from "./errors.js";

/** protobuf's Duration range (about 10,000 years), as Go's `durationpb.IsValid` checks it. */
const MAX_DURATION_SECONDS = 315_576_000_000n;

/** The duration in seconds, or undefined when it is not a valid protobuf Duration. */
export function durationSeconds(duration: Duration): number | undefined {
  const { seconds, nanos } = duration;
  const outOfRange = seconds > MAX_DURATION_SECONDS || seconds < -MAX_DURATION_SECONDS;
  const mixedSigns = (seconds > 0n && nanos < 0) || (seconds < 0n && nanos > 0);
  if (outOfRange || nanos <= -1e9 || nanos >= 1e9 || mixedSigns) return undefined;
  return Number(seconds) + nanos / 1e9;
}

/** Seconds written as Go's `time.Duration.String()` (`1h0m0s`, `1m30s`, `1.5s`, `500ms`), as Flyte's messages show them. */
export function goDuration(totalSeconds: number): string {
  if (totalSeconds === 0) return "0s";
  const sign = totalSeconds < 0 ? "-" : "";
  const abs = Math.abs(totalSeconds);
  if (abs < 1) {
    const [unit, scale] = abs >= 1e-3 ? ["ms", 1e3] : abs >= 1e-6 ? ["µs", 1e6] : ["ns", 1e9];
    return `${sign}${trimFraction(abs * (scale as number))}${unit}`;
  }
  const hours = Math.floor(abs / 3600);
  const minutes = Math.floor((abs % 3600) / 60);
  const seconds = `${trimFraction(abs % 60)}s`;
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}`;
  return sign + seconds;
}

function trimFraction(value: number): string {
  return String(Number(value.toFixed(9)));
}

/**
 * The lifetime to sign a URL for, by Flyte's `expires_in` rule: absent means the maximum, more than the maximum
 * is refused. Stores sign whole seconds, so a fraction rounds up; zero or negative is refused (nothing could use it).
 */
export function signingSeconds(expiresIn: Duration | undefined, maxSeconds: number, context: string): number {
  if (expiresIn === undefined) return maxSeconds;
  const seconds = durationSeconds(expiresIn);
  if (seconds === undefined) {
    throw invalidArgument(`${context}expiresIn [${expiresIn.seconds}s ${expiresIn.nanos}ns] is invalid`);
  }
  if (seconds > maxSeconds) {
    throw invalidArgument(
      `${context}expiresIn [${goDuration(seconds)}] cannot exceed max allowed expiration [${goDuration(maxSeconds)}]`,
    );
  }
  if (seconds <= 0) throw invalidArgument(`${context}expiresIn [${goDuration(seconds)}] must be positive`);
  return Math.ceil(seconds);
}
