/**
 * A bound on how many operations run at once. Only leaf operations (one
 * readdir, one file read) go through it, never a task that waits on other
 * limited tasks, so it cannot deadlock.
 */

/** Run `fn` when fewer than `max` others are running; resolves with its result. */
export type Limit = <T>(fn: () => Promise<T>) => Promise<T>;

/**
 * A fresh limiter allowing `max` (at least 1) operations at a time.
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
