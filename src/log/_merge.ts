/**
 * The k-way merge of per-file record streams: one record held per file,
 * the smallest key out first, ties to the earlier stream, so each stream's
 * order is kept. k is the number of hosts writing in one folder (a handful),
 * so the smallest head is found by a scan rather than a heap.
 */
import type { Keyed } from "./_entries.js";

async function next(s: AsyncGenerator<Keyed>): Promise<Keyed | undefined> {
  const r = await s.next();
  return r.done === true ? undefined : r.value;
}

/** Merge `sources`; closes every one of them when done or abandoned. */
export async function* mergeKeyed(sources: readonly AsyncGenerator<Keyed>[]): AsyncGenerator<Keyed, void, undefined> {
  const heads: (Keyed | undefined)[] = [];
  try {
    for (const s of sources) heads.push(await next(s));
    for (;;) {
      let best = -1;
      for (let i = 0; i < heads.length; i++) {
        const h = heads[i];
        // Strictly smaller: on equal keys the earlier stream goes first.
        if (h !== undefined && (best < 0 || h.key < (heads[best] as Keyed).key)) best = i;
      }
      if (best < 0) return;
      const chosen = heads[best] as Keyed;
      heads[best] = await next(sources[best] as AsyncGenerator<Keyed>);
      yield chosen;
    }
  } finally {
    // An early `break` by the caller closes every file.
    await Promise.all(sources.map((s) => s.return(undefined)));
  }
}
