// Duration percentiles from the log histogram of migration 0004_usage (usage_duration_bucket): bucket b holds
// durations from 2^(b/8) to 2^((b+1)/8) ms, and b = 0 everything shorter than 2^(1/8) ms too.

/** Executions per bucket. */
export type Histogram = Map<number, number>;

export const BUCKETS_PER_DOUBLING = 8;

/** Adds `from` into `into`. */
export function mergeHistogram(into: Histogram, from: Histogram): void {
  for (const [bucket, count] of from) into.set(bucket, (into.get(bucket) ?? 0) + count);
}

/**
 * The duration (seconds) below which a fraction `p` of the executions fall: the bucket holding the nearest-rank
 * value (percentile_disc's), and within it the point at the rank's share of the bucket, spaced evenly on the log
 * scale (durations spread that way far more than evenly in time). It lies in the same bucket as the exact
 * nearest-rank value, so within 9% of it. 0 for an empty histogram.
 */
export function percentile(histogram: Histogram, p: number): number {
  const buckets = [...histogram.entries()].filter(([, count]) => count > 0).sort(([a], [b]) => a - b);
  const total = buckets.reduce((sum, [, count]) => sum + count, 0);
  if (total === 0) return 0;
  const rank = p * total;
  let below = 0;
  for (const [bucket, count] of buckets) {
    if (below + count >= rank) {
      const share = count === 0 ? 0 : Math.min(1, Math.max(0, (rank - below) / count));
      return 2 ** ((bucket + share) / BUCKETS_PER_DOUBLING) / 1000;
    }
    below += count;
  }
  const last = buckets[buckets.length - 1][0];
  return 2 ** ((last + 1) / BUCKETS_PER_DOUBLING) / 1000;
}
