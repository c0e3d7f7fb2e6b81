/**
 * The k-way merge of per-file record streams: one batch held per file, the
 * smallest key out first, ties to the earlier stream, so each stream's order
 * is kept. k is the number of hosts writing in one folder (a handful), so the
 * smallest head is found by a scan rather than a heap. Streams hand out a
 * batch per read chunk, so the asynchronous hops are per chunk, not per line.
 */
import type { LogRecord } from "./entry.js";
import type { Keyed } from "./_entries.js";

interface Head {
  batch: Keyed[];
  at: number;
}

async function refill(s: AsyncGenerator<Keyed[]>): Promise<Head | undefined> {
  for (;;) {
    const r = await s.next();
    if (r.done === true) return undefined;
    if (r.value.length > 0) return { batch: r.value, at: 0 };
  }
}

/**
 * Merge the streams `sources` gives (called at the first `next()`, so an
 * error finding them surfaces there and never as an unhandled rejection);
 * closes every one of them when done or abandoned.
 */
export async function* mergeKeyed(sources: () => Promise<readonly AsyncGenerator<Keyed[]>[]>): AsyncGenerator<LogRecord, void, undefined> {
  const streams = await sources();
  const heads: (Head | undefined)[] = [];
  try {
    for (const s of streams) heads.push(await refill(s));
    for (;;) {
      let best = -1;
      let bestKey = 0;
      for (let i = 0; i < heads.length; i++) {
        const h = heads[i];
        if (h === undefined) continue;
        const key = (h.batch[h.at] as Keyed).key;
        // Strictly smaller: on equal keys the earlier stream goes first.
        if (best < 0 || key < bestKey) {
          best = i;
          bestKey = key;
        }
      }
      if (best < 0) return;
      const head = heads[best] as Head;
      const chosen = head.batch[head.at++] as Keyed;
      if (head.at === head.batch.length) heads[best] = await refill(streams[best] as AsyncGenerator<Keyed[]>);
      yield chosen.record;
    }
  } finally {
    // An early `break` by the caller closes every file.
    await Promise.all(streams.map((s) => s.return(undefined)));
  }
}
