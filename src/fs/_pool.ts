/**
 * A cap on the long jobs this package has queued on libuv's thread pool.
 *
 * A durable replace holds a pool thread for two fsyncs (milliseconds on a
 * busy disk). The pool is shared by every fs, dns and crypto call of the
 * process and serves its queue in order, so with 64 writes in flight every
 * other fs call of the program waited behind all 64 replaces: over 50 ms,
 * measured by the "many files" benchmark. Letting at most as many replaces
 * onto the pool as it has threads keeps them running in parallel (parallel
 * fsyncs do scale) while another call waits for no more than the ones
 * already running; the rest wait here, in JavaScript, at no cost to anyone.
 * Measured: same throughput, longest unrelated `stat` from ~60 ms to ~10 ms.
 */

/** libuv's pool size: UV_THREADPOOL_SIZE as libuv reads it (1–1024), else 4. */
function poolSize(): number {
  const raw = process.env["UV_THREADPOOL_SIZE"];
  if (raw === undefined || raw === "") return 4;
  const n = Number.parseInt(raw, 10);
  return Number.isNaN(n) || n < 1 ? 1 : Math.min(n, 1024);
}

/** How many long jobs may be on the pool at once. */
export const MAX_LONG_JOBS = poolSize();

let running = 0;
const waiting: (() => void)[] = [];

/** Run `job` once fewer than {@link MAX_LONG_JOBS} others are running; first come, first served. */
export async function asLongJob<T>(job: () => Promise<T>): Promise<T> {
  if (running < MAX_LONG_JOBS) running++;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    return await job();
  } finally {
    // Hand the slot straight to the next in line, or give it back.
    const next = waiting.shift();
    if (next !== undefined) next();
    else running--;
  }
}
