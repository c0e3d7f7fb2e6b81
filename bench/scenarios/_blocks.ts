/**
 * Interleaved blocks: run each contender's share in a few blocks, rotating
 * who goes first, so that drift on a busy machine (another job starting,
 * the disk's cache filling) spreads over every contender instead of landing
 * on whoever ran last.
 */
import { runTogether, type WorkerSpec } from "../_procs.js";
import { splitCount, type BenchContext, type TimedRun } from "./_context.js";

/** The blocks of a scenario that runs its contenders one process at a time. */
export const BLOCKS = 4;

/** What one contender measured over all its blocks. */
export interface Pooled {
  lat: number[];
  /** Sum of the blocks' wall times (first start to last end of each). */
  wallNs: number;
  /** Untimed-phase latencies a worker reported (Node rewrite workers: a fresh process's first writes). */
  fresh: number[];
}

/**
 * Run `total` operations per contender (any key that `spec` turns into a
 * worker), in {@link BLOCKS} rotating blocks of one worker each, and pool
 * each one's latencies and wall time.
 */
export async function runInterleaved<K>(
  ctx: BenchContext,
  keys: readonly K[],
  total: number,
  spec: (key: K, count: number) => WorkerSpec,
): Promise<{ blocks: number; byKey: Map<K, Pooled> }> {
  const blocks = splitCount(total, BLOCKS);
  const byKey = new Map<K, Pooled>(keys.map((k) => [k, { lat: [], wallNs: 0, fresh: [] }]));
  for (const [b, n] of blocks.entries()) {
    for (let i = 0; i < keys.length; i++) {
      const key = keys[(i + b) % keys.length] as K;
      const worker = spec(key, n);
      ctx.log(`${worker.label}: block ${b + 1}/${blocks.length} (${n} operations)`);
      const [res] = await runTogether<TimedRun & { fresh?: number[] }>([worker]);
      const pooled = byKey.get(key);
      if (res === undefined || pooled === undefined) throw new Error(`no answer from ${worker.label}`);
      pooled.lat.push(...res.lat);
      if (res.fresh !== undefined) pooled.fresh.push(...res.fresh);
      pooled.wallNs += res.end - res.start;
    }
  }
  return { blocks: blocks.length, byKey };
}
