/**
 * "Did you mean": the known word nearest to a mistyped one, by edit distance
 * (insertions, deletions, substitutions and swaps of two neighbours each
 * count one), when it is near enough to be what was meant.
 */

/**
 * Optimal-string-alignment distance between `a` and `b`.
 *
 * @example
 * ```ts
 * editDistance("confg", "config"); // 1
 * editDistance("chekc", "check"); // 1 (a swap of neighbours)
 * ```
 */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const prev = rows[i - 1] ?? [];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      row.push(d);
    }
    rows.push(row);
  }
  return rows[a.length]?.[b.length] ?? 0;
}

/**
 * The candidate nearest to `word`, when it is at most one edit away for a
 * word of up to four characters and two for a longer one; on a tie, the
 * first in `candidates`.
 *
 * @example
 * ```ts
 * suggest("synk", ["sync", "show"]); // "sync"
 * suggest("xyz", ["sync"]); // undefined
 * ```
 */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  const limit = word.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}
