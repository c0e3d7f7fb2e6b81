/**
 * Latency summaries. Every figure is derived from raw per-operation
 * nanoseconds measured by the worker around the call, with the worker's
 * CLOCK_MONOTONIC (the same clock in C, Node and Python, so start and end
 * stamps of different processes can be compared).
 */

/** Latency percentiles in milliseconds, and throughput. */
export interface Summary {
  ops: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  opsPerSec: number;
}

const NS_PER_MS = 1e6;

/**
 * The nearest-rank percentile `q` (0 < q <= 1) of `sorted` (ascending):
 * the smallest value at or above which lies a fraction q of the samples.
 */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

/**
 * Summarise per-operation latencies (ns) of a run that took `wallNs` from
 * first start to last end; throughput is ops / wall time.
 */
export function summarize(latNs: readonly number[], wallNs: number): Summary {
  const sorted = [...latNs].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    ops: sorted.length,
    meanMs: sorted.length === 0 ? Number.NaN : sum / sorted.length / NS_PER_MS,
    p50Ms: percentile(sorted, 0.5) / NS_PER_MS,
    p90Ms: percentile(sorted, 0.9) / NS_PER_MS,
    p99Ms: percentile(sorted, 0.99) / NS_PER_MS,
    maxMs: (sorted[sorted.length - 1] ?? Number.NaN) / NS_PER_MS,
    opsPerSec: wallNs > 0 ? sorted.length / (wallNs / 1e9) : Number.NaN,
  };
}

/** max / min of positive values (1 for a single value). */
export function spread(values: readonly number[]): number {
  return Math.max(...values) / Math.min(...values);
}

/** Arithmetic mean. */
export function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
