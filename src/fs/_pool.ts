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

/** Run `fn` when fewer than `max` others are running; resolves with its result. */
export type Limit = <T>(fn: () => Promise<T>) => Promise<T>;

/**
 * A fresh limiter allowing `max` (at least 1) operations at a time, first
 * come, first served. Only leaf operations (one readdir, one file read, one
 * replace) should go through one, never a task that waits on other limited
 * tasks, so it cannot deadlock.
 *
 * @example
 * ```ts
 * const limit = limiter(16);
 * const entries = await Promise.all(dirs.map((d) => limit(() => readdir(d))));
 * ```
 */
export function limiter(max: number): Limit {
  const cap = Math.max(1, Math.floor(max));
  let running = 0;
  const waiting: (() => void)[] = [];
  // A finishing operation hands its slot straight to the next waiter, so a
  // caller arriving in between cannot take it and exceed the bound.
  const release = (): void => {
    const next = waiting.shift();
    if (next === undefined) running--;
    else next();
  };
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (running >= cap) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await fn();
    } finally {
      release();
    }
  };
}

const longJobs = limiter(MAX_LONG_JOBS);

/** Run `job` once fewer than {@link MAX_LONG_JOBS} others are running; first come, first served. */
export async function asLongJob<T>(job: () => Promise<T>): Promise<T> {
  return longJobs(job);
}
