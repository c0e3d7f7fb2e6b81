/**
 * The k-way merge of per-file record streams: one batch held per file, the
 * smallest key out first, ties to the earlier stream, so each stream's order
 * is kept. k is the number of hosts writing in one folder (a handful), so the
 * smallest head is found by a scan rather than a heap. Streams hand out a
 * batch per read chunk, so the asynchronous hops are per chunk, not per line.
 *
 * The merge is an async iterator written by hand rather than an async
 * generator: a record that is already in a batch is handed out with one
 * resolved promise, where a generator's `yield` costs several turns of the
 * microtask queue per record. Calls are served one at a time, in order, as a
 * generator serves them.
 */
import type { LogRecord } from "./entry.js";
import type { Keyed } from "./_entries.js";

type Stream = AsyncGenerator<Keyed[]>;

interface Head {
  batch: Keyed[];
  at: number;
}

/** A stream's head: its batch, `null` when the batch is used up and the next is to be read, `undefined` when the stream ended. */
type Slot = Head | null | undefined;

const DONE: IteratorReturnResult<void> = Object.freeze({ done: true, value: undefined });

async function refill(s: Stream): Promise<Head | undefined> {
  for (;;) {
    const r = await s.next();
    if (r.done === true) return undefined;
    if (r.value.length > 0) return { batch: r.value, at: 0 };
  }
}

class KeyedMerge implements AsyncGenerator<LogRecord, void, undefined> {
  readonly #sources: () => Promise<readonly Stream[]>;
  #streams: readonly Stream[] = [];
  #heads: Slot[] = [];
  #started = false;
  #finished = false;
  /** Calls not yet answered: while there is one, later calls wait their turn. */
  #waiting = 0;
  #busy: Promise<unknown> = Promise.resolve();

  constructor(sources: () => Promise<readonly Stream[]>) {
    this.#sources = sources;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<LogRecord, void>> {
    if (this.#waiting === 0 && this.#started && !this.#finished) {
      const record = this.#take();
      if (record !== undefined) return Promise.resolve({ done: false, value: record });
    }
    return this.#serve(() => this.#nextSlow());
  }

  return(): Promise<IteratorResult<LogRecord, void>> {
    return this.#serve(async () => {
      await this.#close();
      return DONE;
    });
  }

  throw(err: unknown): Promise<IteratorResult<LogRecord, void>> {
    return this.#serve(async () => {
      await this.#close();
      throw err;
    });
  }

  /** Run `op` after every call made before it. */
  #serve<T>(op: () => Promise<T>): Promise<T> {
    this.#waiting++;
    const run = this.#busy.then(op).finally(() => {
      this.#waiting--;
    });
    this.#busy = run.catch(() => undefined);
    return run;
  }

  /** The smallest record when every live stream has one at hand; undefined when one must be read first, or all ended. */
  #take(): LogRecord | undefined {
    const heads = this.#heads;
    let best = -1;
    let bestKey = 0;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i];
      if (h === undefined) continue;
      if (h === null) return undefined;
      const key = (h.batch[h.at] as Keyed).key;
      // Strictly smaller: on equal keys the earlier stream goes first.
      if (best < 0 || key < bestKey) {
        best = i;
        bestKey = key;
      }
    }
    if (best < 0) return undefined;
    const head = heads[best] as Head;
    const chosen = head.batch[head.at++] as Keyed;
    if (head.at === head.batch.length) heads[best] = null;
    return chosen.record;
  }

  async #nextSlow(): Promise<IteratorResult<LogRecord, void>> {
    if (this.#finished) return DONE;
    if (!this.#started) {
      this.#started = true;
      try {
        this.#streams = await this.#sources();
      } catch (err) {
        this.#finished = true;
        throw err;
      }
      this.#heads = this.#streams.map(() => null);
    }
    try {
      const heads = this.#heads;
      for (let i = 0; i < heads.length; i++) if (heads[i] === null) heads[i] = await refill(this.#streams[i] as Stream);
    } catch (err) {
      await this.#close();
      throw err;
    }
    const record = this.#take();
    if (record !== undefined) return { done: false, value: record };
    await this.#close();
    return DONE;
  }

  /** Close every stream (and so every file), once. */
  async #close(): Promise<void> {
    if (this.#finished) return;
    this.#finished = true;
    await Promise.all(this.#streams.map((s) => s.return(undefined)));
  }
}

/**
 * Merge the streams `sources` gives (called at the first `next()`, so an
 * error finding them surfaces there and never as an unhandled rejection);
 * closes every one of them when done, failed or abandoned (`return()`, as a
 * `break` calls it).
 */
export function mergeKeyed(sources: () => Promise<readonly Stream[]>): AsyncGenerator<LogRecord, void, undefined> {
  return new KeyedMerge(sources);
}
